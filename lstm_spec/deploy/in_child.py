"""A conversion run in a process of its own, where the table says it aborts the process (spec 48's ``ABORTS``).

    python -m lstm_spec.deploy.in_child PATH CASE FOLDER    converts the catalog's CASE by spec 48's PATH

A C++ abort (``LLVM ERROR: ... Aborted``) cannot be caught in the process it kills, and it would end the whole
spec run: the child builds the same seeded case, converts it and writes ``FOLDER/converted.tflite``.  The parent
(``converted_in_child``) gives back the bytes, raises the child's exception again under its own class name, or
raises ``ProcessAborted`` with the signal and the child's last error line.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONVERTED = "converted.tflite"
FAILED = "failed.json"


class ProcessAborted(Exception):
    """The conversion's process ended by a signal."""


def _error_line(stderr: str) -> str:
    """The child's last line that names an error (LLVM's ``LLVM ERROR: ...``), else its last line; a faulthandler's
    dump (``Fatal Python error: Aborted`` and the stack, where PYTHONFAULTHANDLER is set) left out."""
    lines = [line.strip() for line in stderr.split("Fatal Python error:")[0].splitlines() if line.strip()]
    errors = [line for line in lines if "ERROR" in line or "error:" in line]
    return (errors or lines or ["(nothing on stderr)"])[-1]


def converted_in_child(path: str, case: str, folder: Path) -> bytes:
    """The bytes spec 48's ``path`` converts the catalog's ``case`` to, converted in a child process."""
    result = subprocess.run([sys.executable, "-m", "lstm_spec.deploy.in_child", path, case, str(folder)],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode < 0:
        raise ProcessAborted(f"{signal.Signals(-result.returncode).name}: {_error_line(result.stderr)}")
    if (folder / FAILED).exists():
        failed = json.loads((folder / FAILED).read_text())
        raise type(failed["type"], (Exception,), {})(failed["message"])
    if result.returncode != 0:
        raise RuntimeError(f"the conversion's process exited with {result.returncode}: {_error_line(result.stderr)}")
    return (folder / CONVERTED).read_bytes()


def main(argv: list[str]) -> int:
    path, case, folder = argv[0], argv[1], Path(argv[2])
    from lstm_spec.deploy.artifacts import as_arrays
    from lstm_spec.deploy.litert_paths import PATHS
    from lstm_spec.saving.catalog import CASES, built

    seeded = built(CASES[case])
    try:
        content = PATHS[path][1](seeded.model, as_arrays(seeded.data), folder)
    except Exception as error:  # noqa: BLE001 - given back to the parent, which the table checks
        (folder / FAILED).write_text(json.dumps({"type": type(error).__name__, "message": str(error)}))
        return 1
    (folder / CONVERTED).write_bytes(content)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

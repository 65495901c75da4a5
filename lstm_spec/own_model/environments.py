"""A side's Python for ``check`` and ``migrate``: the environment ``matrix`` uses, made on first use, then reused.

``locked`` is ``.venv`` itself (the lock ``suite.py`` installs); a fixed session (``keras2``, ``tf-keras``,
``jax``, ``torch``) is its ``.nox/<session>`` environment; any other side (``2.18.0``, ``3.8.0``, a combination)
the ``version`` session's environment kept in ``.nox/own-model/<name>``.  A missing or outdated environment is
made by ``nox -s SESSION --install-only`` (its progress shown), and stamped with what it was made from, so the
next check starts it at once.  ``run_probe`` runs ``lstm_spec.own_model.probe`` there.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from lstm_spec.versions.pins import VersionSpecError
from lstm_spec.versions.sides import ROOT, Side, nox_command, resolve

VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
KEPT = ROOT / ".nox" / "own-model"
STAMP = "own-model-made-from.sha256"


class SideError(ValueError):
    """A side that cannot be named or installed; the message says why and how to name one."""


def side_named(name: str) -> Side:
    try:
        return resolve(name)
    except VersionSpecError as error:
        raise SideError(f"{name!r}: {error}") from None


def _envdir(side: Side) -> Path:
    return ROOT / ".nox" if side.fixed else KEPT / re.sub(r"[^A-Za-z0-9_.=-]+", "_", side.name)


def python_of(side: Side) -> Path:
    """Where the side's Python is (made or not)."""
    if side.name == "locked" or side.session == "locked":
        return VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable)
    return _envdir(side) / side.session / "bin" / "python"


def _made_from(side: Side) -> str:
    if side.fixed:
        text = side.lock.read_text() if side.lock else side.name
    else:
        text = "\n".join(side.pins) + "\n" + (ROOT / "requirements" / "lock.txt").read_text()
    return hashlib.sha256(text.encode()).hexdigest()


def ensure(side: Side, progress=print) -> Path:
    """The side's Python, its environment made first where missing or made from something else."""
    python = python_of(side)
    if side.session == "locked":
        return python
    stamp = python.parents[1] / STAMP
    if python.exists() and stamp.exists() and stamp.read_text().strip() == _made_from(side):
        return python
    progress(f"making the environment of {side.name} (first use: pip installs it, a few minutes) ...")
    command = nox_command(side, [], envdir=_envdir(side))
    command.insert(command.index("--sessions"), "--install-only")
    if not side.fixed:
        command.insert(command.index("--sessions"), "--reuse-venv=yes")
    finished = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if finished.returncode != 0 or not python.exists():
        if not side.fixed:
            shutil.rmtree(_envdir(side), ignore_errors=True)  # a half-made environment of its own, not a session's
        raise SideError(f"{side.name} cannot be installed from the package index: {_last_lines(finished.stdout)}")
    stamp.write_text(_made_from(side) + "\n")
    folder = python.parents[1]
    progress(f"{side.name} is ready ({folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder})")
    return python


def _last_lines(text: str, count: int = 6) -> str:
    """The lines of ``text`` that say what went wrong: pip's ERROR lines where there are any, else its last lines."""
    lines = [line for line in text.strip().splitlines() if line.strip() and "ignored: it is neither" not in line]
    errors = [line.strip() for line in lines if line.strip().startswith("ERROR:")]
    return "\n  ".join(errors or lines[-count:]) or "(no output)"


def environment(side: Side) -> dict[str, str]:
    """The variables the probe runs under on ``side``: its session's, the side's own, the suite on the path."""
    variables = {**os.environ, **side.session_environment, **dict(side.environment)}
    # The suite, then the folder the user ran suite.py in: their module:function imports from there.
    variables["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("LSTM_SPEC_CALLER_CWD", os.getcwd())])
    variables.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return variables


def run_probe(side: Side, python: Path, arguments: list[str]) -> subprocess.CompletedProcess:
    """``python -m lstm_spec.own_model.probe ARGUMENTS`` on ``side``; output captured."""
    return subprocess.run([str(python), "-m", "lstm_spec.own_model.probe", *arguments], cwd=ROOT,
                          env=environment(side), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def failure(finished: subprocess.CompletedProcess) -> str:
    """A failed probe's reason: its last error line (a traceback's last line)."""
    return _last_lines(finished.stdout, 1)

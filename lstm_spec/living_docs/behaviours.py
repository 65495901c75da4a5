"""The behaviours, one spec file each (``specs/test_NN_name.py``): their numbers, names and titles.

Standard library only: ``suite.py`` reads it before any environment exists.
"""

from __future__ import annotations

import re
from pathlib import Path

SPEC_FILE = re.compile(r"^test_(\d+)_(\w+)\.py$")
NUMBERED_TITLE = re.compile(r"^\d+\.\s*")


def behaviour_handles(path) -> tuple[int, str] | None:
    """(number, short name) of a spec file: ``(4, "return_state")`` for ``test_04_return_state.py``."""
    match = SPEC_FILE.match(Path(path).name)
    return (int(match[1]), match[2]) if match else None


def spec_files(root: Path) -> list[Path]:
    """The behaviours' spec files under ``root/specs``, in number order."""
    found = [path for path in (Path(root) / "specs").glob("test_*.py") if behaviour_handles(path)]
    return sorted(found, key=lambda path: behaviour_handles(path)[0])


def find_spec_file(root: Path, handle: str) -> Path | None:
    """The spec file a person named by number (``4``, ``04``) or short name (``return_state``)."""
    for path in spec_files(root):
        number, name = behaviour_handles(path)
        if handle == name or (handle.isdigit() and int(handle) == number):
            return path
    return None


def behaviour_title(path, docstring_title: str) -> str:
    """``4. return_state=True: ...``: the title numbered from its file, whether or not its docstring is."""
    handles = behaviour_handles(path)
    if handles is None:
        return docstring_title
    return f"{handles[0]}. {NUMBERED_TITLE.sub('', docstring_title)}"

"""The arrays check's sides hand each other (the writer's input and outputs), as ``.npz`` files in order."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def read_arrays(path: Path) -> list[np.ndarray]:
    """The arrays of an ``.npz`` file, in the order they were written."""
    with np.load(path) as archive:
        return [archive[name] for name in archive.files]


def write_arrays(path: Path, arrays) -> None:
    np.savez(path, *arrays)

"""Arrays as snapshot text, and a tolerance-aware comparison of two such texts.

Pure NumPy, no syrupy and no TensorFlow: the snapshot extension (``snapshot.py``) is a thin
adapter around these functions, and ``tests/test_arrays_text.py`` tests them directly.

The text of one snapshot is one block per array::

    output: shape=(2, 5) dtype=float32
    [[-4.31174599e-02 -4.70817499e-02 ...]
     [ 2.21745491e-01  2.31363058e-01 ...]]

A single array is labelled ``array``; a tuple or list is labelled ``[0]``, ``[1]``, ...;
a dict by its keys (``output``, ``h``, ``c``).  Floats are written with 9 significant digits,
enough to read every float32 back exactly, and never elided with ``...``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

# 9 significant digits round-trip every float32 exactly (float32 resolves about 7).
SIGNIFICANT_DIGITS = 9
# float32 resolves about 7 significant digits: rtol 1e-5 allows the last two to move (other
# summation orders, oneDNN on or off) while any change a reader could notice still fails.
DEFAULT_RTOL = 1e-5
DEFAULT_ATOL = 1e-6
MAX_REPORTED_ELEMENTS = 10

_HEADER = re.compile(r"^(?P<label>\S.*): shape=\((?P<shape>[0-9, ]*)\) dtype=(?P<dtype>\w+)$")


class SnapshotTextError(ValueError):
    """A snapshot text that does not parse as the arrays it claims to hold."""


def labelled_arrays(data) -> list[tuple[str, np.ndarray]]:
    """Flattens an array, a tuple/list of arrays or a dict of arrays into (label, array) pairs."""
    if isinstance(data, Mapping):
        return [(str(key), np.asarray(value)) for key, value in data.items()]
    if isinstance(data, (tuple, list)):
        return [(f"[{index}]", np.asarray(value)) for index, value in enumerate(data)]
    return [("array", np.asarray(data))]


def _format_float(value) -> str:
    return f"{value: .{SIGNIFICANT_DIGITS - 1}e}"


def format_array(label: str, array: np.ndarray) -> str:
    header = f"{label}: shape={array.shape} dtype={array.dtype}"
    body = np.array2string(
        array,
        threshold=sys.maxsize,
        max_line_width=100,
        separator=" ",
        formatter={"float_kind": _format_float},
    )
    return f"{header}\n{body}"


def format_arrays(data) -> str:
    """The snapshot text of ``data`` (an array, or a tuple/list/dict of arrays)."""
    return "\n".join(format_array(label, array) for label, array in labelled_arrays(data))


def looks_like_arrays(text: str) -> bool:
    """Whether ``text`` was written by ``format_arrays`` (its first line is an array header)."""
    first_line = text.split("\n", 1)[0]
    return bool(_HEADER.match(first_line))


def parse_arrays(text: str) -> list[tuple[str, np.ndarray]]:
    """Reads ``format_arrays`` text back; raises SnapshotTextError saying what is wrong."""
    blocks: list[tuple[re.Match, list[str]]] = []
    for line_number, line in enumerate(text.split("\n"), start=1):
        header = _HEADER.match(line)
        if header:
            blocks.append((header, []))
        elif not blocks:
            raise SnapshotTextError(
                f"line {line_number} should be an array header like "
                f"'output: shape=(2, 5) dtype=float32', found {line!r}"
            )
        else:
            blocks[-1][1].append(line)
    return [_parse_block(header, body) for header, body in blocks]


def _parse_block(header: re.Match, body: list[str]) -> tuple[str, np.ndarray]:
    label = header["label"]
    shape = tuple(int(n) for n in header["shape"].replace(" ", "").split(",") if n)
    try:
        dtype = np.dtype(header["dtype"])
    except TypeError as error:
        raise SnapshotTextError(f"{label}: unknown dtype {header['dtype']!r}") from error
    tokens = " ".join(body).replace("[", " ").replace("]", " ").split()
    expected_count = int(np.prod(shape, dtype=np.int64))
    if len(tokens) != expected_count:
        raise SnapshotTextError(
            f"{label}: shape {shape} needs {expected_count} values, the text has {len(tokens)}"
        )
    try:
        if dtype == np.bool_:
            values = np.array([_parse_bool(token) for token in tokens], dtype=dtype)
        else:
            values = np.array(tokens, dtype=np.float64 if dtype.kind in "fc" else object)
            values = values.astype(dtype)
    except ValueError as error:
        raise SnapshotTextError(f"{label}: a value is not a {dtype} number ({error})") from error
    return label, values.reshape(shape)


def _parse_bool(token: str) -> bool:
    if token not in ("True", "False"):
        raise ValueError(f"{token!r} is not True or False")
    return token == "True"


@dataclass
class ArrayDifference:
    """How one array of the snapshot differs from the value asserted now."""

    label: str
    problem: str
    rows: list[tuple[tuple[int, ...], object, object, float]] = field(default_factory=list)

    def lines(self, expected_heading: str = "snapshot") -> list[str]:
        """The report; ``expected_heading`` names the expected column (an oracle, not a snapshot)."""
        out = [f"{self.label}: {self.problem}"]
        if self.rows:
            out.append(f"    {'index':<16} {expected_heading:>16} {'actual':>16} {'difference':>12}")
            for index, expected, actual, difference in self.rows:
                out.append(
                    f"    {str(index):<16} {expected!s:>16} {actual!s:>16} {difference:>12.3g}"
                )
        return out


def compare_arrays(
    expected: list[tuple[str, np.ndarray]],
    actual: list[tuple[str, np.ndarray]],
    *,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
) -> list[ArrayDifference]:
    """Every difference between two labelled array lists; an empty list means they match.

    Labels, shapes, dtypes and non-float values must be equal; floats must satisfy
    ``|actual - expected| <= atol + rtol * |expected|`` (NaN equals NaN).
    """
    expected_labels = [label for label, _ in expected]
    actual_labels = [label for label, _ in actual]
    if expected_labels != actual_labels:
        return [
            ArrayDifference(
                "structure",
                f"snapshot holds arrays {expected_labels}, the value asserted has {actual_labels}",
            )
        ]
    differences = []
    for (label, want), (_, got) in zip(expected, actual):
        difference = _compare_one(label, want, got, rtol=rtol, atol=atol)
        if difference:
            differences.append(difference)
    return differences


def _compare_one(label, want, got, *, rtol, atol) -> ArrayDifference | None:
    if want.shape != got.shape:
        return ArrayDifference(label, f"shape is {got.shape}, snapshot has {want.shape}")
    if want.dtype != got.dtype:
        return ArrayDifference(label, f"dtype is {got.dtype}, snapshot has {want.dtype}")
    if want.dtype.kind in "fc":
        close = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    else:
        close = want == got
    if close.all():
        return None
    bad = np.argwhere(~close)
    absolute = np.abs(got.astype(np.float64) - want.astype(np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = absolute / np.abs(want.astype(np.float64))
    # fmax ignores NaN like nanmax, and gives NaN (without nanmax's warning) when only NaN differs.
    problem = (
        f"{len(bad)} of {want.size} elements differ beyond rtol={rtol:g}, atol={atol:g}; "
        f"largest absolute difference {np.fmax.reduce(absolute[~close]):.3g}, "
        f"largest relative difference {np.fmax.reduce(relative[~close]):.3g}"
    )
    rows = [
        (tuple(int(i) for i in index), want[tuple(index)], got[tuple(index)],
         float(absolute[tuple(index)]))
        for index in bad[:MAX_REPORTED_ELEMENTS]
    ]
    return ArrayDifference(label, problem, rows)

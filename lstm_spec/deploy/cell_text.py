"""A deploy cell's facts (``lstm_spec.deploy.observed``) as the page and the upgrade report show them, in a
table's cell: tensors with their dynamic dimensions, the outcome with its difference or error, the resizes."""

from __future__ import annotations

import re

# A runtime's float32 kernels against Keras' on the seeded input: measured up to 1.8e-7 (LiteRT, onnxruntime).
TOLERANCE = 1e-6
SHOWN_ERROR_CHARS = 200
SHOWN_RESIZE_CHARS = 120
_ONNXRUNTIME_CODE = re.compile(r"\[ONNXRuntimeError\] : \d+ : \w+ : ")  # the status its exception's type names


def shown_error(error: str, limit: int = SHOWN_ERROR_CHARS) -> str:
    """An error as a table shows it: on one line, onnxruntime's status code left out, a long one cut, saying so."""
    text = " ".join(_ONNXRUNTIME_CODE.sub("", error).split())
    return text if len(text) <= limit else text[:limit] + " ..."


class ErrorNotes:
    """A page's long error messages, each written once: a cell keeps the step and the exception's type and names
    the note, ``fails at convert: ConverterError [E1]``; ``lines(start)`` lists the notes from ``start`` on."""

    SHORT = 60  # a message this long or shorter stays in its cell

    def __init__(self):
        self.notes: dict[str, str] = {}  # message -> its label, in the order first referred to

    def refer(self, error: str, limit: int = SHOWN_ERROR_CHARS) -> str:
        """``error`` (``step: Type: message``) in a cell: whole when short, else its step and type and a label."""
        text = " ".join(_ONNXRUNTIME_CODE.sub("", error).split())
        head, separator, message = text.partition(": ")
        kind, separator2, message = message.partition(": ") if separator else ("", "", "")
        if not separator2 or len(message) <= self.SHORT:
            return shown_error(error, limit)
        label = self.notes.setdefault(message, f"E{len(self.notes) + 1}")
        return f"{head}: {kind} [{label}]"

    def lines(self, start: int = 0) -> list[str]:
        """The notes from the ``start``-th on, one Markdown list item each, cut after SHOWN_ERROR_CHARS."""
        return [f"- **{label}**: {shown_error(message)}" for message, label in list(self.notes.items())[start:]]


def tensors_text(tensors) -> str:
    """``[[name, dims, dtype], ...]`` as ``name (None, 9, 3) float32; ...`` (None: a dynamic dimension)."""
    return "; ".join(f"`{name}` {tuple(dims)} {dtype}" for name, dims, dtype in tensors or ())


# A run's difference from the model's outputs as pages and reports show it: the bound its spec checks.  The value
# itself (in the record) moves at the 1e-7 level from run to run with the runtimes' thread scheduling (one cell
# gave 8.9e-8, 1.2e-7 and 1.5e-7), so a page showing it would go stale with nothing changed.
DIFFERENCE_SHOWN = f"≤ {TOLERANCE:g}"


def error_text(error: str, limit: int, notes: ErrorNotes | None = None) -> str:
    """An error in a cell: a note of ``notes`` where given and the message is long, else cut at ``limit``."""
    return notes.refer(error, limit) if notes else shown_error(error, limit)


def outcome_text(facts: dict, limit: int = SHOWN_ERROR_CHARS, notes: ErrorNotes | None = None) -> str:
    """The difference where the cell runs, the error (``error_text``) where it fails."""
    if facts.get("outcome") == "fails":
        return f"fails at {error_text(facts.get('error', '?'), limit, notes)}"
    if facts.get("outcome") == "runs":
        return "runs" + (f", {DIFFERENCE_SHOWN}" if facts.get("difference") is not None else "")
    return "converts (not run)"


def resize_text(facts: dict, notes: ErrorNotes | None = None) -> str:
    """Each resize's ``runs`` or error (``error_text``, cut at SHOWN_RESIZE_CHARS)."""
    return "; ".join(f"{name}: {error_text(given, SHOWN_RESIZE_CHARS, notes)}"
                     for name, given in sorted(facts.get("resize", {}).items()))

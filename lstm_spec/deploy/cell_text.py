"""A deploy cell's facts (``lstm_spec.deploy.observed``) as the page and the upgrade report show them, in a
table's cell: tensors with their dynamic dimensions, the outcome with its difference or error, the resizes."""

from __future__ import annotations

import re

SHOWN_ERROR_CHARS = 200
SHOWN_RESIZE_CHARS = 120
_ONNXRUNTIME_CODE = re.compile(r"\[ONNXRuntimeError\] : \d+ : \w+ : ")  # the status its exception's type names


def shown_error(error: str, limit: int = SHOWN_ERROR_CHARS) -> str:
    """An error as a table shows it: on one line, onnxruntime's status code left out, a long one cut, saying so."""
    text = " ".join(_ONNXRUNTIME_CODE.sub("", error).split())
    return text if len(text) <= limit else text[:limit] + " ..."


def tensors_text(tensors) -> str:
    """``[[name, dims, dtype], ...]`` as ``name (None, 9, 3) float32; ...`` (None: a dynamic dimension)."""
    return "; ".join(f"`{name}` {tuple(dims)} {dtype}" for name, dims, dtype in tensors or ())


def outcome_text(facts: dict, limit: int = SHOWN_ERROR_CHARS) -> str:
    """The difference where the cell runs, the error (cut at ``limit``) where it fails."""
    if facts.get("outcome") == "fails":
        return f"fails at {shown_error(facts.get('error', '?'), limit)}"
    if facts.get("outcome") == "runs":
        difference = facts.get("difference")
        return "runs" + (f", {difference:.2g}" if difference is not None else "")
    return "converts (not run)"


def resize_text(facts: dict) -> str:
    return "; ".join(f"{name}: {shown_error(given, SHOWN_RESIZE_CHARS)}"
                     for name, given in sorted(facts.get("resize", {}).items()))

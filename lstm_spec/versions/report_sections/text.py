"""The few ways the report's sections write a number, a count or a table cell."""

from __future__ import annotations

import json

CELL_CHARS = 160
KINDS = {"pinned": "pinned weights (the math)", "seeded": "seeded weights (Keras' random stream)"}
# Text snapshots (``model.summary()`` tables) hold no weights: the seeded folder keeps them per Keras era.
TEXT_KINDS = {"pinned": "text, the same on every version", "seeded": "text, stored per Keras era"}


def count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def cell(value) -> str:
    """A table cell: JSON for a value that is not text, an overlong one cut, pipes and newlines escaped."""
    text = value if isinstance(value, str) else json.dumps(value)
    if len(text) > CELL_CHARS:
        text = text[:CELL_CHARS] + " ...}"
    return text.replace("|", "\\|").replace("\n", " ")


def number(value: float) -> str:
    return "—" if value != value else f"{value:.3g}"

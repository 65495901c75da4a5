"""The report's section on layer defaults (``get_config()``) that differ."""

from __future__ import annotations

from lstm_spec.versions.comparison import DefaultChange, compared
from lstm_spec.versions.report_sections.text import cell, count
from lstm_spec.versions.side_results import SideResult


def section(before: SideResult, after: SideResult) -> list[str]:
    """The layer defaults that differ, those that can change numbers or shapes apart from representation only."""
    comparison = compared(before, after)
    out = ["## Layer defaults that differ", "",
           "`get_config()` of each layer `lstm_spec/checks/layer_defaults.py` builds with default arguments, "
           "flattened to one key per setting.", ""]
    if not comparison.defaults:
        return out + ["None.", ""]
    header = [f"| key | {before.name} | {after.name} | what |", "|---|---|---|---|"]
    numbers = [change for change in comparison.defaults if not change.representation]
    representation = [change for change in comparison.defaults if change.representation]
    out += ["### Can change numbers or shapes", "",
            "A value that changed, or an argument holding a value that one side lacks.", ""]
    out += [*header, *map(_default_row, numbers), ""] if numbers else ["None.", ""]
    if representation:
        out += ["### Representation only", "",
                "The same numbers and shapes, written differently: a dtype name now a DTypePolicy of the same "
                "dtype, a key that is None on one side and absent on the other (a new argument that is None "
                "changes nothing unless set), Bidirectional's backward copy of its layer written out.", "",
                f"<details><summary>{count(len(representation), 'key')}</summary>", "", *header,
                *map(_default_row, representation), "", "</details>", ""]
    return out


def _default_row(change: DefaultChange) -> str:
    return f"| `{change.key}` | {cell(change.before)} | {cell(change.after)} | {change.what} |"

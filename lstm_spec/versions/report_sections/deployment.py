"""The report's "Deployment" section: the deploy cells (``lstm_spec.deploy.observed``) that differ between the sides.

Each side's run writes what its deploy specs observed into its collected folder (``observed.RECORD_FILE``,
``--deployment-record``), read as ``SideResult.deployment_record``.  A cell (format, export path, model) is
compared fact by fact: whether it runs (where that changed, nothing else of it is listed), the error, the op, the
tensors and each resize (not the difference from the model's outputs: within the specs' bound it moves from run to
run with the runtimes' threads); the runtimes' versions are said above the table, not compared.  The section is
written only where a cell differs, or a record cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_spec.deploy.cell_text import SHOWN_RESIZE_CHARS, outcome_text, shown_error, tensors_text
from lstm_spec.deploy.observed import RECORD_FILE, Cell, parse_record
from lstm_spec.versions.report_sections.text import cell as table_cell, count
from lstm_spec.versions.side_results import SideResult

NOT_RUN = "not run"
SHOWN = SHOWN_RESIZE_CHARS  # an error's characters in a row (text.cell cuts any cell after 160)


@dataclass(frozen=True)
class Change:
    """One fact of one cell that differs: ``what`` (``op``, ``resize batch+1``, ...) as each side shows it."""

    cell: Cell
    what: str
    before: str
    after: str


def _facts_shown(facts: dict) -> dict[str, str]:
    """A cell's compared facts as the report shows them (its outcome apart)."""
    shown = {"error": shown_error(facts["error"], SHOWN) if "error" in facts else "",
             "op": facts.get("op") or "", "inputs": tensors_text(facts.get("inputs")),
             "outputs": tensors_text(facts.get("outputs"))}
    shown.update({f"resize {name}": shown_error(given, SHOWN) for name, given in facts.get("resize", {}).items()})
    return shown


def outcome_kind(facts: dict) -> str:
    """A cell's outcome: ``runs``, ``fails`` or ``converts (not run)``."""
    return {"runs": "runs", "fails": "fails"}.get(facts.get("outcome"), "converts (not run)")


def changes(before: dict[Cell, dict], after: dict[Cell, dict]) -> list[Change]:
    """Every fact of a cell that differs between the two records, cells in order; a cell only one side has, whole."""
    found = []
    for key in sorted(set(before) | set(after)):
        if key not in before or key not in after:
            found.append(Change(key, "cell", *(outcome_text(side[key], SHOWN) if key in side else NOT_RUN
                                               for side in (before, after))))
        elif outcome_kind(before[key]) != outcome_kind(after[key]):
            found.append(Change(key, "outcome", outcome_text(before[key], SHOWN), outcome_text(after[key], SHOWN)))
        else:
            old, new = _facts_shown(before[key]), _facts_shown(after[key])
            found += [Change(key, what, old.get(what, NOT_RUN), new.get(what, NOT_RUN))
                      for what in dict.fromkeys([*old, *new]) if old.get(what, NOT_RUN) != new.get(what, NOT_RUN)]
    return found


def _runtimes(cells: dict[Cell, dict]) -> str:
    return ", ".join(sorted({facts["runtime"] for facts in cells.values() if facts.get("runtime")})) or "none named"


def section(before: SideResult, after: SideResult) -> list[str]:
    """The deploy cells whose facts differ, one row per fact; nothing where every cell is the same."""
    if before.deployment_record is None and after.deployment_record is None:
        return []  # runs before the deploy specs recorded (or results read from elsewhere)
    heading = ["## Deployment", ""]
    records = []
    for side in (before, after):
        if side.deployment_record is None:
            return heading + [f"Not compared: {side.name} left no {RECORD_FILE}.", ""]
        try:
            records.append(parse_record(side.deployment_record, f"{side.name}'s {RECORD_FILE}"))
        except ValueError as error:
            return heading + [f"Not compared: {error}", ""]
    found = changes(*records)
    if not found:
        return []
    cells = len({change.cell for change in found})
    return heading + [
        f"What the deploy specs observed, per cell (format, export path, model; "
        f"[docs/deployment.md](../deployment.md) shows every cell of the deploy environment): "
        f"{count(cells, 'cell')} of {len(set(records[0]) | set(records[1]))} differ. "
        f"Runtimes: {before.name}: {_runtimes(records[0])}; {after.name}: {_runtimes(records[1])}.", "",
        f"| format | path | model | what | {before.name} | {after.name} |", "|---|---|---|---|---|---|",
        *(f"| {change.cell.format} | {change.cell.path} | {change.cell.case} | {change.what} "
          f"| {table_cell(change.before)} | {table_cell(change.after)} |" for change in found), ""]

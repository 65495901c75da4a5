"""The report's section on snapshot values: moved beyond tolerance, within it, text that differs."""

from __future__ import annotations

import numpy as np

from lstm_spec.checks import arrays_text
from lstm_spec.versions.comparison import compared
from lstm_spec.versions.report_sections.text import KINDS, TEXT_KINDS, cell, number
from lstm_spec.versions.side_results import SideResult


def section(before: SideResult, after: SideResult) -> list[str]:
    """The snapshot entries compared: counts, the largest differences, what moved, text diffs, one-sided entries."""
    comparison = compared(before, after)
    moved = [change for change in comparison.values if change.moved]
    within = [change for change in comparison.values if not change.moved]
    out = ["## Snapshot values", "",
           f"Every snapshot entry both runs wrote, compared value by value (tolerance rtol "
           f"{arrays_text.DEFAULT_RTOL:g}, atol {arrays_text.DEFAULT_ATOL:g}, the suite's own). A pinned-weight "
           "entry that moved means the math changed; a seeded one, that Keras' random stream changed.", "",
           f"{comparison.identical_values} identical, {len(within)} within tolerance, {len(moved)} moved.", ""]
    for kind in KINDS:
        of_kind = [change for change in within if change.kind == kind]
        if of_kind:
            worst = max(of_kind, key=lambda change: change.largest_absolute)
            out.append(f"- {KINDS[kind]}: {len(of_kind)} within tolerance, the largest absolute difference "
                       f"{number(worst.largest_absolute)} (`{worst.module}`: `{worst.entry}`).")
    out.append("")
    if moved:
        out += ["### Moved beyond tolerance", "", "| snapshot | kind | largest abs diff | largest rel diff |",
                "|---|---|---|---|"]
        out += [f"| `{c.module}`: `{c.entry}` | {KINDS[c.kind]} | {number(c.largest_absolute)} | "
                f"{number(c.largest_relative)}{' — ' + cell(c.problem) if c.problem else ''} |"
                for c in sorted(moved, key=lambda c: (c.kind, -np.nan_to_num(c.largest_absolute, nan=np.inf)))]
        out.append("")
    if comparison.texts:
        out += ["### Text snapshots that differ", ""]
        for kind, module, entry, diff in comparison.texts:
            out += [f"<details><summary><code>{module}</code>: <code>{entry}</code> ({TEXT_KINDS[kind]})</summary>", "",
                    "```diff", diff, "```", "</details>", ""]
    if comparison.only_one_side:
        out += ["### Entries written on one side only", "",
                "(their spec did not reach the snapshot on the other side; see the outcomes above)", ""]
        out += [f"- `{module}`: `{entry}` ({kind}): only {where}"
                for kind, module, entry, where in comparison.only_one_side]
        out.append("")
    return out

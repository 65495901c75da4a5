"""The report's summary: a few lines that say what changed, printed and at the top of the page."""

from __future__ import annotations

import collections

from lstm_spec.versions.comparison import KEY_PACKAGES, Comparison, DefaultChange
from lstm_spec.versions.report_sections.text import count
from lstm_spec.versions.side_results import SideResult


def summary_lines(comparison: Comparison) -> list[str]:
    before, after = comparison.before, comparison.after
    lines = [f"Upgrade report: {before.label} -> {after.label}"]
    for side in (before, after):
        if side.install_error:
            lines.append(f"- {side.name} cannot be installed: {side.install_error.splitlines()[0]}")
        elif side.run_error:
            lines.append(f"- {side.name}: {side.run_error.splitlines()[0]}")
    if not (before.usable and after.usable):
        return lines
    changed = sum(len(tests) for tests in comparison.outcomes.values())
    moved = [change for change in comparison.values if change.moved]
    lines += [
        "- outcomes: " + "; ".join(f"{side.name} {_outcome_counts(side)}" for side in (before, after)),
        f"- {count(changed, 'spec outcome differs', 'spec outcomes differ')}, in "
        f"{count(len(comparison.outcomes), 'behaviour')}"
        + (f": {', '.join(sorted(comparison.outcomes))}" if comparison.outcomes else ""),
        f"- snapshot values moved beyond tolerance: {sum(c.kind == 'pinned' for c in moved)} pinned (math), "
        f"{sum(c.kind == 'seeded' for c in moved)} seeded (random stream); "
        f"{len(comparison.values) - len(moved)} within tolerance, {comparison.identical_values} identical, "
        f"{len(comparison.texts)} text snapshots differ, {len(comparison.only_one_side)} entries on one side only",
        _defaults_summary(comparison.defaults),
        _packages_summary(comparison),
    ]
    return lines


def _outcome_counts(side: SideResult) -> str:
    """``850 passed, 4 skipped, 0 failed`` (an error in set-up or tear-down counts as failed)."""
    outcomes = [outcome.outcome for outcome in side.outcomes.values()]
    return ", ".join(f"{outcomes.count(outcome)} {outcome}" for outcome in ("passed", "skipped", "failed"))


def _defaults_summary(changes: list[DefaultChange]) -> str:
    if not changes:
        return "- no layer default differs"
    numbers = [change for change in changes if not change.representation]
    new_nones = sorted({change.key.rsplit(".", 1)[-1] for change in changes
                        if change.representation and change.what.startswith("new argument")})
    arguments = collections.Counter(change.key.rsplit(".", 1)[-1] for change in numbers)
    counted = ", ".join(f"{argument} in {count}" for argument, count in sorted(arguments.items()))
    return (f"- {count(len(changes), 'layer default differs', 'layer defaults differ')}: "
            f"{len(numbers)} can change numbers or shapes{f' ({counted})' if counted else ''}, "
            f"{len(changes) - len(numbers)} representation only"
            + (f" (among them new arguments that are None by default: {', '.join(new_nones)})" if new_nones else ""))


def _packages_summary(comparison: Comparison) -> str:
    differ = [(package, old, new) for package, old, new in comparison.packages if old != new]
    named = [f"{package} {old} -> {new}" for package, old, new in differ if package in KEY_PACKAGES]
    others = len(differ) - len(named)
    listed = ", ".join(named + ([f"{others} more"] if others and named else []))
    line = f"- {count(len(differ), 'package differs', 'packages differ')}" if differ else "- no package differs"
    line += f" ({listed})" if named else ""
    if comparison.tools:
        tools = ", ".join(package for package, _, _ in comparison.tools)
        line += f"; apart from them, {count(len(comparison.tools), 'package')} of the suite's own tools ({tools})"
    return line

"""The report's section on spec outcomes that differ, grouped by behaviour."""

from __future__ import annotations

from lstm_spec.versions.comparison import compared
from lstm_spec.versions.report_sections.text import CELL_CHARS
from lstm_spec.versions.side_results import Outcome, SideResult


def section(before: SideResult, after: SideResult) -> list[str]:
    """The specs whose outcome differs, by behaviour, each with its outcome and message on both sides."""
    comparison = compared(before, after)
    out = ["## Specs whose outcome differs", ""]
    if not comparison.outcomes:
        return out + ["None: every spec has the same outcome on both versions.", ""]
    out += [f"Grouped by behaviour. Each line: the spec, then its outcome on {before.name} and on {after.name} "
            "(a skip gives its reason, a failure its message). Snapshot values are compared separately "
            "below (both runs wrote theirs with `--snapshot-update`).", ""]
    for module, tests in sorted(comparison.outcomes.items()):
        behaviour = before.behaviours.get(module) or after.behaviours.get(module) or module
        out += [f"### {behaviour}", "", f"`specs/{module}.py`", ""]
        for test, old, new in tests:
            out.append(f"- `{test}`")
            for side, outcome in ((before, old), (after, new)):
                out += outcome_lines(side.name, outcome)
        out.append("")
    return out


def outcome_lines(name: str, outcome: Outcome | None) -> list[str]:
    """One list item: a short one-line message inline, any other whole in a text block beneath."""
    if outcome is None:
        return [f"  - **{name}**: not collected"]
    message = outcome.message
    if not message or ("\n" not in message and len(message) <= CELL_CHARS and "`" not in message):
        return [f"  - **{name}**: {outcome.describe()}"]
    block = message.replace("```", "` ` `").splitlines()
    return [f"  - **{name}**: {outcome.outcome}", "", "    ```text", *(f"    {line}" for line in block), "    ```", ""]

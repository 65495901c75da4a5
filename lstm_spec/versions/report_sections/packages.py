"""The report's section on package versions, the suite's own tools apart."""

from __future__ import annotations

from lstm_spec.versions.comparison import compared
from lstm_spec.versions.side_results import SideResult


def section(before: SideResult, after: SideResult) -> list[str]:
    """The key packages and every one that differs; the suite's own tools in a table of their own."""
    comparison = compared(before, after)
    header = [f"| package | {before.name} | {after.name} |", "|---|---|---|"]
    out = ["## Package versions", "", f"Python {before.python} and {after.python}. Keras' backend: {before.engine} "
           f"on {before.name}, {after.engine} on {after.name}. Key packages, and every package of the upgrade whose "
           "version differs:", "", *header]
    out += [f"| {package} | {old} | {new} |" for package, old, new in comparison.packages]
    out += ["", "### The suite's own tools", "",
            "pytest, its plugins, matplotlib, nox, scipy and pip, and what only they need (read from each side's "
            "installed requirements, `lstm_spec/versions/dependencies.py`): installed for running the suite, "
            "not part of the upgrade."]
    if not comparison.tools:
        return out + ["", "None of them differs.", ""]
    out += ["", *header, *(f"| {package} | {old} | {new} |" for package, old, new in comparison.tools)]
    return out + [""]

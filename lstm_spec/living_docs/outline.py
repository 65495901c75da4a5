"""``--outline``: the spec run printed as documentation (a pytest plugin, registered in conftest.py).

After the run it prints one heading per behaviour (the spec module's docstring title, in file
order) and under it one line per spec: its outcome and its docstring sentence, then the cases it
ran, grouped by parametrization axis (``LSTM(units=5), LSTM(units=1) × batch=2-seq=9-features=3,
...``) instead of one line per case.  A failing case says what the documented behaviour is, what
was observed (the assertion message) and the repro snippet the assertion helpers attach.

Each spec's facts travel in the report's ``user_properties``, which pytest-xdist forwards from its
workers, so the outline is the same with ``-n 2``.
"""

from __future__ import annotations

import inspect
import os
import re
import textwrap
from dataclasses import dataclass, field

import pytest

from lstm_spec.living_docs.behaviours import behaviour_handles, behaviour_title

FACTS = "lstm_spec.living_docs.outline"
# "listed": collected, not run (--collect-only --outline lists the behaviours and their specs).
RANK = {"listed": -1, "passed": 0, "xpassed": 1, "skipped": 2, "xfailed": 3, "failed": 4, "error": 5}
MARKUP = {"listed": {}, "passed": {"green": True}, "xpassed": {"yellow": True}, "skipped": {"yellow": True},
          "xfailed": {"yellow": True},
          "failed": {"red": True, "bold": True}, "error": {"red": True, "bold": True}}
INDENT = "  "
DELIMITERS = set("(),-=")
WORD_WIDTH = max(map(len, RANK))


def pytest_addoption(parser):
    parser.getgroup("lstm_spec").addoption(
        "--outline", action="store_true",
        help="print the specs as a documentation outline (behaviour, spec sentence, cases, outcome) after the run",
    )


def docstring_summary(obj, *, first_line: bool = False) -> str:
    """The docstring's first paragraph as one line (or only its first line), '' when there is none."""
    text = inspect.cleandoc(getattr(obj, "__doc__", None) or "")
    paragraph = text.split("\n\n")[0]
    return paragraph.split("\n")[0].strip() if first_line else " ".join(paragraph.split())


def spec_facts(item) -> dict:
    """What the outline needs to know about one test item, as plain data (xdist sends it across)."""
    callspec = getattr(item, "callspec", None)
    module = getattr(item, "module", None)
    return {
        "module": item.location[0],
        "behaviour": behaviour_title(item.path, docstring_summary(module, first_line=True) or item.location[0]),
        "spec": getattr(item, "originalname", item.name),
        "line": item.location[1] or 0,
        "sentence": docstring_summary(getattr(item, "function", None)) or item.name,
        # One id per parametrization axis, in the order pytest joins them into the test id.
        "case": list(getattr(callspec, "_idlist", None) or ([callspec.id] if callspec else [])),
        "order": list(callspec.indices.values()) if callspec else [],
    }


@dataclass
class Case:
    facts: dict
    outcome: str = "passed"
    detail: str = ""  # the failure message (repro note included), or the skip/xfail reason

    def update(self, outcome: str, detail: str) -> None:
        # The worst outcome wins; of two alike (a set-up error, then a teardown error) the first, the cause.
        if RANK[outcome] > RANK[self.outcome]:
            self.outcome, self.detail = outcome, detail


def report_outcome(report) -> tuple[str, str] | None:
    """(outcome, detail) a report contributes to its case, None when it changes nothing."""
    if report.when == "call" and hasattr(report, "wasxfail"):
        # A strict xfail that passes is a failed report without wasxfail ("[XPASS(strict)] ..."), below;
        # one that passes here was marked strict=False, and pytest counts it as xpassed, not failed.
        return ("xfailed", report.wasxfail) if report.skipped else ("xpassed", report.wasxfail)
    if report.failed:
        return ("failed" if report.when == "call" else "error"), failure_message(report)
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return "skipped", reason.removeprefix("Skipped: ")
    return None


def failure_message(report) -> str:
    """The exception as its message and notes (the repro snippet), without the traceback."""
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return crash.message
    return str(report.longrepr).strip().splitlines()[-1] if report.longrepr else "failed"


@dataclass
class Outline:
    """The cases of a run, by node id, filled from the reports as they arrive."""

    cases: dict[str, Case] = field(default_factory=dict)

    def add(self, report) -> None:
        facts = dict(report.user_properties).get(FACTS)
        if facts is None:
            return
        case = self.cases.setdefault(report.nodeid, Case(facts))
        outcome = report_outcome(report)
        if outcome:
            case.update(*outcome)


def group_cases(cases: list[Case]) -> str:
    """The cases' ids as a product of their axes (``a, b × c``) when they form one, else a list."""
    ordered = sorted(cases, key=lambda case: case.facts["order"])
    if not ordered or not ordered[0].facts["case"]:
        return ""
    axes: list[list[str]] = []
    for case in ordered:
        for position, value in enumerate(case.facts["case"]):
            if position == len(axes):
                axes.append([])
            if value not in axes[position]:
                axes[position].append(value)
    product = 1
    for values in axes:
        product *= len(values)
    if product == len(ordered) and all(len(case.facts["case"]) == len(axes) for case in ordered):
        return " × ".join(compact_axis(values) for values in axes)
    return ", ".join("-".join(case.facts["case"]) for case in ordered)


def compact_axis(values: list[str]) -> str:
    """``LSTM(units=5|1|64,return_state=True)`` for values that differ in one plain value, else a list."""
    if len(values) < 2:
        return ", ".join(values)
    prefix = os.path.commonprefix(values)
    suffix = os.path.commonprefix([value[len(prefix):][::-1] for value in values])[::-1]
    middles = [value[len(prefix):len(value) - len(suffix)] for value in values]
    whole_values = prefix.endswith("=") and (not suffix or suffix[0] in DELIMITERS)
    if whole_values and all(middle and not DELIMITERS.intersection(middle) for middle in middles):
        return prefix + "|".join(middles) + suffix
    return ", ".join(values)


def spec_lines(cases: list[Case], width: int) -> list[tuple[str, str]]:
    """(outcome, text) lines of one spec: its sentence, its cases, then each case that did not pass."""
    outcome = max((case.outcome for case in cases), key=RANK.__getitem__)
    facts = cases[0].facts
    pad = INDENT + " " * (WORD_WIDTH + 1)
    lines = [(outcome, fill(facts["sentence"], width, initial_indent=pad, subsequent_indent=pad))]
    grouped = group_cases(cases)
    counts = {}
    for case in cases:
        counts[case.outcome] = counts.get(case.outcome, 0) + 1
    tally = ", ".join(f"{count} {name}" for name, count in sorted(counts.items(), key=lambda item: RANK[item[0]]))
    if grouped:
        plural = "case" if len(cases) == 1 else "cases"
        text = f"{len(cases)} {plural} ({tally}): {grouped}" if len(counts) > 1 else f"{len(cases)} {plural}: {grouped}"
        lines.append(("", fill(text, width, initial_indent=pad + "  ", subsequent_indent=pad + "    ")))
    for case in sorted(cases, key=lambda case: case.facts["order"]):
        if case.outcome not in ("passed", "listed"):
            lines += [("", line) for line in case_detail_lines(case, pad + "  ")]
    return lines


def fill(text: str, width: int, **indents) -> str:
    """Wraps at spaces only: ids and configurations stay whole."""
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False, **indents)


def case_detail_lines(case: Case, pad: str) -> list[str]:
    on = f" on {'-'.join(case.facts['case'])}" if case.facts["case"] else ""
    if case.outcome in ("skipped", "xfailed"):
        return [f"{pad}{case.outcome}{on}: {case.detail}"]
    if case.outcome == "xpassed":
        return [f"{pad}xpassed{on}: passed, though marked xfail (not strict): {case.detail}"]
    observed = textwrap.indent(case.detail, pad + " " * 14).lstrip()
    return [f"{pad}{case.outcome.upper()}{on}",
            f"{pad}  documented: {case.facts['sentence']}",
            f"{pad}  observed:   {observed}"]


def render_outline(cases: list[Case], width: int = 100) -> list[tuple[str, str]]:
    """(outcome, text) lines: behaviours in file order, specs in source order, cases grouped.

    ``outcome`` names the word to colour at the start of a spec line ('' for other lines)."""
    by_module: dict[str, dict[str, list[Case]]] = {}
    for case in cases:
        by_module.setdefault(case.facts["module"], {}).setdefault(case.facts["spec"], []).append(case)
    lines: list[tuple[str, str]] = []
    for module in sorted(by_module):
        specs = sorted(by_module[module].values(), key=lambda group: group[0].facts["line"])
        lines += [("", ""), ("", specs[0][0].facts["behaviour"]), ("", f"{INDENT}({module_handles(module)})")]
        for group in specs:
            lines += spec_lines(group, width)
    return lines


def module_handles(module: str) -> str:
    """``specs/test_04_return_state.py, -m return_state``: the file, and the marker that selects it."""
    handles = behaviour_handles(module)
    return f"{module}, -m {handles[1]}" if handles and module.startswith("specs/") else module


def pytest_configure(config):
    # Only the process that prints collects: with xdist, the controller, fed by the workers' reports.
    if config.getoption("outline") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(OutlinePrinter(config), "lstm_spec-outline-printer")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    if call.when == "setup" and item.config.getoption("outline"):
        item.user_properties.append((FACTS, spec_facts(item)))
    return (yield)


class OutlinePrinter:
    def __init__(self, config):
        self.config = config
        self.outline = Outline()

    def pytest_runtest_logreport(self, report):
        self.outline.add(report)

    def pytest_collection_finish(self, session):
        if self.config.option.collectonly:  # nothing will run: list what would
            for item in session.items:
                self.outline.cases[item.nodeid] = Case(spec_facts(item), outcome="listed")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session):
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.showfspath = False  # progress dots only: the outline names the files

    def pytest_terminal_summary(self, terminalreporter):
        if not self.outline.cases:
            return
        listed = self.config.option.collectonly
        terminalreporter.write_sep("=", "specification outline" + (": collected, not run" if listed else ""))
        width = max(60, self.config.get_terminal_writer().fullwidth - 2)
        for outcome, text in render_outline(list(self.outline.cases.values()), width):
            if outcome:
                terminalreporter.write(f"{INDENT}{outcome:<{WORD_WIDTH}}", **MARKUP[outcome])
                terminalreporter.line(text[len(INDENT) + WORD_WIDTH:])
            else:
                terminalreporter.line(text, bold=bool(text) and not text.startswith(" "))

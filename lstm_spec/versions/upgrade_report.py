"""The upgrade report: runs the specs on two versions and says, in plain words, what changed.

    python3 suite.py report 2.15.1 2.21.0            TF 2.15 / Keras 2 -> the locked default
    python3 suite.py report locked keras-nightly     the locked default -> keras-nightly
    python3 suite.py report 2.21.0 3.14.0 --out FILE --keep DIR

Each side runs in its own environment of the version matrix (``noxfile.py``, by way of
``lstm_spec.versions.matrix``), in a scratch copy of this checkout whose snapshot folders are emptied first,
so that ``--snapshot-update`` writes every value that side computes.  The report compares:

- spec outcomes (pytest's JUnit XML), grouped by behaviour (spec module), with each message;
- snapshot values entry by entry (``arrays_text``): the largest absolute and relative difference,
  pinned-weight (the math) or seeded (Keras' random stream), moved when beyond the suite's tolerance;
- ``get_config()`` of the documented layers built with default arguments (``layer_defaults``);
- the exact package versions of both sides.

A side that cannot be installed is reported as such: the report says so, nothing crashes.
The Markdown goes to ``docs/upgrade-reports/<a>-to-<b>.md`` unless ``--out`` says otherwise;
its summary is printed.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lstm_spec.checks import arrays_text
from lstm_spec.checks.layer_defaults import ABSENT, group_differences
from lstm_spec.versions.matrix import ROOT, Target, nox_command, resolve
from lstm_spec.versions.pins import VersionSpecError

REPORTS = ROOT / "docs" / "upgrade-reports"
# What a side's scratch copy leaves out: environments, caches, history.
NOT_COPIED = shutil.ignore_patterns(".venv", ".nox", ".git", ".benchmarks", ".pytest_cache", "__pycache__")
PYTEST_ARGUMENTS = ["specs", "--snapshot-update", "-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"]
KEY_PACKAGES = ("tensorflow", "keras", "keras-nightly", "tf-keras", "numpy", "ml-dtypes", "h5py", "protobuf")
MESSAGE_CHARS = 600
CELL_CHARS = 160
DIFF_LINES = 40
KINDS = {"pinned": "pinned weights (the math)", "seeded": "seeded weights (Keras' random stream)"}


@dataclass(frozen=True)
class Outcome:
    module: str
    test: str
    outcome: str  # passed, failed, error, skipped
    message: str = ""

    def describe(self) -> str:
        return self.outcome if not self.message else f"{self.outcome}: {self.message}"


@dataclass
class Side:
    """What one version's run left behind."""

    name: str
    session: str
    install_error: str | None = None
    run_error: str | None = None
    python: str = "?"
    packages: dict[str, str] = field(default_factory=dict)
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    snapshots: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (kind, module, entry) -> text
    defaults: dict[str, object] = field(default_factory=dict)
    behaviours: dict[str, str] = field(default_factory=dict)  # spec module -> its docstring's first line

    @property
    def label(self) -> str:
        """``2.15.1 (TensorFlow 2.15.1, Keras 2.15.0)``."""
        versions = [f"{title} {self.packages[package]}" for package, title in
                    (("tensorflow", "TensorFlow"), ("keras", "Keras"), ("keras-nightly", "keras-nightly"))
                    if package in self.packages]
        return f"{self.name} ({', '.join(versions)})" if versions else self.name

    @property
    def usable(self) -> bool:
        return not (self.install_error or self.run_error)


# ---- one side ---------------------------------------------------------------------------------

def run_side(name: str, workdir: Path, *, log=sys.stderr) -> Side:
    """Runs the specs on version ``name`` in a scratch copy under ``workdir`` and reads the results."""
    target: Target = resolve(name)
    tree, collected = workdir / "tree", workdir / "collected"
    shutil.copytree(ROOT, tree, ignore=NOT_COPIED)
    shutil.rmtree(tree / "specs" / "__snapshots__", ignore_errors=True)
    print(f"report: running the specs on {name} (nox session {target.session}); log: {workdir / 'nox.log'}",
          file=log, flush=True)
    with open(workdir / "nox.log", "w") as out:
        subprocess.run(nox_command(target, PYTEST_ARGUMENTS, noxfile=tree / "noxfile.py"), cwd=tree,
                       env={**os.environ, "LSTM_SPEC_COLLECT": str(collected)}, stdout=out, stderr=subprocess.STDOUT)
    return read_side(name, target.session, tree, collected, workdir / "nox.log")


def read_side(name: str, session: str, tree: Path, collected: Path, log: Path) -> Side:
    side = Side(name, session)
    if (collected / "install-error.txt").exists():
        side.install_error = (collected / "install-error.txt").read_text().strip()
        side.install_error += "\n" + _pip_reason(log)
        return side
    if not (collected / "junit.xml").exists():
        tail = log.read_text(errors="replace").splitlines()[-15:] if log.exists() else ["(no log)"]
        side.run_error = "the run ended before pytest wrote its results; the log ends:\n" + "\n".join(tail)
        return side
    side.python = (collected / "python.txt").read_text().strip()
    side.packages = read_packages((collected / "packages.txt").read_text())
    side.outcomes = read_outcomes(collected / "junit.xml")
    era = side.packages.get("keras", side.packages.get("keras-nightly", "0")).split(".")[0]
    side.snapshots = read_snapshots(tree / "specs" / "__snapshots__", {"pinned": "pinned", f"seeded-keras{era}": "seeded"})
    side.defaults = json.loads((collected / "layer_defaults.json").read_text())
    side.behaviours = read_behaviours(tree / "specs")
    return side


def _pip_reason(log: Path) -> str:
    """pip's own lines about why nothing matched, from the session log."""
    if not log.exists():
        return ""
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines()
             if line.startswith("ERROR:") or "from versions:" in line]
    return "\n".join(lines[-3:])


def read_packages(freeze: str) -> dict[str, str]:
    """``pip freeze`` output as ``{normalized name: version}``."""
    packages = {}
    for line in freeze.splitlines():
        if "==" in line:
            name, version = line.split("==", 1)
            packages[re.sub(r"[-_.]+", "-", name).lower()] = version.strip()
    return packages


def read_outcomes(junit: Path) -> dict[str, Outcome]:
    """Every test case of a JUnit XML file: ``{"module::test": Outcome}``."""
    outcomes = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        module = case.get("classname", "").rsplit(".", 1)[-1]
        test = case.get("name", "")
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed"}.get(child.tag, child.tag)
                message = _one_message(child.get("message") or child.text or "")
                break
        outcomes[f"{module}::{test}"] = Outcome(module, test, outcome, message)
    return outcomes


def _one_message(text: str) -> str:
    text = re.sub(r"^Skipped: ", "", text.strip())
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + " ..."


def read_snapshots(folder: Path, kinds: dict[str, str]) -> dict[tuple[str, str, str], str]:
    """The entries of the amber files in ``folder/<kind>/``: ``{(kind, module, entry name): text}``."""
    from syrupy.extensions.amber.serializer import AmberDataSerializer

    entries = {}
    for kind_folder, kind in kinds.items():
        for path in sorted((folder / kind_folder).glob("*.ambr")):
            for snapshot in AmberDataSerializer.read_file(str(path)):
                entries[(kind, path.stem, snapshot.name)] = snapshot.data
    return entries


def read_behaviours(specs: Path) -> dict[str, str]:
    """Each spec module's behaviour: the first line of its docstring."""
    behaviours = {}
    for path in sorted(specs.glob("test_*.py")):
        docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
        behaviours[path.stem] = docstring.strip().splitlines()[0] if docstring.strip() else path.stem
    return behaviours


# ---- comparing two sides ----------------------------------------------------------------------

@dataclass(frozen=True)
class ValueChange:
    """One snapshot entry compared across the two sides."""

    kind: str
    module: str
    entry: str
    largest_absolute: float
    largest_relative: float
    moved: bool  # beyond the suite's tolerance (or another shape, dtype or structure)
    problem: str = ""  # a structural difference, in words


def compare_values(before: str, after: str) -> tuple[float, float, bool, str]:
    """(largest absolute difference, largest relative difference, moved, structural problem) of two array texts."""
    expected, actual = arrays_text.parse_arrays(before), arrays_text.parse_arrays(after)
    differences = arrays_text.compare_arrays(expected, actual)
    structural = [d for d in differences if "elements differ" not in d.problem]
    if structural:
        return float("nan"), float("nan"), True, "; ".join(f"{d.label}: {d.problem}" for d in structural)
    largest_absolute = largest_relative = 0.0
    for (_, want), (_, got) in zip(expected, actual):
        if want.dtype.kind not in "fc" or want.size == 0:
            continue
        absolute = np.abs(got.astype(np.float64) - want.astype(np.float64))
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(absolute == 0, 0.0, absolute / np.abs(want.astype(np.float64)))
        largest_absolute = max(largest_absolute, float(np.nanmax(absolute)))
        largest_relative = max(largest_relative, float(np.nanmax(relative)))
    return largest_absolute, largest_relative, bool(differences), ""


@dataclass
class Comparison:
    before: Side
    after: Side
    outcomes: dict[str, list[tuple[str, Outcome | None, Outcome | None]]] = field(default_factory=dict)
    values: list[ValueChange] = field(default_factory=list)
    texts: list[tuple[str, str, str, str]] = field(default_factory=list)  # kind, module, entry, unified diff
    only_one_side: list[tuple[str, str, str, str]] = field(default_factory=list)  # kind, module, entry, side name
    identical_values: int = 0
    defaults: list[tuple[str, object, object]] = field(default_factory=list)
    packages: list[tuple[str, str, str]] = field(default_factory=list)



def compare(before: Side, after: Side) -> Comparison:
    comparison = Comparison(before, after)
    if not (before.usable and after.usable):
        return comparison
    for key in sorted(set(before.outcomes) | set(after.outcomes)):
        old, new = before.outcomes.get(key), after.outcomes.get(key)
        if (old and old.outcome) != (new and new.outcome):
            module = (old or new).module
            comparison.outcomes.setdefault(module, []).append(((old or new).test, old, new))
    for key in sorted(set(before.snapshots) | set(after.snapshots)):
        kind, module, entry = key
        if key not in before.snapshots or key not in after.snapshots:
            where = after.name if key in after.snapshots else before.name
            comparison.only_one_side.append((kind, module, entry, where))
            continue
        old, new = before.snapshots[key], after.snapshots[key]
        if old == new:
            comparison.identical_values += 1
        elif arrays_text.looks_like_arrays(old) and arrays_text.looks_like_arrays(new):
            comparison.values.append(ValueChange(kind, module, entry, *compare_values(old, new)))
        else:
            diff = difflib.unified_diff(old.splitlines(), new.splitlines(), before.name, after.name, lineterm="")
            comparison.texts.append((kind, module, entry, "\n".join(list(diff)[:DIFF_LINES])))
    comparison.defaults = group_differences(before.defaults, after.defaults)
    for package in sorted(set(before.packages) | set(after.packages)):
        old, new = before.packages.get(package, ABSENT), after.packages.get(package, ABSENT)
        if old != new or package in KEY_PACKAGES:
            comparison.packages.append((package, old, new))
    return comparison


# ---- writing it down --------------------------------------------------------------------------

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
        f"- {changed} spec outcomes differ, in {len(comparison.outcomes)} behaviours"
        + (f": {', '.join(sorted(comparison.outcomes))}" if comparison.outcomes else ""),
        f"- snapshot values moved beyond tolerance: {sum(c.kind == 'pinned' for c in moved)} pinned (math), "
        f"{sum(c.kind == 'seeded' for c in moved)} seeded (random stream); "
        f"{len(comparison.values) - len(moved)} within tolerance, {comparison.identical_values} identical, "
        f"{len(comparison.texts)} text snapshots differ, {len(comparison.only_one_side)} entries on one side only",
        f"- {len(comparison.defaults)} layer defaults differ"
        + (f" ({', '.join(sorted({key.split('.')[0] for key, _, _ in comparison.defaults}))})"
           if comparison.defaults else ""),
        f"- {sum(old != new for _, old, new in comparison.packages)} packages differ "
        f"(tensorflow {before.packages.get('tensorflow', ABSENT)} -> {after.packages.get('tensorflow', ABSENT)})",
    ]
    return lines


def _cell(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    if len(text) > CELL_CHARS:
        text = text[:CELL_CHARS] + " ...}"
    return text.replace("|", "\\|").replace("\n", " ")


def _number(value: float) -> str:
    return "—" if value != value else f"{value:.3g}"


def render_markdown(comparison: Comparison, command: str) -> str:
    before, after = comparison.before, comparison.after
    out = [f"# Upgrade report: {before.name} → {after.name}", "",
           f"Generated by `{command}`: the specs run on both versions, each in its own nox environment.", "",
           f"- before: {before.label}", f"- after: {after.label}", "",
           "## Summary", "", *summary_lines(comparison)[1:], ""]
    for side in (before, after):
        if side.install_error:
            out += [f"## {side.name} cannot be installed", "", "```", side.install_error, "```", "",
                    "Name a version the package index serves (`pip index versions tensorflow`, "
                    "`pip index versions keras`), then run the report again.", ""]
        elif side.run_error:
            out += [f"## {side.name} did not run", "", "```", side.run_error, "```", ""]
    if not (before.usable and after.usable):
        return "\n".join(out)
    out += _outcome_section(comparison) + _value_section(comparison) + _defaults_section(comparison)
    out += ["## Package versions", "", f"Python {before.python} and {after.python}. Key packages, and every "
            "package whose version differs:", "", f"| package | {before.name} | {after.name} |", "|---|---|---|"]
    out += [f"| {package} | {old} | {new} |" for package, old, new in comparison.packages]
    return "\n".join(out) + "\n"


def _outcome_section(comparison: Comparison) -> list[str]:
    before, after = comparison.before, comparison.after
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
                out.append(f"  - **{side.name}**: {_cell(outcome.describe()) if outcome else 'not collected'}")
        out.append("")
    return out


def _value_section(comparison: Comparison) -> list[str]:
    before, after = comparison.before, comparison.after
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
                       f"{_number(worst.largest_absolute)} (`{worst.module}`: `{worst.entry}`).")
    out.append("")
    if moved:
        out += ["### Moved beyond tolerance", "", "| snapshot | kind | largest abs diff | largest rel diff |",
                "|---|---|---|---|"]
        out += [f"| `{c.module}`: `{c.entry}` | {KINDS[c.kind]} | {_number(c.largest_absolute)} | "
                f"{_number(c.largest_relative)}{' — ' + _cell(c.problem) if c.problem else ''} |"
                for c in sorted(moved, key=lambda c: (c.kind, -np.nan_to_num(c.largest_absolute, nan=np.inf)))]
        out.append("")
    if comparison.texts:
        out += ["### Text snapshots that differ", ""]
        for kind, module, entry, diff in comparison.texts:
            out += [f"<details><summary><code>{module}</code>: <code>{entry}</code> ({KINDS[kind]})</summary>", "",
                    "```diff", diff, "```", "</details>", ""]
    if comparison.only_one_side:
        out += ["### Entries written on one side only", "",
                "(their spec did not reach the snapshot on the other side; see the outcomes above)", ""]
        out += [f"- `{module}`: `{entry}` ({kind}): only {where}" for kind, module, entry, where in comparison.only_one_side]
        out.append("")
    return out


def _defaults_section(comparison: Comparison) -> list[str]:
    before, after = comparison.before, comparison.after
    out = ["## Layer defaults that differ", "",
           "`get_config()` of LSTM, GRU, SimpleRNN, Bidirectional(LSTM), Conv1D, MaxPooling1D and "
           "TimeDistributed(Dense) built with default arguments, flattened (`lstm_spec/checks/layer_defaults.py`).", ""]
    if not comparison.defaults:
        return out + ["None.", ""]
    out += [f"| key | {before.name} | {after.name} |", "|---|---|---|"]
    out += [f"| `{key}` | {_cell(old)} | {_cell(new)} |" for key, old, new in comparison.defaults]
    return out + [""]


def default_report_path(before: str, after: str) -> Path:
    return REPORTS / f"{_slug(before)}-to-{_slug(after)}.md"


def _slug(name: str) -> str:
    if re.fullmatch(r"2\.[\w.]+", name):
        name = f"tf-{name}"
    elif re.fullmatch(r"3\.[\w.]+", name):
        name = f"keras-{name}"
    return re.sub(r"[^\w.]+", "-", name.replace("tensorflow==", "tf-").replace("==", "-")).strip("-")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python3 suite.py report", description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="the version upgraded from: locked, keras2, 2.15.1, 3.14.0, keras-nightly")
    parser.add_argument("after", help="the version upgraded to (same forms)")
    parser.add_argument("--out", type=Path, help="the Markdown file (default docs/upgrade-reports/A-to-B.md)")
    parser.add_argument("--keep", type=Path, help="keep each side's scratch copy, logs and results in this folder")
    arguments = parser.parse_args(argv)
    for name in (arguments.before, arguments.after):
        try:
            resolve(name)
        except VersionSpecError as error:
            parser.error(str(error))
    out = arguments.out or default_report_path(arguments.before, arguments.after)
    scratch = arguments.keep or Path(tempfile.mkdtemp(prefix="lstm-spec-report-"))
    if arguments.keep and arguments.keep.exists() and any(arguments.keep.iterdir()):
        parser.error(f"--keep {arguments.keep}: the folder is not empty; name a new or empty one")
    try:
        before = run_side(arguments.before, scratch / "before")
        after = run_side(arguments.after, scratch / "after")
    finally:
        if not arguments.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    comparison = compare(before, after)
    command = f"python3 suite.py report {arguments.before} {arguments.after}"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_markdown(comparison, command))
    print("\n".join(summary_lines(comparison)))
    print(f"report written to {out}")
    return 0 if before.usable and after.usable else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

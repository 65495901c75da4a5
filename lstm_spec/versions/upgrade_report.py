"""The upgrade report: runs the specs on two versions and says, in plain words, what changed.

    python3 suite.py report 2.15.1 2.21.0            TF 2.15 / Keras 2 -> the locked default
    python3 suite.py report locked keras-nightly     the locked default -> keras-nightly
    python3 suite.py report locked jax               TensorFlow -> JAX backend (same Keras): what a switch changes
    python3 suite.py report tensorflow==2.18.0,keras==3.8.0 locked   a combination -> the locked default
    python3 suite.py report my-freeze.txt locked     your own environment (pip freeze) -> the locked default
    python3 suite.py report 2.21.0 3.14.0 --out FILE --keep DIR

A side is any name ``lstm_spec.versions.pins`` reads.  Before anything runs, the report refuses the
same environment named twice, and asks pip (``pip install --dry-run``) whether each side that is
one resolution (a TensorFlow release, a combination, a requirements file) can be installed:
a side it cannot resolve is refused with pip's reason.

Each side runs in its own environment of the version matrix (``noxfile.py``, by way of
``lstm_spec.versions.matrix``), in a scratch copy of this checkout whose snapshot folders are emptied first,
so that ``--snapshot-update`` writes every value that side computes.  The report compares:

- spec outcomes (pytest's JUnit XML), grouped by behaviour (spec module), with each message whole
  (an overlong one keeps its beginning and end);
- snapshot values entry by entry (``arrays_text``): the largest absolute and relative difference,
  pinned-weight (the math) or seeded (Keras' random stream), moved when beyond the suite's tolerance;
- ``get_config()`` of the documented layers built with default arguments (``layer_defaults``), split
  into what can change numbers or shapes and what is representation only;
- the exact package versions of both sides, the suite's own tools (``dependencies``) listed apart.

A side that cannot be installed is reported as such: the report says so, nothing crashes.
The Markdown goes to ``docs/upgrade-reports/<a>-to-<b>.md`` unless ``--out`` says otherwise;
its summary is printed.
"""

from __future__ import annotations

import argparse
import ast
import collections
import concurrent.futures
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
from lstm_spec.versions.dependencies import tool_packages
from lstm_spec.versions.matrix import LEGACY_KERAS_SESSIONS, LOCKS, ROOT, Target, nox_command, resolve, session_backend
from lstm_spec.versions.pins import VersionSpecError, install_plan, is_requirements_file, requirements

REPORTS = ROOT / "docs" / "upgrade-reports"
LOCK = LOCKS["locked"]
# What a side's scratch copy leaves out: environments, caches, history.
NOT_COPIED = shutil.ignore_patterns(".venv", ".nox", ".git", ".benchmarks", ".pytest_cache", "__pycache__")
PYTEST_ARGUMENTS = ["specs", "--snapshot-update", "-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"]
KEY_PACKAGES = ("tensorflow", "keras", "keras-nightly", "tf-keras", "numpy", "ml-dtypes", "h5py", "protobuf",
                "jax", "jaxlib", "torch")
# Each Keras backend's engine: the package whose version is the backend's, and its name in prose
# (which session runs which backend: lstm_spec.versions.matrix.BACKEND_SESSIONS).
ENGINES = {"tensorflow": ("tensorflow", "TensorFlow"), "jax": ("jax", "JAX"), "torch": ("torch", "PyTorch")}
# A message longer than this keeps its beginning and its end (what was expected usually comes last).
MESSAGE_CHARS = 1500
CELL_CHARS = 160
DIFF_LINES = 40
# The one case JUnit writes for a module skipped (or broken) as a whole at collection: a spec that
# needs an engine the side lacks, such as PyTorch's own specs on TensorFlow.
WHOLE_MODULE = "(the whole module, at collection)"
KINDS = {"pinned": "pinned weights (the math)", "seeded": "seeded weights (Keras' random stream)"}
# Text snapshots (``model.summary()`` tables) hold no weights: the seeded folder keeps them per Keras era.
TEXT_KINDS = {"pinned": "text, the same on every version", "seeded": "text, stored per Keras era"}


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
    tools: set[str] = field(default_factory=set)  # installed only for the suite's own tools (pytest, nox, ...)

    @property
    def backend(self) -> str:
        """The Keras backend the specs ran on: ``tensorflow``, ``jax`` or ``torch``."""
        return session_backend(self.session)

    @property
    def engine(self) -> str:
        """The backend's engine and its installed version: ``JAX 0.10.2``."""
        package, title = ENGINES[self.backend]
        return f"{title} {self.packages.get(package, '(not installed)')}"

    @property
    def label(self) -> str:
        """``2.15.1 (TensorFlow 2.15.1, Keras 2.15.0)``; on another backend, that backend first:
        ``jax (JAX 0.10.2 backend, Keras 3.15.1; TensorFlow 2.21.0 installed beside it)``."""
        keras = [f"{title} {self.packages[package]}" for package, title in
                 (("keras", "Keras"), ("keras-nightly", "keras-nightly")) if package in self.packages]
        if self.session in LEGACY_KERAS_SESSIONS:  # tf-keras is under test; the Keras 3 beside it is not
            keras = [f"tf-keras {self.packages.get('tf-keras', '(not installed)')}",
                     *(f"{version} installed beside it" for version in keras)]
        tensorflow = self.packages.get("tensorflow")
        if self.backend != "tensorflow":
            beside = f"; TensorFlow {tensorflow} installed beside it" if tensorflow else ""
            return f"{self.name} ({', '.join([f'{self.engine} backend', *keras])}{beside})"
        versions = ([f"TensorFlow {tensorflow}"] if tensorflow else []) + keras
        return f"{self.name} ({', '.join(versions)})" if versions else self.name

    @property
    def usable(self) -> bool:
        return not (self.install_error or self.run_error)


# ---- one side ---------------------------------------------------------------------------------

def run_side(name: str, workdir: Path, *, source: Path = ROOT, log=sys.stderr) -> Side:
    """Runs the specs on version ``name`` in a scratch copy of ``source`` under ``workdir`` and reads the results."""
    target: Target = resolve(name)
    tree, collected = workdir / "tree", workdir / "collected"
    shutil.copytree(source, tree, ignore=NOT_COPIED)
    shutil.rmtree(tree / "specs" / "__snapshots__", ignore_errors=True)
    print(f"report: running the specs on {name} (nox session {target.session}); log: {workdir / 'nox.log'}",
          file=log, flush=True)
    # The version session makes its environment afresh each run, so it gains nothing from the shared
    # .nox; its own folder keeps a matrix or speed run at the same time from rebuilding it under pip.
    envdir = workdir / ".nox" if target.session == "version" else ROOT / ".nox"
    with open(workdir / "nox.log", "w") as out:
        subprocess.run(nox_command(target, PYTEST_ARGUMENTS, noxfile=tree / "noxfile.py", envdir=envdir), cwd=tree,
                       env={**os.environ, "LSTM_SPEC_COLLECT": str(collected)}, stdout=out, stderr=subprocess.STDOUT)
    return read_side(name, target.session, tree, collected, workdir / "nox.log")


def read_side(name: str, session: str, tree: Path, collected: Path, log: Path) -> Side:
    side = Side(name, session)
    if (collected / "install-error.txt").exists():
        side.install_error = (collected / "install-error.txt").read_text().strip()
        side.install_error += "\n" + pip_reason(log.read_text(errors="replace") if log.exists() else "")
        return side
    if not (collected / "junit.xml").exists():
        tail = log.read_text(errors="replace").splitlines()[-15:] if log.exists() else ["(no log)"]
        side.run_error = "the run ended before pytest wrote its results; the log ends:\n" + "\n".join(tail)
        return side
    side.python = (collected / "python.txt").read_text().strip()
    side.packages = read_packages((collected / "packages.txt").read_text())
    side.outcomes = read_outcomes(collected / "junit.xml")
    snapshots = tree / "specs" / "__snapshots__"
    side.snapshots = read_snapshots(snapshots, snapshot_kinds(snapshots))
    side.defaults = json.loads((collected / "layer_defaults.json").read_text())
    side.behaviours = read_behaviours(tree / "specs")
    side.tools = tool_packages(json.loads((collected / "dependencies.json").read_text()))
    return side


_EXCEPTION = re.compile(r"^[A-Za-z_.]*(?:Error|Exception): ")  # a traceback's last line: pip itself failed


def pip_reason(output: str) -> str:
    """pip's own lines about why it cannot install: its errors, the versions it found, and the
    conflict it names ("The conflict is caused by: ... tensorflow 2.18.0 depends on keras>=3.5.0")."""
    lines, in_conflict = [], False
    for line in output.splitlines():
        if line.startswith("The conflict is caused by:"):
            lines.append(line.strip())
            in_conflict = True
        elif in_conflict and line.startswith("    "):
            lines.append(line.rstrip())
        else:
            in_conflict = False
            if line.startswith("ERROR:") or "from versions:" in line or _EXCEPTION.match(line):
                lines.append(line.strip())
    return "\n".join(lines[-12:])


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
        classname, test = case.get("classname", ""), case.get("name", "")
        # A case without a class is a module at collection, named by its dotted path (specs.test_32_torch_shapes).
        module = (classname or test).rsplit(".", 1)[-1]
        test = test if classname else WHOLE_MODULE
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                # An <error> (in set-up or tear-down) is a failure of the spec, not a pass.
                outcome = "skipped" if child.tag == "skipped" else "failed"
                message = _one_message(_collection_skip_reason(child) or child.get("message") or child.text or "")
                message = f"error in set-up or tear-down: {message}" if child.tag == "error" else message
                break
        outcomes[f"{module}::{test}"] = Outcome(module, test, outcome, message)
    return outcomes


def _collection_skip_reason(child: ElementTree.Element) -> str | None:
    """A skip at collection keeps its reason in the text, ``(path, line, 'Skipped: reason')``
    (its message says only "collection skipped"); None for any other outcome."""
    if child.get("message") != "collection skipped":
        return None
    try:
        return str(ast.literal_eval((child.text or "").strip())[-1])
    except (ValueError, SyntaxError, TypeError, IndexError):
        return None


def _one_message(text: str) -> str:
    """The message whole; an overlong one loses its middle, never its end (where "but should ..." is)."""
    text = re.sub(r"^Skipped: ", "", text.strip())
    if len(text) <= MESSAGE_CHARS:
        return text
    head, tail = text[:MESSAGE_CHARS * 2 // 3], text[-(MESSAGE_CHARS // 3):]
    return f"{head} [... {len(text) - len(head) - len(tail)} characters left out ...] {tail}"


def snapshot_kinds(folder: Path) -> dict[str, str]:
    """``{snapshot folder: kind}`` of a run's ``__snapshots__``: ``pinned``, and the one seeded folder
    the run wrote (the scratch copy starts with none): its Keras era's on TensorFlow
    (``seeded-keras3``), ``seeded-jax`` or ``seeded-torch`` on the other backends."""
    return {"pinned": "pinned", **{seeded.name: "seeded" for seeded in sorted(folder.glob("seeded-*"))}}


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
    defaults: list[DefaultChange] = field(default_factory=list)
    packages: list[tuple[str, str, str]] = field(default_factory=list)  # the upgrade's: key ones and all that differ
    tools: list[tuple[str, str, str]] = field(default_factory=list)  # the suite's own tools that differ



def compare(before: Side, after: Side) -> Comparison:
    comparison = Comparison(before, after)
    if not (before.usable and after.usable):
        return comparison
    old_outcomes, new_outcomes = _fold_whole_modules(before.outcomes, after), _fold_whole_modules(after.outcomes, before)
    for key in sorted(set(old_outcomes) | set(new_outcomes)):
        old, new = old_outcomes.get(key), new_outcomes.get(key)
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
    comparison.defaults = classify_defaults(before.defaults, after.defaults)
    for package in sorted(set(before.packages) | set(after.packages)):
        old, new = before.packages.get(package, ABSENT), after.packages.get(package, ABSENT)
        if _is_a_tool(package, before) and _is_a_tool(package, after):
            if old != new:
                comparison.tools.append((package, old, new))
        elif old != new or package in KEY_PACKAGES:
            comparison.packages.append((package, old, new))
    return comparison


def _fold_whole_modules(outcomes: dict[str, Outcome], other: Side) -> dict[str, Outcome]:
    """``outcomes`` with the tests of each module that ``other`` skipped or broke whole at collection
    folded into one outcome of that module, counted (failed if any failed, else passed if any passed)."""
    whole = {outcome.module for outcome in other.outcomes.values() if outcome.test == WHOLE_MODULE}
    folded = {key: outcome for key, outcome in outcomes.items() if outcome.module not in whole}
    for module in sorted(whole):
        tests = [outcome for outcome in outcomes.values() if outcome.module == module]
        if not tests or any(outcome.test == WHOLE_MODULE for outcome in tests):
            folded.update({f"{module}::{outcome.test}": outcome for outcome in tests})
            continue
        words = [outcome.outcome for outcome in tests]
        overall = "failed" if "failed" in words else "passed" if "passed" in words else "skipped"
        counts = ", ".join(f"{words.count(word)} {word}" for word in ("passed", "skipped", "failed"))
        folded[f"{module}::{WHOLE_MODULE}"] = Outcome(module, WHOLE_MODULE, overall, f"its {len(tests)} tests: {counts}")
    return folded


def _is_a_tool(package: str, side: Side) -> bool:
    """Whether ``side`` has ``package`` only for the suite's own tools (or has it not at all)."""
    return package in side.tools or package not in side.packages


@dataclass(frozen=True)
class DefaultChange:
    """A ``get_config()`` key whose value differs, and whether only its representation did."""

    key: str
    before: object
    after: object
    what: str  # in words: "value changed", "argument gone", "same dtype, now a DTypePolicy", ...
    representation: bool  # True: the same numbers and shapes, only written differently


def classify_defaults(before: dict[str, object], after: dict[str, object]) -> list[DefaultChange]:
    """Every difference of two flat ``layer_defaults``, split into those that can change numbers or
    shapes (a value changed; an argument that holds a value appeared or went) and representation
    only (a dtype name written as a DTypePolicy of the same dtype; a key that is None on one side
    and absent on the other, which changes nothing unless set; Bidirectional's backward copy of
    its layer written out)."""
    return [DefaultChange(key, old, new, *_what_changed(key, old, new, before, after))
            for key, old, new in group_differences(before, after)]


def _what_changed(key: str, old, new, before: dict, after: dict) -> tuple[str, bool]:
    old_dtype, new_dtype = _dtype_name(key, old), _dtype_name(key, new)
    if old_dtype and new_dtype:
        return ("same dtype, now a DTypePolicy", True) if old_dtype == new_dtype else ("dtype changed", False)
    if ABSENT not in (old, new):
        return "value changed", False
    gone = new == ABSENT
    value, defaults = (old, before) if gone else (new, after)
    if _copies_the_forward_layer(key, value, defaults):
        return ("the backward copy of `layer` (go_backwards flipped), "
                + ("no longer written out" if gone else "now written out")), True
    name = "layer" if "." not in key else "argument" if _is_an_argument(key) else "setting"
    if value is None or (isinstance(value, dict) and all(leaf is None for leaf in value.values())):
        return (f"{name} no longer written (it was None)" if gone else f"new {name}, None: changes nothing unless set"), True
    return (f"{name} gone" if gone else f"new {name}"), False


def _dtype_name(key: str, value) -> str | None:
    """The dtype a ``dtype`` key names, as a plain name or as a DTypePolicy; None for anything else."""
    if key.rsplit(".", 1)[-1] != "dtype":
        return None
    if isinstance(value, str) and value != ABSENT:
        return value
    if isinstance(value, dict) and "DTypePolicy" in str(value.get("class_name")):
        return value.get("config.name")
    return None


def _copies_the_forward_layer(key: str, value, defaults: dict) -> bool:
    """Whether ``...backward_layer`` holds the config of the ``...layer`` beside it, go_backwards flipped."""
    if not (key.endswith("backward_layer") and isinstance(value, dict)):
        return False
    prefix = key[:-len("backward_layer")] + "layer."
    forward = {name[len(prefix):]: leaf for name, leaf in defaults.items() if name.startswith(prefix)}
    differing = {name for name in set(forward) | set(value) if forward.get(name, ABSENT) != value.get(name, ABSENT)}
    return bool(forward) and all(name.endswith("go_backwards") for name in differing)


def _is_an_argument(key: str) -> bool:
    """``LSTM.seed`` and ``Bidirectional.layer.config.seed`` name a layer's argument; ``LSTM.kernel_initializer.config.seed`` does not."""
    parts = key.split(".")[1:]
    while len(parts) > 2 and parts[0] in ("layer", "backward_layer") and parts[1] == "config":
        parts = parts[2:]
    return len(parts) == 1


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
        "- outcomes: " + "; ".join(f"{side.name} {_outcome_counts(side)}" for side in (before, after)),
        f"- {_count(changed, 'spec outcome differs', 'spec outcomes differ')}, in "
        f"{_count(len(comparison.outcomes), 'behaviour')}"
        + (f": {', '.join(sorted(comparison.outcomes))}" if comparison.outcomes else ""),
        f"- snapshot values moved beyond tolerance: {sum(c.kind == 'pinned' for c in moved)} pinned (math), "
        f"{sum(c.kind == 'seeded' for c in moved)} seeded (random stream); "
        f"{len(comparison.values) - len(moved)} within tolerance, {comparison.identical_values} identical, "
        f"{len(comparison.texts)} text snapshots differ, {len(comparison.only_one_side)} entries on one side only",
        _defaults_summary(comparison.defaults),
        _packages_summary(comparison),
    ]
    return lines


def _outcome_counts(side: Side) -> str:
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
    return (f"- {_count(len(changes), 'layer default differs', 'layer defaults differ')}: "
            f"{len(numbers)} can change numbers or shapes{f' ({counted})' if counted else ''}, "
            f"{len(changes) - len(numbers)} representation only"
            + (f" (among them new arguments that are None by default: {', '.join(new_nones)})" if new_nones else ""))


def _packages_summary(comparison: Comparison) -> str:
    differ = [(package, old, new) for package, old, new in comparison.packages if old != new]
    named = [f"{package} {old} -> {new}" for package, old, new in differ if package in KEY_PACKAGES]
    others = len(differ) - len(named)
    listed = ", ".join(named + ([f"{others} more"] if others and named else []))
    line = f"- {_count(len(differ), 'package differs', 'packages differ')}" if differ else "- no package differs"
    line += f" ({listed})" if named else ""
    if comparison.tools:
        tools = ", ".join(package for package, _, _ in comparison.tools)
        line += f"; apart from them, {_count(len(comparison.tools), 'package')} of the suite's own tools ({tools})"
    return line


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


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
    out += _packages_section(comparison)
    return "\n".join(out) + "\n"


def _packages_section(comparison: Comparison) -> list[str]:
    before, after = comparison.before, comparison.after
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
                out += _outcome_lines(side.name, outcome)
        out.append("")
    return out


def _outcome_lines(name: str, outcome: Outcome | None) -> list[str]:
    """One list item: a short one-line message inline, any other whole in a text block beneath."""
    if outcome is None:
        return [f"  - **{name}**: not collected"]
    message = outcome.message
    if not message or ("\n" not in message and len(message) <= CELL_CHARS and "`" not in message):
        return [f"  - **{name}**: {outcome.describe()}"]
    block = message.replace("```", "` ` `").splitlines()
    return [f"  - **{name}**: {outcome.outcome}", "", "    ```text", *(f"    {line}" for line in block), "    ```", ""]


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
            out += [f"<details><summary><code>{module}</code>: <code>{entry}</code> ({TEXT_KINDS[kind]})</summary>", "",
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
                f"<details><summary>{_count(len(representation), 'key')}</summary>", "", *header,
                *map(_default_row, representation), "", "</details>", ""]
    return out


def _default_row(change: DefaultChange) -> str:
    return f"| `{change.key}` | {_cell(change.before)} | {_cell(change.after)} | {change.what} |"


def environment_of(target: Target) -> tuple[str, tuple[str, ...]]:
    """What makes an environment: its nox session and, for the ``version`` session, what it installs."""
    return target.session, tuple(sorted(requirements(target.version))) if target.version else ()


def unresolvable(target: Target, *, run=subprocess.run) -> str | None:
    """pip's reason when the one ``pip install`` that makes ``target`` cannot be resolved, asked with
    ``--dry-run`` before any environment is made; None when it can, and for environments made from
    a lock (a lock session, or a Keras release installed on top of requirements/lock.txt)."""
    if target.session != "version":
        return None
    plan = install_plan(target.version, LOCK.read_text(), str(LOCK))
    if len(plan) != 1:
        return None
    command, *arguments = plan[0]
    result = run([sys.executable, "-m", "pip", command, "--dry-run", "--ignore-installed", *arguments],
                 capture_output=True, text=True)
    if result.returncode == 0:
        return None
    return pip_reason(result.stdout + result.stderr) or result.stderr.strip()[-2000:]


def default_report_path(before: str, after: str) -> Path:
    return REPORTS / f"{_slug(before)}-to-{_slug(after)}.md"


def _slug(name: str) -> str:
    if is_requirements_file(name):
        name = Path(name).stem
    elif re.fullmatch(r"2\.[\w.]+", name):
        name = f"tf-{name}"
    elif re.fullmatch(r"3\.[\w.]+", name):
        name = f"keras-{name}"
    return re.sub(r"[^\w.]+", "-", name.replace("tensorflow==", "tf-").replace("==", "-")).strip("-")


def sides_can_run(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> bool:
    """Refuses, before anything runs, a name nothing can install, one environment named twice, a used
    ``--keep`` folder (each through ``parser.error``) and a side pip cannot resolve (False, pip's reason said)."""
    targets = []
    for name in (arguments.before, arguments.after):
        try:
            targets.append(resolve(name))
        except VersionSpecError as error:
            parser.error(str(error))
    if environment_of(targets[0]) == environment_of(targets[1]):
        parser.error(f"{arguments.before!r} and {arguments.after!r} are the same environment (nox session "
                     f"{targets[0].session}): name two different ones, e.g. report 2.15.1 2.21.0")
    if arguments.keep and arguments.keep.exists() and any(arguments.keep.iterdir()):
        parser.error(f"--keep {arguments.keep}: the folder is not empty; name a new or empty one")
    if arguments.keep and arguments.keep.resolve().is_relative_to(ROOT):
        parser.error(f"--keep {arguments.keep}: the folder is inside the checkout, which each side copies; "
                     "name one outside it")
    if any(target.session == "version" for target in targets):
        print("report: asking pip whether the sides can be installed (pip install --dry-run)", file=sys.stderr, flush=True)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        reasons = list(pool.map(unresolvable, targets))
    for name, reason in zip((arguments.before, arguments.after), reasons):
        if reason:
            print(f"report: {name} cannot be installed from the package index; pip's reason:\n{reason}",
                  file=sys.stderr)
    return not any(reasons)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python3 suite.py report", description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="the environment upgraded from: locked, keras2, jax, torch, tf-keras, 2.15.1, "
                        "3.14.0, keras-nightly, tensorflow==2.18.0,keras==3.8.0 (a combination) or a requirements file "
                        "such as your pip freeze (freeze.txt)")
    parser.add_argument("after", help="the environment upgraded to (same forms)")
    parser.add_argument("--out", type=Path, help="the Markdown file (default docs/upgrade-reports/A-to-B.md)")
    parser.add_argument("--keep", type=Path, help="keep each side's scratch copy, logs and results in this folder")
    parser.add_argument("--no-speed", action="store_true",
                        help="skip the Speed section (predict() timed in process pairs, lstm_spec.bench.speed; ~6 min)")
    parser.add_argument("--speed-pairs", type=int, metavar="N",
                        help="process pairs for the Speed section (default 8; `speed A B` runs 20 for smaller changes)")
    arguments = parser.parse_args(argv)
    if arguments.speed_pairs is not None and not arguments.no_speed:
        from lstm_spec.bench.statistics import MIN_PAIRS  # needs scipy, as the Speed section does

        if arguments.speed_pairs < MIN_PAIRS:
            parser.error(f"--speed-pairs {arguments.speed_pairs}: a confidence interval needs at least {MIN_PAIRS} "
                         "pairs; the default is 8, and 20 resolve a 1.25x slowdown")
    if not sides_can_run(parser, arguments):
        return 2
    out = arguments.out or default_report_path(arguments.before, arguments.after)
    scratch = arguments.keep or Path(tempfile.mkdtemp(prefix="lstm-spec-report-"))
    try:
        # One copy of the checkout taken now serves both sides: they run the same specs, whatever
        # changes in the working tree while the first side runs.
        checkout = scratch / "checkout"
        shutil.copytree(ROOT, checkout, ignore=NOT_COPIED)
        before = run_side(arguments.before, scratch / "before", source=checkout)
        after = run_side(arguments.after, scratch / "after", source=checkout)
    finally:
        if not arguments.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    comparison = compare(before, after)
    command = f"python3 suite.py report {arguments.before} {arguments.after}" + (" --no-speed" if arguments.no_speed else "")
    out.parent.mkdir(parents=True, exist_ok=True)
    # Imported here: its statistics need scipy, which requirements/keras2-lock.txt lacks, and this
    # module's tests run in that environment too (matrix keras2).
    from lstm_spec.bench.speed import report_section

    speed = report_section(arguments.before, arguments.after, out, pairs=arguments.speed_pairs,
                           skip=arguments.no_speed or not (before.usable and after.usable))
    out.write_text(render_markdown(comparison, command) + speed.markdown)
    print("\n".join([*summary_lines(comparison), *speed.summary]))
    print(f"report written to {out}")
    return 0 if before.usable and after.usable else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

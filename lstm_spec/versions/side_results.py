"""What one side's run left behind, read back: outcomes, snapshot values, layer defaults, packages.

A run (``lstm_spec.versions.side_run``) leaves a scratch copy of the checkout (``tree``: the specs and
the snapshots they wrote), the folder the nox session collected into (``collected``: ``noxfile.py``
says what it holds) and nox's log.  ``read_side`` reads the three into a ``SideResult``, which the
comparison (``lstm_spec.versions.comparison``) and the report's sections take.
"""

from __future__ import annotations

import ast
import json
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

from lstm_spec.deploy.observed import RECORD_FILE
from lstm_spec.versions.dependencies import tool_packages
from lstm_spec.versions.history_deployment import STATUS_FILE
from lstm_spec.versions.sides import Side, session_backend

# Each Keras backend's engine: the package whose version is the backend's, and its name in prose
# (which session runs which backend: lstm_spec.versions.sides.FIXED).
ENGINES = {"tensorflow": ("tensorflow", "TensorFlow"), "jax": ("jax", "JAX"), "torch": ("torch", "PyTorch")}
# A message longer than this keeps its beginning and its end (what was expected usually comes last).
MESSAGE_CHARS = 1500
# The one case JUnit writes for a module skipped (or broken) as a whole at collection: a spec that
# needs an engine the side lacks, such as PyTorch's own specs on TensorFlow.
WHOLE_MODULE = "(the whole module, at collection)"


@dataclass(frozen=True)
class Outcome:
    module: str
    test: str
    outcome: str  # passed, failed, error, skipped
    message: str = ""

    def describe(self) -> str:
        return self.outcome if not self.message else f"{self.outcome}: {self.message}"


@dataclass(eq=False)  # compared by identity: a report's sections share one comparison of the same two results
class SideResult:
    """What one side's run left behind: read from its collected folder and its copy's written snapshots."""

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
    collected: Path | None = None  # the folder the run wrote (LSTM_SPEC_COLLECT), gone once the report is written
    saved_models: dict[str, str] = field(default_factory=dict)  # the saved-model exchange's files, as text
    deployment_record: str | None = None  # what the deploy specs observed (observed.RECORD_FILE), as text
    # A history side's runtime set and whether it installed (history_deployment.STATUS_FILE); None before the
    # history installed runtimes, and for a report's side.
    deployment_runtimes: dict | None = None
    side: Side | None = None  # the side as resolved from its name

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
        if self.side is not None and self.side.session_environment["TF_USE_LEGACY_KERAS"] == "1":
            # tf-keras is under test; the Keras 3 beside it is not.
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


def read_side(name: str, session: str, tree: Path, collected: Path, log: Path) -> SideResult:
    side = SideResult(name, session, collected=collected)
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
    side.saved_models = read_saved_models(collected)
    record = collected / RECORD_FILE
    side.deployment_record = record.read_text(errors="replace") if record.is_file() else None
    side.deployment_runtimes = read_runtimes(collected / STATUS_FILE)
    return side


def read_runtimes(path: Path) -> dict | None:
    """A history side's ``STATUS_FILE``, or None where it left none (or an unreadable one)."""
    if not path.is_file():
        return None
    try:
        found = json.loads(path.read_text(errors="replace"))
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


# The upgrade report's saved-model exchange (lstm_spec/versions/report_sections/saved_models.py), under a run's
# collected folder: side A's manifest of what it wrote, side B's outcomes of reading it, a failed step's words.
SAVED_MODELS = "saved-models"
WRITTEN_FOLDER = "written"
WRITTEN_MANIFEST = f"{WRITTEN_FOLDER}/manifest.json"
READ_OUTCOMES = "read.json"
FAILED_STEPS = ("write-failed.txt", "read-failed.txt")


def read_saved_models(collected: Path) -> dict[str, str]:
    """The exchange's files a run left, as text, read with the rest: the run's folder is removed before the
    report is written."""
    folder = Path(collected) / SAVED_MODELS
    names = (WRITTEN_MANIFEST, READ_OUTCOMES, *FAILED_STEPS)
    return {name: (folder / name).read_text(errors="replace") for name in names if (folder / name).is_file()}


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


# A path into a side's scratch copy of the checkout (SCRATCH/NN-line-release/tree/specs/...): every side has its own.
_SCRATCH_TREE = re.compile(r"(?:/[^\s'\"/]+)+/tree/(?=specs/)")


def _one_message(text: str) -> str:
    """The message whole, a path into the side's scratch copy made relative to the checkout (two sides' messages
    differ only where their versions do); an overlong one loses its middle, never its end ("but should ...")."""
    text = _SCRATCH_TREE.sub("", re.sub(r"^Skipped: ", "", text.strip()))
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


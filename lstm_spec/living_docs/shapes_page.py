"""``docs/shapes.md``, the shape reference page, generated from the runs the specs make (a pytest plugin).

While a spec runs, every run that a ``cached_run`` builder returns (``run_recurrent``,
``run_chain``, ``pinned_run``, ``call_model``) is recorded: its configuration, input shape, output
shape(s) and parameter count, and the snapshot file of the spec when it pins values.  The records
travel in the report's ``user_properties`` (pytest-xdist forwards them from its workers) and only
passing specs count.

When every spec ran (no ``-k``, ``-m``, ``--deselect``, ``--lf``, no single files) and all passed,
on the versions ``requirements/lock.txt`` pins (the page documents those; a version-matrix run on
others leaves it alone, saying so), the page rendered from the records is compared with ``docs/shapes.md``: ``--shapes-page=write``
(what ``python3 suite.py docs`` passes) writes it, the default ``check`` fails the run when the
committed page differs, and says how to refresh it.  A partial run leaves the page alone.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from lstm_spec.models import observe
from lstm_spec.models.era import installed_version
from lstm_spec.living_docs.behaviours import behaviour_title
from lstm_spec.living_docs.outline import docstring_summary
from lstm_spec.living_docs.markdown_text import plain
from lstm_spec.living_docs.selection import FILTERS

RECORDS = "lstm_spec.shapes"
PAGE = Path("docs") / "shapes.md"
SPECS = Path("specs")
REFRESH = "python3 suite.py docs"
LOCK = Path("requirements") / "lock.txt"
PACKAGES = (("TensorFlow", "tensorflow"), ("Keras", "keras"), ("NumPy", "numpy"))
SHOWN_DIFF_LINES = 12


@dataclass(frozen=True, order=True)
class ShapeRow:
    """One observed run on the page: what was built, what went in, what came out."""

    module: str  # the spec file, relative to the repository root
    configuration: str
    input_shape: tuple
    output_shapes: str
    params: int
    snapshots: tuple[str, ...] = ()  # snapshot files (relative to the root) of specs that pinned this run
    # The specs that made this run: (name, True when the spec built it only to compare with its own case).
    specs: tuple[tuple[str, bool], ...] = ()


def output_shapes(outputs) -> str:
    """``(2, 5)`` for one array, ``[(2, 9, 5), (2, 5), (2, 5)]`` for a list or tuple of them."""
    if isinstance(outputs, (list, tuple)):
        return "[" + ", ".join(output_shapes(item) for item in outputs) + "]"
    return str(tuple(outputs.shape))


def describe(run) -> dict:
    """A run as a page row's plain data.

    Every run type prints as ``<configuration> on input <shape>[ with ...]`` (``RecurrentRun``,
    ``ChainRun``, ``PinnedRun``, ``ModelRun``); the configuration is that text without the input.
    A run without a model (a pinned layer) counts the parameters of its weights.
    """
    architectures = sys.modules.get("lstm_spec.models.architectures")  # no ModelRun before it is imported
    input_shape = tuple(run.inputs.shape)
    model = getattr(run, "model", None)
    if architectures and isinstance(run, architectures.ModelRun):  # named after its builder: show its layers
        configuration = " -> ".join(layer_text(layer) for layer in model.layers
                                    if type(layer).__name__ != "InputLayer")
    else:
        configuration = str(run).replace(f" on input {input_shape}", "", 1)
    params = model.count_params() if model is not None else sum(int(weight.size) for weight in run.weights)
    return {"configuration": configuration, "input_shape": list(input_shape),
            "output_shapes": output_shapes(run.outputs), "params": int(params)}


# The arguments a layer is shown with on the page, when they differ from the layer's default.
SHOWN_ARGUMENTS = ("units", "filters", "kernel_size", "pool_size", "padding", "activation", "target_shape",
                   "return_sequences", "return_state")


def layer_text(layer) -> str:
    """``Conv1D(filters=2,kernel_size=2,padding='same')``: the layer's class, and the shape-deciding
    arguments it was given (those equal to the default are left out); a wrapper shows its layer."""
    inner = getattr(layer, "forward_layer", None) or getattr(layer, "layer", None)  # Bidirectional, TimeDistributed
    if inner is not None:
        return f"{type(layer).__name__}({layer_text(inner)})"
    config = layer.get_config()
    defaults = inspect.signature(type(layer).__init__).parameters
    shown = []
    for name in SHOWN_ARGUMENTS:
        if name not in config:
            continue
        value = _plain(config[name])
        default = defaults[name].default if name in defaults else inspect.Parameter.empty
        if default is inspect.Parameter.empty or value != _plain(default):
            shown.append(f"{name}={value!r}")
    return f"{type(layer).__name__}({','.join(shown)})"


def _plain(value):
    """A config value as given: ``(2,)`` is 2, a list a tuple, no activation 'linear'."""
    if isinstance(value, (list, tuple)):
        value = tuple(value)
        return value[0] if len(value) == 1 else value
    return "linear" if value is None else value


def subject_runs(item, runs: dict) -> set[int]:
    """The ids of the runs a spec was handed by its fixtures (its own cases); empty when it builds
    every run itself.  Any other run it made is there to compare with them."""
    return {id(value) for value in getattr(item, "funcargs", {}).values() if id(value) in runs}


def snapshot_files(item) -> list[str]:
    """The snapshot files (relative to the root) of the snapshot fixtures the spec used and that exist."""
    from syrupy.assertion import SnapshotAssertion

    files = set()
    for value in getattr(item, "funcargs", {}).values():
        if isinstance(value, SnapshotAssertion):
            location = Path(value.extension.get_location(test_location=value.test_location, index=0))
            if location.exists():
                files.add(location.resolve().relative_to(item.config.rootpath).as_posix())
    return sorted(files)


def rows_from_records(records: list[dict]) -> list[ShapeRow]:
    """Page rows from the recorded specs: one per distinct run of a behaviour, snapshot links and specs
    merged (a spec counts as comparing only when it never made that run one of its own cases)."""
    merged: dict[tuple, tuple[set[str], dict[str, bool]]] = {}
    for record in records:
        for run in record["runs"]:
            key = (record["module"], run["configuration"], tuple(run["input_shape"]),
                   run["output_shapes"], run["params"])
            files, specs = merged.setdefault(key, (set(), {}))
            files.update(record["snapshots"])
            if "spec" in record:
                specs[record["spec"]] = specs.get(record["spec"], True) and run.get("compared", False)
    return [ShapeRow(*key, tuple(sorted(files)), tuple(sorted(specs.items())))
            for key, (files, specs) in merged.items()]


def natural_key(text: str) -> list:
    """Sorts ``units=5`` before ``units=64`` (numbers by value), so the page reads in grid order."""
    return [int(chunk) if chunk.isdigit() else chunk for chunk in re.split(r"(\d+)", text)]


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_page(behaviours: dict[str, str], rows: list[ShapeRow], versions: dict[str, str]) -> str:
    """The page: a header with the versions, then per behaviour (by spec file) a table of its runs.

    ``behaviours`` maps each spec file that ran to its title; a behaviour without runs says so."""
    version_text = ", ".join(f"{name} {version}" for name, version in versions.items())
    lines = [
        "# Shape reference",
        "",
        f"Generated by `{REFRESH}` from the specs' own runs on {version_text}.",
        "Do not edit by hand: a full spec run fails when this page differs from what the specs observe.",
        "",
        "Each row is a model or layer a passing spec built and called: its configuration, the shape of the",
        "data it was called on, what it returned (a list when it returns several arrays, in order) and its",
        "parameter count. Input and output shapes are concrete: the batch is the data's. The spec column names",
        "the specs that made the run; *(comparison)* marks a spec that made it only to compare with its own",
        "case (the same weights without the option, say), not as a case of the behaviour.",
        "",
    ]
    for module in sorted(behaviours):
        spec_link = f"[{Path(module).name}](../{module})"
        lines += [f"## {plain(behaviours[module])}", "", f"Spec: {spec_link}", ""]
        module_rows = sorted((row for row in rows if row.module == module),
                             key=lambda row: (natural_key(row.configuration), row.input_shape))
        if not module_rows:
            lines += ["No model calls recorded in these specs (see the spec file).", ""]
            continue
        lines += ["| configuration | input shape | output shape(s) | parameters | spec | snapshot |",
                  "|---|---|---|---|---|---|"]
        for row in module_rows:
            snapshots = ", ".join(f"[{Path(file).parent.name}/{Path(file).name}](../{file})" for file in row.snapshots)
            specs = ", ".join(f"[{name}](../{module})" + (" *(comparison)*" if compared else "")
                              for name, compared in row.specs) or spec_link
            lines.append(f"| `{cell(row.configuration)}` | {row.input_shape} | {row.output_shapes} "
                         f"| {row.params} | {specs} | {snapshots} |")
        lines.append("")
    return "\n".join(lines)


def installed_versions(packages=PACKAGES) -> dict[str, str]:
    return {name: installed_version(package) for name, package in packages}


def locked_versions(lock_text: str, packages=PACKAGES) -> dict[str, str]:
    """The versions ``requirements/lock.txt`` pins for the page's packages ('not locked' when absent)."""
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", lock_text, flags=re.MULTILINE))
    pins = {name.lower(): version for name, version in pins.items()}
    return {name: pins.get(package, "not locked") for name, package in packages}


def versions_reason(installed: dict[str, str], locked: dict[str, str], lock: Path = LOCK) -> str | None:
    """Why the page (which documents the locked versions) cannot be compared here, None when it can."""
    differing = [f"{name} {installed[name]} (locked {locked[name]})" for name in locked if installed[name] != locked[name]]
    if differing:
        return f"installed here: {', '.join(differing)}; the page documents the versions {lock} pins"
    return None


def _backend_reason() -> str | None:
    """Why a run on another Keras 3 backend leaves the page (which documents TensorFlow) alone."""
    from lstm_spec.models.backend import KERAS_BACKEND

    if KERAS_BACKEND != "tensorflow":
        return f"this run is on the {KERAS_BACKEND} backend; the page documents the TensorFlow backend"
    return None


def _deploy_reason() -> str | None:
    """Why a run with the deployment runtimes installed (``matrix deploy``) leaves the page alone: specs 49-51,
    which skip on the locked default, run there, so the page would gain behaviours the default run does not."""
    from lstm_spec.deploy.artifacts import installed

    found = [module for module in ("onnxruntime", "openvino") if installed(module)]
    if found:
        return (f"this run has the deployment runtimes ({', '.join(found)}: requirements/deploy-lock.txt); the page "
                f"documents the {LOCK} pins alone")
    return None


def _tf_keras_reason() -> str | None:
    """Why a run on tf-keras (``TF_USE_LEGACY_KERAS=1``, Keras 3 installed beside it) leaves the page alone."""
    from lstm_spec.models import era

    if era.KERAS_DISTRIBUTION == era.TF_KERAS:
        return (f"this run tests tf-keras {era.KERAS_VERSION} (TF_USE_LEGACY_KERAS=1); the page documents the Keras "
                f"{LOCK} pins")
    return None


def stale_message(committed: str | None, rendered: str, page: Path = PAGE, refresh: str = REFRESH,
                  versions: dict[str, str] | None = None) -> str | None:
    """None when the committed page is the rendered one; else what differs and how to refresh it."""
    if committed == rendered:
        return None
    if committed is None:
        return f"{page} is missing. Generate it with: {refresh}"
    diff = list(difflib.unified_diff(committed.splitlines(), rendered.splitlines(),
                                     "committed", "observed", n=0, lineterm=""))[2:]
    shown = diff[:SHOWN_DIFF_LINES] + ([f"... ({len(diff) - SHOWN_DIFF_LINES} more diff lines)"]
                                       if len(diff) > SHOWN_DIFF_LINES else [])
    return (f"{page} is stale: it differs from what the specs observe on "
            f"{', '.join(f'{name} {version}' for name, version in (versions or installed_versions()).items())}.\n"
            + "\n".join(shown)
            + f"\nRefresh it with: {refresh}   (then read `git diff {page}` before committing)")


def partial_run_reason(config) -> str | None:
    """Why this run did not run every spec (so the page cannot be compared), None when it did."""
    option = config.option
    for name, flag in (*FILTERS, ("collectonly", "--collect-only"), ("ignore_glob", "--ignore-glob")):
        if getattr(option, name, None):
            return f"{flag} selects part of the specs"
    specs = (config.rootpath / SPECS).resolve()
    # pytest.ini ignores the specs/benchmarks folder: ignoring a folder keeps the behaviours whole.
    ignored = [(config.invocation_params.dir / path).resolve() for path in option.ignore or ()]
    ignored = [path for path in ignored if path.is_file() and specs in path.parents]
    if ignored:
        return f"--ignore leaves out {', '.join(path.name for path in ignored)}"
    for argument in config.args:
        path = (config.invocation_params.dir / argument.split("::")[0]).resolve()
        if "::" not in argument and (path == specs or path in specs.parents):
            return None
    return "the run's arguments do not name the whole specs folder"


def pytest_addoption(parser):
    parser.getgroup("lstm_spec").addoption(
        "--shapes-page", choices=("check", "write", "off"), default="check",
        help=f"after a full, passing spec run: check (default) that {PAGE} is what the specs observe, "
             "write it, or do neither",
    )


_RUNS = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    runs = item.stash[_RUNS] = {}
    with observe.observing(lambda run: runs.setdefault(id(run), run)):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    if call.when == "call" and _is_spec(item):
        runs = item.stash.get(_RUNS, {})
        subjects = subject_runs(item, runs)
        item.user_properties.append((RECORDS, {
            "module": item.location[0],
            "spec": getattr(item, "originalname", item.name),
            "behaviour": behaviour_title(item.path, docstring_summary(getattr(item, "module", None), first_line=True)
                                         or item.location[0]),
            "runs": [{**describe(run), "compared": bool(subjects) and key not in subjects}
                     for key, run in runs.items()],
            "snapshots": snapshot_files(item),
        }))
    return (yield)


def _is_spec(item) -> bool:
    return _in_specs(item.config.rootpath, Path(item.path)) and documented_on(item) == PAGE.as_posix()


@functools.lru_cache(maxsize=None)
def _in_specs(root: Path, path: Path) -> bool:
    """Whether ``path`` lies in the specs folder under ``root``: resolved once per module, not per spec."""
    return (root / SPECS).resolve() in path.resolve().parents


def documented_on(item) -> str:
    """The page a spec's runs are recorded on: its module's ``DOCUMENTED_ON`` when it sets one (the
    PyTorch specs: docs/keras-vs-pytorch.md, which only a PyTorch environment can check), else this one."""
    return getattr(getattr(item, "module", None), "DOCUMENTED_ON", PAGE.as_posix())


def pytest_configure(config):
    if config.getoption("shapes_page") != "off" and not hasattr(config, "workerinput"):
        config.pluginmanager.register(PageKeeper(config), "lstm_spec-shapes-page")


class PageKeeper:
    """Collects the records on the process that reports (the xdist controller) and keeps the page."""

    records_key = RECORDS  # the user_properties entry it collects
    title = "shape reference page"  # its section in the terminal summary

    def __init__(self, config):
        self.config = config
        self.records: list[dict] = []
        self.failed = False
        self.verdict: tuple[str, str] | None = None  # (markup colour, message) for the summary

    def pytest_runtest_logreport(self, report):
        self.failed |= report.failed
        if report.when == "call" and report.passed:
            self.records += [value for name, value in report.user_properties if name == self.records_key]

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session):
        reason = partial_run_reason(self.config)
        if reason is None and (self.failed or session.exitstatus != pytest.ExitCode.OK):
            reason = "not every spec passed"
        if reason is None and not self.records:
            reason = "no spec recorded anything"
        version_mismatch = None
        if reason is None:
            lock = self.config.rootpath / LOCK
            locked = locked_versions(lock.read_text() if lock.exists() else "")
            reason = version_mismatch = (versions_reason(installed_versions(), locked) or _tf_keras_reason()
                                         or _backend_reason() or _deploy_reason())
        write = self.config.getoption("shapes_page") == "write"
        if version_mismatch:  # said on every version-matrix run (nox), so nobody expects a comparison
            self.verdict = ("yellow", f"{PAGE} left as it is: {reason}.")
            return
        if reason is not None:
            if write:
                self.verdict = ("yellow", f"{PAGE} not regenerated: {reason}. Run `{REFRESH}` with no selection.")
            return
        behaviours = {record["module"]: record["behaviour"] for record in self.records}
        versions = installed_versions()
        # the last line then reads "830 passed, 1 stale shape page"
        self.keep_page(session, PAGE, render_page(behaviours, rows_from_records(self.records), versions), write,
                       REFRESH, versions, "stale shape page", f"{len(behaviours)} behaviours")

    def keep_page(self, session, page: Path, rendered: str, write: bool, refresh: str, versions: dict[str, str],
                  stale: str, counted: str) -> None:
        """Writes ``rendered`` to ``page`` (``write``) or fails the run when the committed page differs from it,
        the summary saying how to ``refresh`` it and the last line counting one ``stale`` page; ``counted`` says
        what the page holds ("12 cells")."""
        path = self.config.rootpath / page
        committed = path.read_text() if path.exists() else None
        if write:
            if committed != rendered:
                path.parent.mkdir(exist_ok=True)
                path.write_text(rendered)
            state = "unchanged" if committed == rendered else f"regenerated (read `git diff {page}`)"
            self.verdict = ("green", f"{page} {state}: {counted}.")
            return
        message = stale_message(committed, rendered, page, refresh, versions)
        if message:
            self.verdict = ("red", message)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.stats.setdefault(stale, []).append(page)

    def pytest_terminal_summary(self, terminalreporter):
        if self.verdict:
            colour, message = self.verdict
            terminalreporter.write_sep("-", self.title, **{colour: True})
            for line in message.splitlines():
                terminalreporter.line(line, **({colour: True} if colour == "red" else {}))

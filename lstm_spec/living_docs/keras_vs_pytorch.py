"""``docs/keras-vs-pytorch.md``, Keras beside PyTorch, generated from the PyTorch specs' own runs (a pytest plugin).

The specs whose module sets ``DOCUMENTED_ON = "docs/keras-vs-pytorch.md"`` (``specs/test_32`` to
``test_37``) are recorded here instead of on ``docs/shapes.md``: every ``PairRun`` (one stack run in
Keras and in PyTorch with converted weights) and ``TorchRun`` (a PyTorch module alone) a passing
spec gets from a ``cached_run`` builder, through ``models/observe.py`` as the shape page records.
The records travel in ``user_properties``, so ``-n 2`` gives the same page.

The page documents the versions ``requirements/torch-lock.txt`` pins, so it is compared only
there (``python3 suite.py matrix torch``), after a run of every spec that passed: the default
``--pytorch-page=check`` fails the run when the committed page differs, ``write`` rewrites it.
Where PyTorch is missing the specs skip and the page is left alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lstm_spec.living_docs import shapes_page
from lstm_spec.living_docs.outline import docstring_summary
from lstm_spec.models import observe
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS
from lstm_spec.pytorch import RUN_COMMAND
from lstm_spec.pytorch.convert import GATES, TORCH_GATES

RECORDS = "lstm_spec.keras_vs_pytorch"
PAGE = Path("docs") / "keras-vs-pytorch.md"
LOCK = Path("requirements") / "torch-lock.txt"
PACKAGES = (*shapes_page.PACKAGES, ("PyTorch", "torch"))
OPTION = "--pytorch-page"
REFRESH = f"{RUN_COMMAND} {OPTION}=write"
TORCH_GATE_NAMES = {"LSTM": ("i", "f", "g", "o"), "GRU": ("r", "z", "n")}  # PyTorch's own letters


def describe(run) -> dict | None:
    """A PyTorch spec's run as plain data for the page, None for a run of another kind."""
    kind = type(run).__name__
    if kind == "PairRun":
        stack, dims = run.stack, run.dims
        batch, steps, features = dims.shape
        return {"kind": "pair", "layer": stack.layer, "num_layers": stack.num_layers,
                "bidirectional": stack.bidirectional, "units": stack.units, "source": run.source,
                "keras_code": stack.keras_code(), "torch_code": stack.torch_code(features),
                "input_shape": list(dims.shape), "time_major_shape": [steps, batch, features],
                "keras_returns": shapes_page.output_shapes([_Shape(shape) for shape in run.keras_returned]),
                "torch_returns": run.torch_returned,
                "keras_weights": [[name, list(shape)] for name, shape in run.keras_weights],
                "torch_weights": [[name, list(shape)] for name, shape in run.torch_weights]}
    if kind == "TorchRun":
        returns = [run.output, *run.states]
        return {"kind": "torch", "code": run.case.code(), "input_shape": list(run.inputs.shape),
                "returns": shapes_page.output_shapes([_Shape(array.shape) for array in returns])}
    return None


class _Shape:
    """Anything with ``.shape`` (what ``shapes_page.output_shapes`` prints)."""

    def __init__(self, shape):
        self.shape = tuple(shape)


def parameters(weights) -> int:
    total = 0
    for _, shape in weights:
        count = 1
        for size in shape:
            count *= size
        total += count
    return total


def _is_page_point(run: dict) -> bool:
    """The page's own example: LSTM(5) on (2, 9, 3), the row whose calls and weights a section shows."""
    return run["units"] == PAGE_UNITS and tuple(run["input_shape"]) == PAGE_DIMS.shape


def _shape(shape) -> str:
    return str(tuple(shape))


def stack_title(run: dict) -> str:
    parts = [run["layer"]] + [f"{run['num_layers']} layers"] * (run["num_layers"] > 1)
    return ", ".join(parts + ["bidirectional"] * run["bidirectional"])


def mapping_lines() -> list[str]:
    """The weight mapping, from the converter's own tables."""
    lines = ["| | Keras | PyTorch |", "|---|---|---|"]
    for layer in GATES:
        places = ", ".join(f"{gate} to block {TORCH_GATES[layer].index(gate)} "
                           f"({TORCH_GATE_NAMES[layer][TORCH_GATES[layer].index(gate)]})" for gate in GATES[layer])
        lines.append(f"| {layer} gate blocks | {', '.join(GATES[layer])} (column blocks) "
                     f"| {', '.join(TORCH_GATE_NAMES[layer])} (row blocks): Keras' {places} |")
    lines += [
        "| input weights | `kernel` (features, gates*units) | `weight_ih_l{k}` (gates*units, features): the transpose |",
        "| recurrent weights | `recurrent_kernel` (units, gates*units) | `weight_hh_l{k}` (gates*units, units): the transpose |",
        "| LSTM bias | `bias` (gates*units,) | `bias_ih_l{k}` + `bias_hh_l{k}`: from Keras the bias and zeros; to Keras their sum |",
        "| GRU bias (`reset_after=True`) | `bias` (2, gates*units): input row, recurrent row | `bias_ih_l{k}`, `bias_hh_l{k}` |",
        "| GRU `reset_after=False` | reset gate before the recurrent matmul | no equivalent: the converter refuses it |",
        "| backward direction | `Bidirectional(...).backward_layer` | `..._l{k}_reverse` |",
        "| final states | one tensor per layer and direction | `h_n[layer*directions + direction]` (and `c_n`) |",
    ]
    return lines


def _merge(records: list[dict]) -> tuple[dict, dict]:
    """Pair rows and PyTorch-only rows, each keyed by what it shows, with the sources and specs that ran it."""
    pairs, alone = {}, {}
    for record in records:
        for run in record["runs"]:
            table = pairs if run["kind"] == "pair" else alone
            key = tuple(sorted((name, str(value)) for name, value in run.items() if name != "source"))
            entry = table.setdefault(key, {"run": run, "sources": set(), "specs": set()})
            entry["sources"].add(run.get("source", ""))
            entry["specs"].add(record["module"])
    return pairs, alone


def _spec_links(modules) -> str:
    return ", ".join(f"[{Path(module).stem.split('_')[1]}](../{module})" for module in sorted(modules))


def render_page(behaviours: dict[str, str], records: list[dict], versions: dict[str, str]) -> str:
    version_text = ", ".join(f"{name} {version}" for name, version in versions.items())
    lines = [
        "# Keras and PyTorch side by side",
        "",
        f"Generated by `{REFRESH}` from the specs' own runs on {version_text}.",
        f"Do not edit by hand: a full run of `{RUN_COMMAND}` fails when this page differs from what the specs observe.",
        "",
        "Keras reads `(batch, seq_len, features)`. PyTorch's `nn.LSTM`/`nn.GRU` read `(seq_len, batch, features)`",
        "unless `batch_first=True`: the time-major reading. Both columns below were run with the same weights,",
        "converted by `lstm_spec.pytorch.convert`, and give the same numbers within the suite's tolerance.",
        "",
        "## The specs",
        "",
    ]
    lines += [f"- [{Path(module).name}](../{module}): {behaviours[module]}" for module in sorted(behaviours)]
    lines += ["", "## Weight mapping", "", *mapping_lines(), ""]
    pairs, alone = _merge(records)
    groups: dict[tuple, list[dict]] = {}
    for entry in pairs.values():
        run = entry["run"]
        groups.setdefault((run["layer"] != "LSTM", run["bidirectional"], run["num_layers"]), []).append(entry)
    for _, entries in sorted(groups.items()):
        entries.sort(key=lambda entry: (entry["run"]["units"], entry["run"]["input_shape"]))
        shown = next((entry["run"] for entry in entries if _is_page_point(entry["run"])), entries[0]["run"])
        lines += [f"## {stack_title(shown)}", "",
                  f"Keras: `{shown['keras_code']}` (each layer returns its sequence and its states).",
                  f"PyTorch: `{shown['torch_code']}`.", "",
                  "| units | Keras input | Keras returns (last layer) | PyTorch input, batch_first=True / default "
                  "| PyTorch returns (output, states) | parameters Keras / PyTorch | weights from | specs |",
                  "|---|---|---|---|---|---|---|---|"]
        for entry in entries:
            run = entry["run"]
            lines.append(
                f"| {run['units']} | {_shape(run['input_shape'])} | {run['keras_returns']} "
                f"| {_shape(run['input_shape'])} / {_shape(run['time_major_shape'])} | {run['torch_returns']} "
                f"| {parameters(run['keras_weights'])} / {parameters(run['torch_weights'])} "
                f"| {', '.join(sorted(entry['sources']))} | {_spec_links(entry['specs'])} |")
        lines += ["", *layout_lines(shown), ""]
    if alone:
        lines += ["## PyTorch modules on their own", "",
                  "Seeded with `torch.manual_seed`; the input is the suite's data as the module reads it.", "",
                  "| module | input | returns: output, h_n[, c_n] | specs |", "|---|---|---|---|"]
        for entry in sorted(alone.values(), key=lambda entry: shapes_page.natural_key(
                entry["run"]["code"] + str(entry["run"]["input_shape"]))):
            run = entry["run"]
            lines.append(f"| `{shapes_page.cell(run['code'])}` | {_shape(run['input_shape'])} | {run['returns']} "
                         f"| {_spec_links(entry['specs'])} |")
        lines.append("")
    return "\n".join(lines)


def layout_lines(run: dict) -> list[str]:
    """The weights of one row, side by side: each Keras weight and the PyTorch parameters of the same cell."""
    keras_per_cell, torch_per_cell = _per_cell(run["keras_weights"]), _per_cell(run["torch_weights"])
    lines = [f"Weights for units={run['units']}, {run['input_shape'][2]} features, cell by cell:", "",
             "| Keras weight | shape | PyTorch parameters | shapes |", "|---|---|---|---|"]
    for keras_cell, torch_cell in zip(keras_per_cell, torch_per_cell):
        lines.append(f"| {', '.join(f'`{name}`' for name, _ in keras_cell)} "
                     f"| {', '.join(_shape(shape) for _, shape in keras_cell)} "
                     f"| {', '.join(f'`{name}`' for name, _ in torch_cell)} "
                     f"| {', '.join(_shape(shape) for _, shape in torch_cell)} |")
    return lines


def _per_cell(weights) -> list[list]:
    """Weights grouped by cell: a new cell starts at each input weight (``kernel``, ``weight_ih``)."""
    cells: list[list] = []
    for name, shape in weights:
        if name.rsplit("/", 1)[-1] == "kernel" or name.startswith("weight_ih"):
            cells.append([])
        cells[-1].append((name, shape))
    return cells


# ----------------------------------------------------------------------------------------------
# The plugin


def pytest_addoption(parser):
    parser.getgroup("lstm_spec").addoption(
        OPTION, choices=("check", "write", "off"), default="check",
        help=f"after a full, passing run where PyTorch is installed: check (default) that {PAGE} is what the "
             "PyTorch specs observe, write it, or do neither",
    )


_RUNS = pytest.StashKey[dict]()


def documents_here(item) -> bool:
    return shapes_page.documented_on(item) == PAGE.as_posix()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    runs = item.stash[_RUNS] = {}
    with observe.observing(lambda run: runs.setdefault(id(run), run)):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    if call.when == "call" and documents_here(item):
        described = [describe(run) for run in item.stash.get(_RUNS, {}).values()]
        item.user_properties.append((RECORDS, {
            "module": item.location[0],
            "behaviour": docstring_summary(getattr(item, "module", None), first_line=True) or item.location[0],
            "runs": [run for run in described if run is not None],
        }))
    return (yield)


def pytest_configure(config):
    if config.getoption("pytorch_page") != "off" and not hasattr(config, "workerinput"):
        config.pluginmanager.register(TorchPageKeeper(config), "lstm_spec-keras-vs-pytorch-page")


class TorchPageKeeper(shapes_page.PageKeeper):
    """Collects the PyTorch specs' records on the reporting process and keeps their page."""

    records_key = RECORDS
    title = "Keras and PyTorch page"

    def skip_reason(self, session) -> str | None:
        """Why the page is not compared on this run, None when it is."""
        reason = shapes_page.partial_run_reason(self.config)
        if reason is None and (self.failed or session.exitstatus != pytest.ExitCode.OK):
            reason = "not every spec passed"
        if reason is None and not self.records:
            reason = f"no PyTorch spec ran (they skip where PyTorch is not installed; `{RUN_COMMAND}` runs them)"
        if reason is None:
            lock = self.config.rootpath / LOCK
            locked = shapes_page.locked_versions(lock.read_text() if lock.exists() else "", PACKAGES)
            reason = shapes_page.versions_reason(shapes_page.installed_versions(PACKAGES), locked, LOCK)
        return reason

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session):
        reason = self.skip_reason(session)
        write = self.config.getoption("pytorch_page") == "write"
        if reason is not None:
            if write or self.records:
                self.verdict = ("yellow", f"{PAGE} left as it is: {reason}.")
            return
        behaviours = {record["module"]: record["behaviour"] for record in self.records}
        versions = shapes_page.installed_versions(PACKAGES)
        self.keep_page(session, PAGE, render_page(behaviours, self.records, versions), write, REFRESH, versions,
                       "stale keras-vs-pytorch page", f"{len(behaviours)} behaviours")

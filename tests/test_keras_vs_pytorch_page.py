"""docs/keras-vs-pytorch.md: what a PyTorch spec's run records, the rendered page, and when a run compares it.

These run without PyTorch: the runs are built from NumPy arrays, as the specs' runs print them.
"""

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from lstm_spec.living_docs import keras_vs_pytorch as page
from lstm_spec.living_docs.shapes_page import documented_on, locked_versions, stale_message, versions_reason
from lstm_spec.models.configs import PAGE_DIMS, InputDims
from lstm_spec.pytorch.stacks import PairRun, Stack, StackOutputs
from lstm_spec.pytorch.torch_runs import TorchCase, TorchRun

VERSIONS = {"TensorFlow": "2.21.0", "Keras": "3.15.1", "NumPy": "2.4.6", "PyTorch": "2.13.0+cpu"}
ROOT = Path(__file__).resolve().parents[1]


def pair_run(stack=Stack("LSTM", 5), dims=PAGE_DIMS, source="Keras") -> PairRun:
    """A PairRun of a one-layer stack, shapes as the specs' runs have them (values zero)."""
    batch, steps, features = dims.shape
    gates, units = {"LSTM": 4, "GRU": 3}[stack.layer], stack.units
    outputs = StackOutputs(np.zeros((batch, steps, units)), np.zeros((1, batch, units)))
    keras_weights = (("lstm/lstm_cell/kernel", (features, gates * units)),
                     ("lstm/lstm_cell/recurrent_kernel", (units, gates * units)),
                     ("lstm/lstm_cell/bias", (gates * units,)))
    torch_weights = (("weight_ih_l0", (gates * units, features)), ("weight_hh_l0", (gates * units, units)),
                     ("bias_ih_l0", (gates * units,)), ("bias_hh_l0", (gates * units,)))
    return PairRun(stack, dims, source, np.zeros(dims.shape), outputs, outputs,
                   ((batch, steps, units), (batch, units), (batch, units)),
                   f"(({batch}, {steps}, {units}), ((1, {batch}, {units}), (1, {batch}, {units})))",
                   (), keras_weights, torch_weights, None)


def record(module, runs, behaviour="A behaviour."):
    return {"module": module, "behaviour": behaviour, "runs": [page.describe(run) for run in runs]}


def test_describe_pair_run_reads_both_sides():
    """A pair run records the Keras and PyTorch calls, both input layouts, what each returned and the weights."""
    described = page.describe(pair_run())
    assert "LSTM(5, return_sequences=True, return_state=True)" == described["keras_code"]
    assert "nn.LSTM(3, 5, batch_first=True)" == described["torch_code"]
    assert ([2, 9, 3], [9, 2, 3]) == (described["input_shape"], described["time_major_shape"])
    assert "[(2, 9, 5), (2, 5), (2, 5)]" == described["keras_returns"]
    assert (180, 200) == (page.parameters(described["keras_weights"]), page.parameters(described["torch_weights"]))


def test_describe_torch_run_and_ignore_other_runs():
    """A PyTorch module alone records its call, its input as it read it and what it returned; other runs record nothing."""
    case = TorchCase(Stack("GRU", 5, num_layers=2), InputDims(2, 9, 3), batch_first=False)
    run = TorchRun(case, None, np.zeros((9, 2, 3)), np.zeros((9, 2, 5)), (np.zeros((2, 2, 5)),))
    assert {"kind": "torch", "code": "nn.GRU(3, 5, num_layers=2)", "input_shape": [9, 2, 3],
            "returns": "[(9, 2, 5), (2, 2, 5)]"} == page.describe(run)
    assert page.describe(SimpleNamespace()) is None


def test_page_merges_sources_orders_sections_and_shows_the_page_point():
    """One row per point with both sources; LSTM before GRU; a section shows the page's point's calls and weights."""
    records = [record("specs/test_37_torch_equal_outputs.py",
                      [pair_run(Stack("GRU", 5)), pair_run(Stack("LSTM", 1)), pair_run(), pair_run(source="PyTorch")],
                      "37. Equal outputs.")]
    text = page.render_page({"specs/test_37_torch_equal_outputs.py": "37. Equal outputs."}, records, VERSIONS)
    assert text.index("## LSTM\n") < text.index("## GRU\n")
    lstm = text[text.index("## LSTM\n"):text.index("## GRU\n")]
    assert "PyTorch: `nn.LSTM(3, 5, batch_first=True)`." in lstm
    assert "Weights for units=5, 3 features, cell by cell:" in lstm
    assert 1 == lstm.count("| 5 | (2, 9, 3) |")
    assert "| 180 / 200 | Keras, PyTorch | [37](../specs/test_37_torch_equal_outputs.py) |" in lstm
    assert "PyTorch 2.13.0+cpu" in text.splitlines()[2]


def test_weight_mapping_comes_from_the_converter():
    """The mapping table says where each Keras gate block goes, as the converter's tables have it."""
    lines = page.mapping_lines()
    assert "| GRU gate blocks | z, r, h (column blocks) | r, z, n (row blocks): Keras' z to block 1 (z), r to " \
           "block 0 (r), h to block 2 (n) |" in lines
    assert "| LSTM gate blocks | i, f, c, o (column blocks) | i, f, g, o (row blocks): Keras' i to block 0 (i), " \
           "f to block 1 (f), c to block 2 (g), o to block 3 (o) |" in lines


def test_page_documents_the_torch_lock_versions():
    """The page is compared only on the versions requirements/torch-lock.txt pins, PyTorch included."""
    lock = "keras==3.15.1\nnumpy==2.4.6\ntensorflow==2.21.0\ntorch==2.13.0+cpu\n"
    locked = locked_versions(lock, page.PACKAGES)
    assert VERSIONS == locked
    assert versions_reason(VERSIONS, locked, page.LOCK) is None
    reason = versions_reason({**VERSIONS, "PyTorch": "not installed"}, locked, page.LOCK)
    assert "PyTorch not installed (locked 2.13.0+cpu); the page documents the versions requirements/torch-lock.txt pins" \
        == reason.split("installed here: ", 1)[1]


def test_stale_page_names_the_torch_refresh_command():
    """A stale page says what differs and the command that refreshes it in the PyTorch environment."""
    message = stale_message("old\n", "new\n", page.PAGE, page.REFRESH, VERSIONS)
    assert "docs/keras-vs-pytorch.md is stale" in message and "+new" in message
    assert "Refresh it with: python3 suite.py matrix torch --pytorch-page=write" in message


def test_pytorch_specs_record_on_their_own_page():
    """A spec module setting DOCUMENTED_ON records there; the others record on docs/shapes.md."""
    torch_spec = SimpleNamespace(module=SimpleNamespace(DOCUMENTED_ON="docs/keras-vs-pytorch.md"))
    assert "docs/keras-vs-pytorch.md" == documented_on(torch_spec)
    assert "docs/shapes.md" == documented_on(SimpleNamespace(module=SimpleNamespace()))
    for spec in sorted((ROOT / "specs").glob("test_3[2-7]_torch_*.py")):
        assert 'DOCUMENTED_ON = "docs/keras-vs-pytorch.md"' in spec.read_text(), spec.name


FAKE_SPEC = '''
"""32. A PyTorch module, faked."""
import numpy as np
import pytest
from lstm_spec.models import observe

DOCUMENTED_ON = "docs/keras-vs-pytorch.md"


class Case:
    def code(self):
        return "nn.GRU(3, 5)"


class TorchRun:
    case, inputs, output, states = Case(), np.zeros((9, 2, 3)), np.zeros((9, 2, 5)), (np.zeros((1, 2, 5)),)


def test_module():
    """One module run is reported."""
    observe.report(TorchRun())
    assert {passes}
'''


def make_torch_project(pytester, passes="True"):
    pytester.makeini("[pytest]\npythonpath = .\n")
    (pytester.path / "requirements").mkdir(exist_ok=True)
    (pytester.path / page.LOCK).write_text("".join(f"{package}=={version}\n" for package, version in
                                                   zip(("tensorflow", "keras", "numpy", "torch"), VERSIONS.values())))
    (pytester.path / "specs").mkdir(exist_ok=True)
    (pytester.path / "specs" / "test_32_fake.py").write_text(FAKE_SPEC.format(passes=passes))


def run_torch_page(pytester, *arguments):
    return pytester.runpytest_inprocess("-p", "lstm_spec.living_docs.keras_vs_pytorch", "-p", "no:cacheprovider",
                                        "specs", *arguments)


@pytest.fixture
def torch_project(pytester, monkeypatch):
    """A project whose installed versions are the fake torch lock's (the versions' lookup is replaced)."""
    installed = dict(zip(("tensorflow", "keras", "numpy", "torch"), VERSIONS.values()))
    monkeypatch.setattr("lstm_spec.living_docs.shapes_page.installed_version", installed.__getitem__)
    make_torch_project(pytester)
    return pytester


def test_torch_page_write_then_check_then_stale(torch_project):
    """write generates the page; a check passes on it; an edited page fails the run, naming the refresh command."""
    run_torch_page(torch_project, "--pytorch-page=write").assert_outcomes(passed=1)
    text = (torch_project.path / page.PAGE).read_text()
    assert "| `nn.GRU(3, 5)` | (9, 2, 3) | [(9, 2, 5), (1, 2, 5)] | [32](../specs/test_32_fake.py) |" in text
    assert pytest.ExitCode.OK == run_torch_page(torch_project).ret
    (torch_project.path / page.PAGE).write_text(text.replace("(1, 2, 5)]", "(2, 2, 5)]"))
    stale = run_torch_page(torch_project)
    assert pytest.ExitCode.TESTS_FAILED == stale.ret
    stale.stdout.fnmatch_lines(["*docs/keras-vs-pytorch.md is stale*", f"Refresh it with: {page.REFRESH}*",
                                "*1 passed, 1 stale keras-vs-pytorch page*"])


def test_torch_page_left_alone_by_failing_or_partial_runs(torch_project):
    """A failing spec or a -k selection neither writes nor checks the page, and says why."""
    run_torch_page(torch_project, "-k", "module", "--pytorch-page=write").stdout.fnmatch_lines(
        ["docs/keras-vs-pytorch.md left as it is: -k selects part of the specs."])
    make_torch_project(torch_project, passes="False")
    run_torch_page(torch_project, "--pytorch-page=write").stdout.fnmatch_lines(
        ["docs/keras-vs-pytorch.md left as it is: not every spec passed."])
    assert not (torch_project.path / page.PAGE).exists()

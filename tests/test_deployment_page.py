"""docs/deployment.md: the rendered cells, and when a run writes, checks or leaves the page alone.

These run without the deployment runtimes: the cells are what the deploy specs record, faked.
"""

import importlib

import pytest

from lstm_spec.deploy.cell_text import SHOWN_ERROR_CHARS
from lstm_spec.deploy.observed import Cell
from lstm_spec.living_docs import deployment_page as page
from lstm_spec.living_docs.shapes_page import locked_versions

VERSIONS = {"TensorFlow": "2.21.0", "Keras": "3.15.1", "NumPy": "2.4.6", "ai-edge-litert": "2.3.0", "onnx": "1.23.2",
            "onnxruntime": "1.32.0", "tf2onnx": "1.17.0", "OpenVINO": "2026.4.1"}
DISTRIBUTIONS = dict(zip(("tensorflow", "keras", "numpy", "ai-edge-litert", "onnx", "onnxruntime", "tf2onnx",
                          "openvino"), VERSIONS.values()))
ONNX_RUNS = {"runtime": "onnxruntime 1.32.0", "outcome": "runs", "op": "LSTM", "difference": 1.1920928955078125e-07,
             "inputs": [["keras_tensor", [None, 9, 3], "float32"]], "outputs": [["Identity:0", [None, 5], "float32"]],
             "resize": {"shorter": "resize: InvalidArgument: [ONNXRuntimeError] : 2 : INVALID_ARGUMENT : Got invalid "
                                   "dimensions for input", "batch+1": "runs"},
             "specs": ["specs/test_49_deployed_onnx.py::test_op[page_lstm]",
                       "specs/test_49_deployed_onnx.py::test_tensors[page_lstm]"]}
LITERT_FAILS = {"runtime": "ai_edge_litert 2.3.0", "outcome": "fails", "error": "run: RuntimeError: " + "x" * 300,
                "specs": ["specs/test_48_deployed_litert.py::test_a[export-litert-page_lstm]"]}


def test_a_cell_that_runs_shows_its_tensors_op_difference_and_resizes():
    """One row per cell: dynamic dimensions as None, the op, the difference, each resize, a link to its spec."""
    text = page.render_page({Cell("onnx", "export-onnx", "page_lstm"): ONNX_RUNS}, VERSIONS)
    assert ("| page_lstm | export-onnx | onnxruntime 1.32.0 | `keras_tensor` (None, 9, 3) float32 "
            "| `Identity:0` (None, 5) float32 | LSTM | runs, ≤ 1e-06 "
            "| batch+1: runs; shorter: resize: InvalidArgument: Got invalid dimensions for input "
            "| [49](../specs/test_49_deployed_onnx.py) |") in text
    assert "on TensorFlow 2.21.0, Keras 3.15.1, NumPy 2.4.6, ai-edge-litert 2.3.0, onnx 1.23.2" in text


def test_a_cell_that_fails_shows_its_error_cut_and_formats_keep_their_order():
    """A failing cell shows its step and type and names its message, written once under the table (a long one cut,
    saying so); LiteRT's section comes before ONNX's."""
    text = page.render_page({Cell("onnx", "export-onnx", "page_lstm"): ONNX_RUNS,
                             Cell("litert", "export-litert", "page_lstm"): LITERT_FAILS}, VERSIONS)
    assert text.index("## LiteRT (TFLite)") < text.index("## ONNX")
    assert "| fails at run: RuntimeError [E1] |  |" in text
    assert f"Errors:\n\n- **E1**: {'x' * SHOWN_ERROR_CHARS} ...\n" in text
    assert "2 cells: 1 run, 1 fail." in text


def test_a_long_message_is_written_once_for_every_cell_that_gives_it():
    """Two cells failing with one long message name one note; a short message stays in its cell."""
    short = {**LITERT_FAILS, "error": "run: ValueError: Invalid Input name (x) for SignatureDef"}
    text = page.render_page({Cell("litert", "export-litert", "page_lstm"): LITERT_FAILS,
                             Cell("litert", "from_keras_model", "page_lstm"): LITERT_FAILS,
                             Cell("litert", "export-litert", "stateful"): short}, VERSIONS)
    assert 2 == text.count("| fails at run: RuntimeError [E1] |")
    assert 1 == text.count("- **E1**: ") and "- **E2**" not in text
    assert "| fails at run: ValueError: Invalid Input name (x) for SignatureDef |" in text


def test_a_difference_that_moves_from_run_to_run_leaves_the_page_as_it_was():
    """The page shows the bound a run's difference is checked against, so runs differing by thread noise agree."""
    noisy = {**ONNX_RUNS, "difference": 8.9e-08}
    assert (page.render_page({Cell("onnx", "export-onnx", "page_lstm"): ONNX_RUNS}, VERSIONS)
            == page.render_page({Cell("onnx", "export-onnx", "page_lstm"): noisy}, VERSIONS))


def test_the_first_table_marks_what_runs_where():
    """At a glance: one row per model, one column per format and path, ✓ with the op or ✗ with the failing step."""
    text = page.render_page({Cell("onnx", "export-onnx", "page_lstm"): ONNX_RUNS,
                             Cell("litert", "export-litert", "page_lstm"): LITERT_FAILS,
                             Cell("litert", "export-litert", "stateful"): {**ONNX_RUNS, "op": "WHILE"}}, VERSIONS)
    assert ("| model | LiteRT (TFLite): export-litert | ONNX: export-onnx |\n|---|---|---|\n"
            "| page_lstm | ✗ run | ✓ LSTM |\n| stateful | ✓ WHILE |  |\n") in text
    assert text.index("## At a glance") < text.index("## LiteRT (TFLite)")


def test_bad_input_cells_have_their_own_table():
    """A cell of a damaged artifact (spec 51) is listed under Bad input, not among the exports."""
    text = page.render_page({Cell("onnx", "export-onnx", "page_lstm:truncated"): {
        "runtime": "onnxruntime 1.32.0", "outcome": "fails", "error": "load: InvalidProtobuf: Protobuf parsing failed",
        "specs": ["specs/test_51_deployed_bad_input.py::test_a[onnxruntime-truncated]"]}}, VERSIONS)
    assert "## ONNX" not in text and "0 cells: 0 run, 0 fail." in text
    assert ("| onnxruntime 1.32.0 | onnx | export-onnx | page_lstm:truncated | fails at load: InvalidProtobuf: Protobuf "
            "parsing failed | [51](../specs/test_51_deployed_bad_input.py) |") in text


def test_the_page_documents_the_deploy_lock():
    """The page's versions are the ones requirements/deploy-lock.txt pins, each runtime included."""
    lock = "".join(f"{name}=={version}\n" for name, version in DISTRIBUTIONS.items())
    assert VERSIONS == locked_versions(lock, page.PACKAGES)
    assert "requirements/deploy-lock.txt" == page.LOCK.as_posix()


FAKE_SPEC = '''
"""48. A deploy spec, faked."""
from lstm_spec.deploy import observed


def test_cell(request):
    """One cell is recorded."""
    observed.record(request, observed.Cell("onnx", "export-onnx", "page_lstm"), runtime="onnxruntime 1.32.0",
                    outcome="runs", op="LSTM", difference=1e-7, inputs=[["x", [None, 9, 3], "float32"]])
    assert {passes}
'''


def make_deploy_project(pytester, passes="True"):
    pytester.makeini("[pytest]\npythonpath = .\n")
    (pytester.path / "requirements").mkdir(exist_ok=True)
    (pytester.path / page.LOCK).write_text("".join(f"{name}=={version}\n" for name, version in DISTRIBUTIONS.items()))
    (pytester.path / "specs").mkdir(exist_ok=True)
    (pytester.path / "specs" / "test_48_fake.py").write_text(FAKE_SPEC.format(passes=passes))


def run_deploy_page(pytester, *arguments):
    return pytester.runpytest_inprocess("-p", "lstm_spec.living_docs.deployment_page", "-p", "no:cacheprovider",
                                        "specs", *arguments)


@pytest.fixture
def deploy_project(pytester, monkeypatch):
    """A project whose installed versions are the fake deploy lock's (the versions' lookup is replaced)."""
    monkeypatch.setattr("lstm_spec.living_docs.shapes_page.installed_version", DISTRIBUTIONS.__getitem__)
    monkeypatch.setattr("lstm_spec.models.backend.KERAS_BACKEND", "tensorflow")
    make_deploy_project(pytester)
    return pytester


def test_page_write_then_check_then_stale(deploy_project):
    """write generates the page; a check passes on it; an edited page fails the run, naming the refresh command."""
    run_deploy_page(deploy_project, "--deployment-page=write").assert_outcomes(passed=1)
    text = (deploy_project.path / page.PAGE).read_text()
    assert "| page_lstm | export-onnx | onnxruntime 1.32.0 | `x` (None, 9, 3) float32 |  | LSTM | runs, ≤ 1e-06 |" in text
    assert pytest.ExitCode.OK == run_deploy_page(deploy_project).ret
    (deploy_project.path / page.PAGE).write_text(text.replace("(None, 9, 3)", "(2, 9, 3)"))
    stale = run_deploy_page(deploy_project)
    assert pytest.ExitCode.TESTS_FAILED == stale.ret
    stale.stdout.fnmatch_lines(["*docs/deployment.md is stale*", "-| page_lstm | export-onnx *(2, 9, 3)*",
                                "Refresh it with: python3 suite.py matrix deploy --deployment-page=write*",
                                "*1 passed, 1 stale deployment page*"])


def test_page_left_alone_by_partial_failing_or_other_runs(deploy_project, monkeypatch):
    """A -k selection, a failing spec or other versions neither write nor check the page, and say why."""
    run_deploy_page(deploy_project, "-k", "cell", "--deployment-page=write").stdout.fnmatch_lines(
        ["docs/deployment.md left as it is: -k selects part of the specs."])
    make_deploy_project(deploy_project, passes="False")
    run_deploy_page(deploy_project, "--deployment-page=write").stdout.fnmatch_lines(
        ["docs/deployment.md left as it is: not every spec passed."])
    make_deploy_project(deploy_project)
    monkeypatch.setattr("lstm_spec.living_docs.shapes_page.installed_version",
                        {**DISTRIBUTIONS, "onnxruntime": "not installed"}.__getitem__)
    run_deploy_page(deploy_project, "--deployment-page=write").stdout.fnmatch_lines(
        ["docs/deployment.md left as it is: installed here: onnxruntime not installed (locked 1.32.0)*"])
    quiet = run_deploy_page(deploy_project)
    assert pytest.ExitCode.OK == quiet.ret and "deployment.md" not in quiet.stdout.str()
    assert not (deploy_project.path / page.PAGE).exists()


def test_page_left_alone_by_the_whole_matrix(deploy_project, monkeypatch):
    """LSTM_SPEC_DEPLOY_ALL=1 records every catalog case: the page, of the default selection, is left alone."""
    # The module the plugin imports: an earlier inline run may have imported it, and pytester then dropped it
    # from sys.modules (its package still holds that copy).
    artifacts = importlib.import_module("lstm_spec.deploy.artifacts")
    monkeypatch.setattr(artifacts, "WHOLE_MATRIX", True)
    run_deploy_page(deploy_project, "--deployment-page=write").stdout.fnmatch_lines(
        ["docs/deployment.md left as it is: LSTM_SPEC_DEPLOY_ALL=1 runs every catalog case*"])
    assert not (deploy_project.path / page.PAGE).exists()

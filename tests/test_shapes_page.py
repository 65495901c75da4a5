"""docs/shapes.md: rows from recorded runs, the rendered page, when a run may compare it, and staleness."""

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from lstm_spec.models import era
from lstm_spec.models.backend import needs_tensorflow
from lstm_spec.living_docs.shapes_page import (LOCK, PAGE, REFRESH, ShapeRow, describe, installed_versions, locked_versions,
                                   partial_run_reason, render_page, rows_from_records, stale_message, versions_reason)

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = {"TensorFlow": "2.21.0", "Keras": "3.15.1", "NumPy": "2.4.6"}


def writes_the_page(what: str):
    """A test that has the page written or checked: on the TensorFlow backend, without the deployment runtimes
    (``matrix deploy`` leaves the page alone: ``shapes_page._deploy_reason``)."""
    from lstm_spec.living_docs.shapes_page import _deploy_reason

    def mark(test):
        reason = _deploy_reason()
        return pytest.mark.skipif(reason is not None, reason=f"{what}: {reason}")(needs_tensorflow(what)(test))

    return mark


class FakeRun:
    """Prints like the suite's runs: '<configuration> on input <shape>'."""

    def __init__(self, configuration, inputs, outputs, weights=(), model=None):
        self.configuration, self.inputs, self.outputs, self.weights, self.model = (
            configuration, inputs, outputs, weights, model)

    def __str__(self):
        return f"{self.configuration} on input {tuple(self.inputs.shape)}"


def record(module, runs, snapshots=(), behaviour="A behaviour.", spec="test_a"):
    return {"module": module, "behaviour": behaviour, "spec": spec, "runs": runs, "snapshots": list(snapshots)}


def run_data(configuration, input_shape=(2, 9, 3), outputs="(2, 5)", params=180, compared=False):
    return {"configuration": configuration, "input_shape": list(input_shape), "output_shapes": outputs,
            "params": params, "compared": compared}


def test_describe_reads_configuration_shapes_and_parameters():
    """A run's configuration is its text without the input; several outputs print as a list; weights give the count."""
    zeros = np.zeros
    run = FakeRun("LSTM(units=5,return_state=True) with masked", zeros((2, 9, 3)),
                  [zeros((2, 5)), zeros((2, 5)), zeros((2, 5))], weights=(zeros((3, 20)), zeros((5, 20)), zeros(20)))
    assert {"configuration": "LSTM(units=5,return_state=True) with masked", "input_shape": [2, 9, 3],
            "output_shapes": "[(2, 5), (2, 5), (2, 5)]", "params": 180} == describe(run)


def test_composite_models_show_their_layers():
    """A section 7-9 model shows as its layers with the arguments that differ from their defaults, not its builder's name."""
    from lstm_spec.living_docs.shapes_page import layer_text
    from lstm_spec.models.keras_under_test import keras

    layers = keras.layers

    shown = [layer_text(layer) for layer in (
        layers.Conv1D(filters=2, kernel_size=2, padding="same"), layers.MaxPooling1D(pool_size=2),
        layers.TimeDistributed(layers.Flatten()), layers.LSTM(5, return_sequences=True),
        layers.Conv1D(64, 2, activation="relu"), layers.Reshape(target_shape=(3, 3, 3)),
        layers.Bidirectional(layers.GRU(4)), layers.Dense(3))]
    assert ["Conv1D(filters=2,kernel_size=2,padding='same')", "MaxPooling1D()", "TimeDistributed(Flatten())",
            "LSTM(units=5,return_sequences=True)", "Conv1D(filters=64,kernel_size=2,activation='relu')",
            "Reshape(target_shape=(3, 3, 3))", "Bidirectional(GRU(units=4))", "Dense(units=3)"] == shown


def test_rows_merge_repeated_runs_and_their_snapshots():
    """The same run seen by two specs is one row, linking every snapshot file that pinned it."""
    records = [record("specs/test_02.py", [run_data("LSTM(units=5)")], ["specs/__snapshots__/s/test_02.ambr"]),
               record("specs/test_02.py", [run_data("LSTM(units=5)")]),
               record("specs/test_02.py", [run_data("LSTM(units=5)")], ["specs/__snapshots__/p/test_02.ambr"])]
    expected = [ShapeRow("specs/test_02.py", "LSTM(units=5)", (2, 9, 3), "(2, 5)", 180,
                         ("specs/__snapshots__/p/test_02.ambr", "specs/__snapshots__/s/test_02.ambr"),
                         (("test_a", False),))]
    assert expected == rows_from_records(records)


def test_rows_name_their_specs_and_mark_comparisons():
    """A row names every spec that made its run; one made only to compare with a spec's own case is marked."""
    records = [record("specs/test_03.py", [run_data("LSTM(units=5,return_sequences=True)"),
                                           run_data("LSTM(units=5)", compared=True)], spec="test_last_step"),
               record("specs/test_03.py", [run_data("LSTM(units=5,return_sequences=True)")], spec="test_shape"),
               record("specs/test_03.py", [run_data("LSTM(units=5)")], spec="test_own"),
               record("specs/test_03.py", [run_data("LSTM(units=5)", compared=True)], spec="test_own")]
    rows = {row.configuration: row.specs for row in rows_from_records(records)}
    assert {"LSTM(units=5,return_sequences=True)": (("test_last_step", False), ("test_shape", False)),
            "LSTM(units=5)": (("test_last_step", True), ("test_own", False))} == rows
    page = render_page({"specs/test_03.py": "3. Sequences."}, rows_from_records(records), VERSIONS)
    assert ("| `LSTM(units=5)` | (2, 9, 3) | (2, 5) | 180 | [test_last_step](../specs/test_03.py) *(comparison)*, "
            "[test_own](../specs/test_03.py) |  |") in page.splitlines()


def test_page_has_versions_tables_links_and_grid_order():
    """The header names the versions; rows sort units=5 before units=10 and link the spec and the snapshot."""
    rows = [ShapeRow("specs/test_02_output.py", "LSTM(units=10)", (2, 9, 3), "(2, 10)", 560),
            ShapeRow("specs/test_02_output.py", "LSTM(units=5)", (2, 9, 3), "(2, 5)", 180,
                     ("specs/__snapshots__/seeded-keras3/test_02_output.ambr",))]
    page = render_page({"specs/test_02_output.py": "2. Output.", "specs/test_11_seeds.py": "11. Seeds."}, rows, VERSIONS)
    assert "from the specs' own runs on TensorFlow 2.21.0, Keras 3.15.1, NumPy 2.4.6." in page
    spec = "[test_02_output.py](../specs/test_02_output.py)"
    snapshot = "[seeded-keras3/test_02_output.ambr](../specs/__snapshots__/seeded-keras3/test_02_output.ambr)"
    table = [line for line in page.splitlines() if line.startswith("| `")]
    assert [f"| `LSTM(units=5)` | (2, 9, 3) | (2, 5) | 180 | {spec} | {snapshot} |",
            f"| `LSTM(units=10)` | (2, 9, 3) | (2, 10) | 560 | {spec} |  |"] == table
    assert "## 11. Seeds.\n\nSpec: [test_11_seeds.py](../specs/test_11_seeds.py)\n\nNo model calls recorded" in page


def test_page_escapes_table_separators():
    """A '|' inside a configuration does not split the Markdown row."""
    page = render_page({"specs/t.py": "T."}, [ShapeRow("specs/t.py", "Lambda(a|b)", (1,), "(1,)", 0)], VERSIONS)
    assert "| `Lambda(a\\|b)` |" in page


def test_page_headings_show_asterisks_as_written():
    """A title's ``4*units`` is escaped so Markdown does not read emphasis; a code span keeps its text."""
    page = render_page({"specs/t.py": "10. kernel (features, 4*units), bias (4*units,); `a*b`."}, [], VERSIONS)
    assert "## 10. kernel (features, 4\\*units), bias (4\\*units,); `a*b`.\n" in page


def test_matching_page_is_not_stale():
    """The committed page equal to the rendered one gives no message."""
    assert None is stale_message("same\n", "same\n")


def test_missing_page_says_how_to_generate_it():
    """No committed page: the message names the command that writes it."""
    assert f"{PAGE} is missing. Generate it with: {REFRESH}" == stale_message(None, "page")


def test_stale_page_shows_the_difference_and_the_refresh_command():
    """A changed row is shown as committed (-) and observed (+), then the command that refreshes the page."""
    message = stale_message("a\n| x | (2, 5) |\nc\n", "a\n| x | (2, 6) |\nc\n")
    lines = message.splitlines()
    assert lines[0].startswith(f"{PAGE} is stale: it differs from what the specs observe on TensorFlow ")
    assert ["-| x | (2, 5) |", "+| x | (2, 6) |"] == lines[2:4]
    assert f"Refresh it with: {REFRESH}" in lines[-1]


def fake_config(args, **options):
    option = SimpleNamespace(**{"keyword": "", "markexpr": "", "deselect": [], "lf": False, "collectonly": False,
                                "ignore_glob": [], "ignore": [], **options})
    return SimpleNamespace(option=option, args=args, rootpath=ROOT, invocation_params=SimpleNamespace(dir=ROOT))


@pytest.mark.parametrize("args, options, expected", [
    (["specs"], {}, None),
    (["specs", "tests"], {"ignore": ["specs/benchmarks"]}, None),
    (["."], {}, None),
    (["specs"], {"keyword": "return_state"}, "-k selects part of the specs"),
    (["specs"], {"deselect": ["specs/test_01_input.py::test_x"]}, "--deselect selects part of the specs"),
    (["specs"], {"ignore": ["specs/test_01_input.py"]}, "--ignore leaves out test_01_input.py"),
    (["specs", "tests"], {"ignore": ["tests/test_shapes_page.py"]}, None),  # a file outside specs/
    (["specs"], {"ignore": ["specs/test_01_input.py", "specs/test_04_return_state.py"]},
     "--ignore leaves out test_01_input.py, test_04_return_state.py"),
    (["specs"], {"ignore": ["specs/test_99_none.py"]}, None),  # no such file: nothing left out
    (["specs/test_01_input.py"], {}, "the run's arguments do not name the whole specs folder"),
    (["specs::test_x"], {}, "the run's arguments do not name the whole specs folder"),
], ids=str)
def test_only_a_run_of_every_spec_compares_the_page(args, options, expected):
    """The page is compared (None) only when no option or argument selects part of the specs."""
    assert expected == partial_run_reason(fake_config(args, **options))


def test_lock_pins_are_read_by_package_name():
    """Pins are found by name, extras and case aside; a package the lock lacks reads 'not locked'."""
    lock = "# header\nKeras==3.15.1\ntensorflow[and-cuda]==2.21.0\nnumpy-financial==1.0\n"
    assert {"TensorFlow": "2.21.0", "Keras": "3.15.1", "NumPy": "not locked"} == locked_versions(lock)


def test_versions_other_than_the_lock_leave_the_page_alone():
    """On versions the lock does not pin (a version-matrix run) the page is not compared, and the reason names them."""
    assert None is versions_reason(VERSIONS, VERSIONS)
    installed = {**VERSIONS, "Keras": "2.15.0"}
    assert f"installed here: Keras 2.15.0 (locked 3.15.1); the page documents the versions {LOCK} pins" == \
        versions_reason(installed, VERSIONS)


def test_committed_page_documents_the_locked_versions():
    """docs/shapes.md names the TensorFlow, Keras and NumPy of requirements/lock.txt (else regenerate it)."""
    page = ROOT / PAGE
    assert page.exists(), f"{PAGE} is missing. Generate it with: {REFRESH}"
    header = re.search(r"from the specs' own runs on (.*)\.\n", page.read_text())
    locked = ", ".join(f"{name} {version}" for name, version in locked_versions((ROOT / LOCK).read_text()).items())
    assert header, f"{PAGE} has no versions line; regenerate it with: {REFRESH}"
    assert locked == header.group(1), f"{PAGE} was generated on {header.group(1)}, not {locked}; refresh it with: {REFRESH}"


SPEC = '''
"""1. Fake runs, recorded for the page."""
import numpy as np
from lstm_spec.models import observe


class Run:
    def __init__(self, units):
        self.inputs, self.outputs, self.weights = np.zeros((2, 3)), np.zeros((2, units)), (np.zeros(units),)

    def __str__(self):
        return f"Fake(units={{self.units}}) on input (2, 3)"


def test_runs():
    """Two runs are reported."""
    for units in (5, 64):
        run = Run(units)
        run.units = units
        observe.report(run)
    assert {outputs_check}
'''


def make_project(pytester, outputs_check="True", versions=None):
    pytester.makeini("[pytest]\npythonpath = .\n")
    (pytester.path / LOCK).parent.mkdir(exist_ok=True)
    pins = zip(("tensorflow", "keras", "numpy"), (versions or installed_versions()).values())
    (pytester.path / LOCK).write_text("".join(f"{package}=={version}\n" for package, version in pins))
    (pytester.path / "specs").mkdir(exist_ok=True)
    (pytester.path / "specs" / "test_fake.py").write_text(SPEC.format(outputs_check=outputs_check))


def run_page(pytester, *arguments):
    """A pytest run with the page plugin in this process (so a mutation run reaches the plugin; under ``-n 2`` this
    process is the xdist controller, whose workers import the plugin themselves)."""
    return pytester.runpytest_inprocess("-p", "lstm_spec.living_docs.shapes_page", "-p", "no:cacheprovider", *arguments)


@pytest.fixture
def project(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # xdist's workers import lstm_spec
    # The fake project pins the Keras 3 installed here, and its runs test that Keras even in the tf-keras environment:
    # the page's machinery is the same whichever Keras runs (tf-keras leaves the real page alone: a test below).
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "0")
    monkeypatch.setattr(era, "KERAS_DISTRIBUTION", "keras")
    make_project(pytester)
    return pytester


@writes_the_page("writing and checking docs/shapes.md (the page documents the TensorFlow backend)")
def test_write_then_check_then_stale(project):
    """write generates the page; a check passes on it; an edited page fails, naming the command."""
    written = run_page(project, "specs", "--shapes-page=write")
    written.assert_outcomes(passed=1)
    written.stdout.fnmatch_lines([f"{PAGE} regenerated (read `git diff docs/shapes.md`): 1 behaviours."])
    page = (project.path / PAGE).read_text()
    assert "| `Fake(units=5)` | (2, 3) | (2, 5) | 5 | [test_runs](../specs/test_fake.py) |  |" in page
    assert page.index("Fake(units=5)") < page.index("Fake(units=64)")
    run_page(project, "specs", "--shapes-page=write").stdout.fnmatch_lines([f"{PAGE} unchanged: 1 behaviours."])
    assert 0 == run_page(project, "specs").ret
    (project.path / PAGE).write_text(page.replace("(2, 64) | 64", "(2, 64) | 63"))
    stale = run_page(project, "specs")
    assert pytest.ExitCode.TESTS_FAILED == stale.ret
    stale.stdout.fnmatch_lines(["*docs/shapes.md is stale*", "-*| 63 |*", "+*| 64 |*",
                                f"Refresh it with: {REFRESH}*", "*1 passed, 1 stale shape page*"])


def test_partial_or_failing_run_leaves_the_page_alone(project):
    """-k, or a failing spec, neither writes nor checks the page, and says why when asked to write."""
    run_page(project, "specs", "-k", "runs", "--shapes-page=write").stdout.fnmatch_lines(
        [f"{PAGE} not regenerated: -k selects part of the specs. Run `{REFRESH}` with no selection."])
    assert not (project.path / PAGE).exists()
    assert 0 == run_page(project, "specs", "-k", "runs").ret
    make_project(project, outputs_check="False")
    run_page(project, "specs", "--shapes-page=write").stdout.fnmatch_lines(
        [f"{PAGE} not regenerated: not every spec passed.*"])
    assert not (project.path / PAGE).exists()


def test_run_on_other_versions_than_the_lock_leaves_the_page_alone(project):
    """A run on versions the lock does not pin neither writes nor fails on the page, and says why."""
    make_project(project, versions={**installed_versions(), "Keras": "0.0.1"})
    run = run_page(project, "specs", "--shapes-page=write")
    run.stdout.fnmatch_lines([f"{PAGE} left as it is: installed here: Keras * (locked 0.0.1); the page documents*"])
    assert 0 == run.ret
    assert not (project.path / PAGE).exists()


@writes_the_page("writing docs/shapes.md (the page documents the TensorFlow backend)")
def test_xdist_run_writes_the_same_page(project):
    """With ``-n 2`` the workers' records reach the controller, which writes the page a single process writes."""
    run_page(project, "specs", "--shapes-page=write")
    single = (project.path / PAGE).read_text()
    (project.path / PAGE).unlink()
    run_page(project, "specs", "-n", "2", "--shapes-page=write").assert_outcomes(passed=1)
    assert single == (project.path / PAGE).read_text()


def test_page_text_is_the_header_then_a_table_per_behaviour():
    """The whole page: the header with the versions and the column legend, then each behaviour's table (one without
    runs says so); a row links each snapshot file."""
    snapshots = tuple(f"specs/__snapshots__/{folder}/test_02_output.ambr" for folder in ("pinned", "seeded-keras3"))
    row = ShapeRow("specs/test_02_output.py", "LSTM(units=5)", (2, 9, 3), "(2, 5)", 180, snapshots,
                   (("test_a", False),))
    expected = """\
# Shape reference

Generated by `python3 suite.py docs` from the specs' own runs on TensorFlow 2.21.0, Keras 3.15.1, NumPy 2.4.6.
Do not edit by hand: a full spec run fails when this page differs from what the specs observe.

Each row is a model or layer a passing spec built and called: its configuration, the shape of the
data it was called on, what it returned (a list when it returns several arrays, in order) and its
parameter count. Input and output shapes are concrete: the batch is the data's. The spec column names
the specs that made the run; *(comparison)* marks a spec that made it only to compare with its own
case (the same weights without the option, say), not as a case of the behaviour.

## 1. Input.

Spec: [test_01_input.py](../specs/test_01_input.py)

No model calls recorded in these specs (see the spec file).

## 2. Output.

Spec: [test_02_output.py](../specs/test_02_output.py)

| configuration | input shape | output shape(s) | parameters | spec | snapshot |
|---|---|---|---|---|---|
| `LSTM(units=5)` | (2, 9, 3) | (2, 5) | 180 | [test_a](../specs/test_02_output.py) | \
[pinned/test_02_output.ambr](../specs/__snapshots__/pinned/test_02_output.ambr), \
[seeded-keras3/test_02_output.ambr](../specs/__snapshots__/seeded-keras3/test_02_output.ambr) |
"""
    behaviours = {"specs/test_02_output.py": "2. Output.", "specs/test_01_input.py": "1. Input."}
    assert expected == render_page(behaviours, [row], VERSIONS)


def test_rows_sort_by_configuration_then_input_shape():
    """Rows of one configuration sort by their input shape."""
    rows = [ShapeRow("specs/t.py", "LSTM(units=5)", shape, "(2, 5)", 180) for shape in ((2, 9, 3), (1, 9, 3))]
    page = render_page({"specs/t.py": "T."}, rows, VERSIONS)
    assert page.index("| (1, 9, 3) |") < page.index("| (2, 9, 3) |")


def test_a_record_without_a_spec_name_links_the_spec_file():
    """A run recorded without its spec's name shows the spec file in the spec column."""
    records = [{"module": "specs/t.py", "behaviour": "T.", "runs": [run_data("LSTM(units=5)")], "snapshots": []}]
    rows = rows_from_records(records)
    assert () == rows[0].specs
    assert "| `LSTM(units=5)` | (2, 9, 3) | (2, 5) | 180 | [t.py](../specs/t.py) |  |" in \
        render_page({"specs/t.py": "T."}, rows, VERSIONS).splitlines()


def test_a_run_recorded_without_the_comparison_flag_is_the_specs_own():
    """A run recorded without ``compared`` counts as a case of its spec, not a comparison."""
    run = {key: value for key, value in run_data("LSTM(units=5)").items() if key != "compared"}
    assert (("test_a", False),) == rows_from_records([record("specs/t.py", [run])])[0].specs


def test_arguments_a_constructor_does_not_name_are_shown():
    """An argument in a layer's config that its constructor does not name (no default to compare with) is shown."""
    from lstm_spec.living_docs.shapes_page import layer_text

    class Custom:
        def __init__(self, **kwargs):
            pass

        def get_config(self):
            return {"units": 4, "padding": "valid", "name": "custom"}

    assert "Custom(units=4,padding='valid')" == layer_text(Custom())


def test_an_item_without_fixtures_has_no_subject_runs_or_snapshots():
    """An item that is not a Python function (no ``funcargs``) was handed no runs and used no snapshot."""
    from lstm_spec.living_docs.shapes_page import snapshot_files, subject_runs

    item = SimpleNamespace()
    assert set() == subject_runs(item, {id(item): item})
    assert [] == snapshot_files(item)


def test_an_item_without_a_module_is_documented_on_this_page():
    """An item with no module (a doctest) is documented on docs/shapes.md, as a spec without ``DOCUMENTED_ON`` is."""
    from lstm_spec.living_docs.shapes_page import documented_on

    assert "docs/shapes.md" == documented_on(SimpleNamespace())


def test_long_differences_are_cut_after_twelve_lines():
    """A stale page shows the first 12 diff lines, then how many more there are; the versions given head it."""
    committed = "".join(f"row {index}\n" for index in range(10))
    rendered = "".join(f"row {index} changed\n" for index in range(10))
    message = stale_message(committed, rendered, Path("docs/x.md"), "make docs", VERSIONS)
    lines = message.splitlines()
    assert "docs/x.md is stale: it differs from what the specs observe on TensorFlow 2.21.0, Keras 3.15.1, " \
           "NumPy 2.4.6." == lines[0]
    assert ["@@ -1,10 +1,10 @@", *(f"-row {index}" for index in range(10)), "+row 0 changed",
            "... (9 more diff lines)"] == lines[1:14]
    assert "Refresh it with: make docs   (then read `git diff docs/x.md` before committing)" == lines[-1]
    assert 15 == len(lines)


def test_twelve_diff_lines_are_shown_whole():
    """Exactly 12 diff lines (a hunk header, 6 removed, 5 added) are all shown, with no 'more' line."""
    message = stale_message("".join(f"{index}\n" for index in range(6)), "".join(f"{index}!\n" for index in range(5)),
                            versions=VERSIONS)
    assert "more diff lines" not in message
    assert 14 == len(message.splitlines())


def test_other_backends_leave_the_page_alone(monkeypatch):
    """On another Keras 3 backend the page (which documents TensorFlow's) is not compared, naming the backend."""
    from lstm_spec.living_docs.shapes_page import _backend_reason
    from lstm_spec.models import backend

    monkeypatch.setattr(backend, "KERAS_BACKEND", "tensorflow")
    assert None is _backend_reason()
    monkeypatch.setattr(backend, "KERAS_BACKEND", "jax")
    assert "this run is on the jax backend; the page documents the TensorFlow backend" == _backend_reason()


def test_tf_keras_leaves_the_page_alone(monkeypatch):
    """On tf-keras (whose environment holds the locked Keras 3 too) the page is not compared, naming tf-keras."""
    from lstm_spec.living_docs.shapes_page import _tf_keras_reason

    monkeypatch.setattr(era, "KERAS_DISTRIBUTION", "keras")
    assert None is _tf_keras_reason()
    monkeypatch.setattr(era, "KERAS_DISTRIBUTION", "tf-keras")
    monkeypatch.setattr(era, "KERAS_VERSION", "2.21.0")
    assert ("this run tests tf-keras 2.21.0 (TF_USE_LEGACY_KERAS=1); the page documents the Keras "
            "requirements/lock.txt pins") == _tf_keras_reason()


def test_installed_versions_are_the_distributions_versions():
    """The versions named are the installed distributions' (any packages asked for)."""
    from importlib.metadata import version

    assert {"NumPy": version("numpy"), "Pytest": version("pytest")} == \
        installed_versions((("NumPy", "numpy"), ("Pytest", "pytest")))
    assert ["TensorFlow", "Keras", "NumPy"] == list(installed_versions())


def test_models_show_their_layers_and_count_their_parameters():
    """A composite model's run shows its layers (not its input layer) joined by arrows, and the model's parameter
    count; any run with a model counts the model's parameters, not its weights."""
    from lstm_spec.models.keras_under_test import keras

    from lstm_spec.models.architectures import ModelRun

    inputs = keras.Input((9, 3))
    outputs = keras.layers.Dense(2)(keras.layers.LSTM(5)(inputs))
    model = keras.Model(inputs, outputs)
    data = np.zeros((2, 9, 3), dtype="float32")
    assert {"configuration": "LSTM(units=5) -> Dense(units=2)", "input_shape": [2, 9, 3], "output_shapes": "(2, 2)",
            "params": 192} == describe(ModelRun("lstm_dense()", model, data, np.zeros((2, 2))))
    run = FakeRun("Fake()", data, np.zeros((2, 2)), weights=(np.zeros(1000),), model=model)
    assert 192 == describe(run)["params"]


def test_page_plugin_is_off_in_workers_and_when_asked():
    """Only the reporting process keeps the page, and not with ``--shapes-page=off``."""
    from lstm_spec.living_docs import shapes_page

    registered = []
    manager = SimpleNamespace(register=lambda plugin, name: registered.append(name))
    for option, worker in (("off", False), ("check", True), ("write", True), ("check", False)):
        config = SimpleNamespace(getoption=lambda name, option=option: option, pluginmanager=manager)
        if worker:
            config.workerinput = {}
        shapes_page.pytest_configure(config)
    assert ["lstm_spec-shapes-page"] == registered


def test_help_names_the_page_option(pytester):
    """``--help`` lists ``--shapes-page`` with its choices and sentence under the suite's options."""
    help_text = " ".join(run_page(pytester, "--help").stdout.str().split())
    assert "lstm_spec: --shapes-page={check,write,off} after a full, passing spec run: check (default) that " \
           "docs/shapes.md is what the specs observe, write it, or do neither" in help_text


MORE_SPECS = {
    "specs/test_02_compared.py": '''
"""2. Runs handed by fixtures,
and runs made to compare with them."""
import pytest
from lstm_spec.models import observe
from test_fake import Run


@pytest.fixture
def own_run():
    run = Run(3)
    run.units = 3
    observe.report(run)
    return run


def test_compares(own_run, snapshot):
    """Its own run, and one made to compare."""
    run = Run(4)
    run.units = 4
    observe.report(run)
    assert "pinned" == snapshot


def test_skipped():
    """A run, then a skip."""
    run = Run(7)
    run.units = 7
    observe.report(run)
    pytest.skip("not here")
''',
    "specs/test_plain.py": '''
from lstm_spec.models import observe
from test_fake import Run


def test_plain():
    run = Run(6)
    run.units = 6
    observe.report(run)
''',
    "specs/test_torch.py": '''
from lstm_spec.models import observe
from test_fake import Run

DOCUMENTED_ON = "docs/keras-vs-pytorch.md"


def test_torch():
    run = Run(8)
    run.units = 8
    observe.report(run)
''',
    "tests/test_machinery.py": '''
from lstm_spec.models import observe
from test_fake import Run


def test_machinery():
    run = Run(9)
    run.units = 9
    observe.report(run)
''',
}


@writes_the_page("writing docs/shapes.md (the page documents the TensorFlow backend)")
def test_page_rows_name_their_specs_snapshots_and_comparisons(project):
    """A written page has a row per run a passing spec made, naming the spec, marking a run made only to compare
    with the spec's own (a fixture's) run, and linking the spec's snapshot file; a skipped spec's runs, a
    spec documented on another page and a test outside specs/ add none; a module without a docstring is titled
    by its file, and a title is its docstring's first line."""
    project.makeini("[pytest]\npythonpath = . specs\n")
    for path, source in MORE_SPECS.items():
        (project.path / path).parent.mkdir(exist_ok=True)
        (project.path / path).write_text(source)
    run_page(project, "specs", "--snapshot-update", "--shapes-page=off")
    run_page(project, ".", "--shapes-page=write").assert_outcomes(passed=5, skipped=1)
    page = (project.path / PAGE).read_text().splitlines()
    link = "[test_02_compared.py](../specs/test_02_compared.py)"
    snapshot = "[__snapshots__/test_02_compared.ambr](../specs/__snapshots__/test_02_compared.ambr)"
    assert ["## 2. Runs handed by fixtures,", "## 1. Fake runs, recorded for the page.", "## specs/test_plain.py"] \
        == [line for line in page if line.startswith("## ")]
    assert [f"| `Fake(units=3)` | (2, 3) | (2, 3) | 3 | [test_compares](../specs/test_02_compared.py) | {snapshot} |",
            f"| `Fake(units=4)` | (2, 3) | (2, 4) | 4 | [test_compares](../specs/test_02_compared.py) *(comparison)* "
            f"| {snapshot} |",
            "| `Fake(units=5)` | (2, 3) | (2, 5) | 5 | [test_runs](../specs/test_fake.py) |  |",
            "| `Fake(units=64)` | (2, 3) | (2, 64) | 64 | [test_runs](../specs/test_fake.py) |  |",
            "| `Fake(units=6)` | (2, 3) | (2, 6) | 6 | [test_plain](../specs/test_plain.py) |  |"] \
        == [line for line in page if line.startswith("| `")]
    assert link in "\n".join(page)


def test_a_run_that_recorded_nothing_writes_no_page(project):
    """A full, passing run with no spec documented on the page (all on another page) neither writes nor checks it,
    and says so."""
    (project.path / "specs" / "test_fake.py").write_text(
        'DOCUMENTED_ON = "docs/keras-vs-pytorch.md"\n\n\ndef test_other_page():\n    pass\n')
    run = run_page(project, "specs", "--shapes-page=write")
    run.stdout.fnmatch_lines([f"{PAGE} not regenerated: no spec recorded anything. Run `{REFRESH}` with no selection."])
    assert not (project.path / PAGE).exists()


def test_a_missing_lock_leaves_the_page_alone(project):
    """Without requirements/lock.txt no version is locked: the page is left alone, naming each version."""
    (project.path / LOCK).unlink()
    run = run_page(project, "specs", "--shapes-page=write")
    run.stdout.fnmatch_lines([f"{PAGE} left as it is: installed here: TensorFlow * (locked not locked), "
                              "Keras * (locked not locked), NumPy * (locked not locked); the page documents*"])
    assert not (project.path / PAGE).exists()


def test_a_spec_file_that_cannot_be_collected_leaves_the_page_alone(project):
    """A run that goes on past a spec file's collection error has not run every spec: the page is not written."""
    (project.path / "specs" / "test_broken.py").write_text("import not_a_module\n")
    run = run_page(project, "specs", "--shapes-page=write", "--continue-on-collection-errors")
    run.stdout.fnmatch_lines([f"{PAGE} not regenerated: not every spec passed.*"])
    assert not (project.path / PAGE).exists()


@writes_the_page("writing and checking docs/shapes.md (the page documents the TensorFlow backend)")
def test_verdicts_are_coloured_and_a_stale_page_is_rewritten(project):
    """The verdict's separator is coloured (green written, red stale, with the stale message's lines red too), and
    write regenerates a stale page in place."""
    written = run_page(project, "specs", "--shapes-page=write", "--color=yes")
    assert "\x1b[32m" in next(line for line in written.outlines if " shape reference page " in line)
    written.stdout.fnmatch_lines([f"{PAGE} regenerated (read `git diff docs/shapes.md`): 1 behaviours."])
    page = (project.path / PAGE).read_text()
    (project.path / PAGE).write_text(page.replace("| 64 |", "| 63 |"))
    stale = run_page(project, "specs", "--color=yes")
    assert "\x1b[31m" in next(line for line in stale.outlines if " shape reference page " in line)
    assert "\x1b[31mRefresh it with: " in stale.stdout.str()
    run_page(project, "specs", "--shapes-page=write").stdout.fnmatch_lines(
        ["-* shape reference page -*", f"{PAGE} regenerated (read `git diff docs/shapes.md`): 1 behaviours."])
    assert page == (project.path / PAGE).read_text()


def test_a_run_with_the_deployment_runtimes_leaves_the_page_alone(monkeypatch):
    """matrix deploy runs specs 49-51, which skip on the locked default, so it neither checks nor writes the page."""
    from lstm_spec.deploy import artifacts
    from lstm_spec.living_docs import shapes_page

    monkeypatch.setattr(artifacts, "installed", lambda module: module == "onnxruntime")
    assert "deployment runtimes (onnxruntime" in shapes_page._deploy_reason()
    monkeypatch.setattr(artifacts, "installed", lambda module: False)
    assert shapes_page._deploy_reason() is None

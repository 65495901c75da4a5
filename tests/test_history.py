"""``history``: its sides, its cache (a second run runs only what is new), stop and resume, the page, and
the CI merge, with a stand-in for each side's run (no environment is made)."""

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from lstm_spec.deploy.observed import RECORD_FILE
from lstm_spec.versions import history, release_lines
from lstm_spec.versions.history_deployment import STATUS_FILE, status
from lstm_spec.versions.history_cache import HistoryCache
from lstm_spec.versions.pins import install_plan
from lstm_spec.versions.release_lines import DEFAULT, LINES, find
from lstm_spec.versions.side_results import read_side
from lstm_spec.versions.sides import ROOT, resolve
from test_upgrade_report_reading import finished_run

WORKFLOW = ROOT / ".github" / "workflows" / "history.yml"
FAILING = """<testsuites><testsuite>
<testcase classname="specs.test_02_output" name="test_a"/>
<testcase classname="specs.test_02_output" name="test_b"><failure message="raised ValueError: no"/></testcase>
</testsuite></testsuites>"""


class StandIn:
    """Runs a side by writing the files its nox session writes; ``failing`` names the sides where test_b fails,
    ``reads`` the saved-model reads (read_files' observations) a side records, ``records`` its deploy specs' record
    (the text of deployment-record.json); the runtimes it was given are kept, and written as the run writes them."""

    def __init__(self, failing=(), stop_at=None, reads=None, records=None):
        self.ran, self.failing, self.stop_at, self.reads = [], set(failing), stop_at, reads or {}
        self.environments, self.runtimes, self.records = [], [], records or {}

    def __call__(self, side, workdir, *, source, log, command, environment=None, runtimes=None):
        if side.name == self.stop_at:
            raise KeyboardInterrupt
        self.ran.append(side.name)
        self.environments.append(environment)
        self.runtimes.append(runtimes)
        replaced = {"packages.txt": f"tensorflow=={side.name}\n"}
        if runtimes is not None:
            replaced[STATUS_FILE] = json.dumps(status(runtimes))
        if side.name in self.records:
            replaced[RECORD_FILE] = self.records[side.name]
        if side.name in self.failing:
            replaced["junit.xml"] = FAILING
        if side.name in self.reads:
            replaced["saved-models/read.json"] = json.dumps({"reader": None, "observations": self.reads[side.name]})
        tree, collected = finished_run(workdir, **replaced)
        result = read_side(side.name, side.session, tree, collected, workdir / "nox.log")
        result.side = side
        return result


@pytest.fixture(name="stand_in")
def stand_in_fixture(monkeypatch):
    """Replaces each side's run by a StandIn; returns a setter for its failing sides and its stop."""
    made = {}

    def use(failing=(), stop_at=None, reads=None, records=None):
        made["run"] = StandIn(failing, stop_at, reads, records)
        monkeypatch.setattr(history, "run_side", made["run"])
        return made["run"]

    return use


@pytest.fixture(name="source")
def source_fixture(tmp_path):
    """A checkout of one file for the runs to copy."""
    (tmp_path / "checkout").mkdir()
    (tmp_path / "checkout" / "noxfile.py").write_text("")
    return tmp_path / "checkout"


def sides(*handles):
    return [(release, resolve(release.name)) for handle in handles for release in find(handle)]


def test_the_default_history_is_every_release_line_each_side_resolved():
    """The default: 10 TensorFlow, 16 Keras 3, 8 tf-keras releases and keras-nightly, each a name resolve reads."""
    assert {"tensorflow": 10, "keras": 16, "tf-keras": 8, "keras-nightly": 1} == {n: len(l) for n, l in LINES.items()}
    resolved = {release: resolve(release.name) for release in DEFAULT}
    assert "tensorflow==2.16.2,keras==3.4.1" == resolved[find("tensorflow:2.16.2")[0]].version
    assert (("TF_USE_LEGACY_KERAS", "1"),) == resolved[find("tf-keras:2.16.0")[0]].environment
    assert ("keras2", "locked") == (resolved[find("2.15.1")[0]].session, resolved[find("keras:3.15.1")[0]].session)


def test_each_tensorflow_releases_keras_satisfies_its_requirement():
    """A paired Keras is not newer than its TensorFlow's upload, and each pairing is an exact combination."""
    for tensorflow, (released, keras, keras_released) in release_lines.KERAS_WHEN_RELEASED.items():
        assert keras_released <= released, tensorflow
        assert [f"tensorflow=={tensorflow}", f"keras=={keras}"] == install_plan(
            f"tensorflow=={tensorflow},keras=={keras}", (ROOT / "requirements" / "lock.txt").read_text())[0][1:3]


def test_a_handle_that_names_no_release_is_refused_saying_what_a_handle_is(capsys):
    """history banana: refused before anything runs, with the lines and the forms of a handle."""
    with pytest.raises(SystemExit):
        history.main(["banana", "--list"])
    assert "'banana' names no release of the history: name a line (tensorflow, keras, tf-keras, keras-nightly)" \
        in capsys.readouterr().err


def test_a_second_run_runs_only_the_new_release(tmp_path, stand_in, source):
    """Sides in the cache are not run again; one more release runs that release alone."""
    cache = HistoryCache(tmp_path / "cache")
    first = stand_in()
    history.run(sides("keras:3.0.5", "keras:3.1.1"), cache, keep=None, log=io.StringIO(), source=source)
    second = stand_in()
    log = io.StringIO()
    entries = history.run(sides("keras:3.0.5", "keras:3.1.1", "keras:3.2.1"), cache, keep=None, log=log, source=source)
    assert (["3.0.5", "3.1.1"], ["3.2.1"]) == (first.ran, second.ran)
    assert ["3.0.5", "3.1.1", "3.2.1"] == [entry.meta["name"] for entry in entries]
    assert "history: 3 sides, 2 in the cache" in log.getvalue()
    assert re.search(r"history: \[1/1\] keras 3.2.1 \(0 left after it; 0 min 0\d s so far\)", log.getvalue())


def test_nothing_new_runs_nothing(tmp_path, stand_in, source):
    """A run whose every side is cached makes no scratch copy and runs no side."""
    cache = HistoryCache(tmp_path / "cache")
    stand_in()
    history.run(sides("keras:3.0.5"), cache, keep=None, log=io.StringIO(), source=source)
    again = stand_in()
    history.run(sides("keras:3.0.5"), cache, keep=None, log=io.StringIO(), source=source)
    assert [] == again.ran


def test_a_stopped_history_keeps_what_finished_and_resumes(tmp_path, stand_in, source):
    """Stopped at the second side, the first is cached; the same command then runs the second and third only."""
    cache = HistoryCache(tmp_path / "cache")
    stand_in(stop_at="3.1.1")
    log = io.StringIO()
    with pytest.raises(KeyboardInterrupt):
        history.run(sides("keras:3.0.5", "keras:3.1.1", "keras:3.2.1"), cache, keep=None, log=log, source=source)
    assert "history: stopped; 1 of 3 sides are in the cache: run the same command again to resume" in log.getvalue()
    resumed = stand_in()
    history.run(sides("keras:3.0.5", "keras:3.1.1", "keras:3.2.1"), cache, keep=None, log=io.StringIO(), source=source)
    assert ["3.1.1", "3.2.1"] == resumed.ran


def test_each_environment_is_removed_after_its_run_unless_kept(tmp_path, stand_in, source):
    """Without --keep nothing of the scratch folder stays; with it each side's folder does."""
    stand_in()
    history.run(sides("keras:3.0.5"), HistoryCache(tmp_path / "a"), keep=tmp_path / "kept", log=io.StringIO(),
                source=source)
    assert ["01-keras-3.0.5", "checkout"] == sorted(path.name for path in (tmp_path / "kept").iterdir())


def test_the_page_says_where_a_spec_changed_and_one_line_where_nothing_did(tmp_path, stand_in, source):
    """3.0.5 -> 3.1.1 nothing changed (one line); at 3.2.1 test_b starts failing, its first change."""
    cache = HistoryCache(tmp_path / "cache")
    stand_in(failing={"3.2.1"})
    history.run(sides("keras:3.0.5", "keras:3.1.1", "keras:3.2.1"), cache, keep=None, log=io.StringIO(), source=source)
    page = history.write_page(cache.entries(), tmp_path / "docs" / "history.md", "python3 suite.py history").read_text()
    assert "- ran (3): keras 3.0.5, keras 3.1.1, keras 3.2.1" in page
    assert "- not run yet (32): tensorflow 2.12.1," in page
    assert "- **3.0.5 → 3.1.1**: nothing changed" in page
    assert "  - `test_b` (outcome): skipped → failed: raised ValueError: no" in page
    assert ("| `test_02_output` | `test_b` | keras | 3.2.1 | outcome: skipped → failed: raised ValueError: no |  |"
            in page)
    assert (tmp_path / "docs" / "history.png").stat().st_size > 0


def test_the_merge_of_per_job_folders_is_the_local_page(tmp_path, stand_in, source):
    """One cache folder per side (a CI job each), merged with --from, gives the page one local run gives."""
    stand_in(failing={"3.2.1"})
    handles = ("keras:3.0.5", "keras:3.1.1", "keras:3.2.1")
    history.run(sides(*handles), HistoryCache(tmp_path / "local"), keep=None, log=io.StringIO(), source=source)
    for handle in handles:
        history.run(sides(handle), HistoryCache(tmp_path / "jobs" / handle.replace(":", "-")), keep=None,
                    log=io.StringIO(), source=source)
    local = history.write_page(HistoryCache(tmp_path / "local").entries(), tmp_path / "a" / "history.md",
                               "python3 suite.py history")
    assert 0 == history.main(["--from", *map(str, sorted((tmp_path / "jobs").iterdir())),
                              "--page", str(tmp_path / "b" / "history.md")])
    assert local.read_text() == (tmp_path / "b" / "history.md").read_text()
    assert (tmp_path / "a" / "history.png").read_bytes() == (tmp_path / "b" / "history.png").read_bytes()


def test_the_workflow_has_a_job_for_every_side_of_the_default_history():
    """The CI workflow's matrix names each default side once (line:release), and its last job merges with --from."""
    text = WORKFLOW.read_text()
    named = re.findall(r"^\s+- \"?([a-z-]+:[\w.]+)\"?\s*$", text, flags=re.MULTILINE)
    assert sorted(f"{release.line}:{release.release}" for release in DEFAULT) == sorted(named)
    assert "history --from" in text and "needs:" in text


def test_a_merge_of_no_results_is_refused(tmp_path, capsys):
    """--from a folder without results says what a results folder is."""
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit):
        history.main(["--from", str(tmp_path / "empty")])
    assert "no results in" in capsys.readouterr().err


def test_old_tensorflow_takes_the_tools_its_requirements_allow():
    """TensorFlow 2.12 and 2.13 (numpy<=1.24.3) get matplotlib 3.10.8; 2.14 and later the locked 3.11.2."""
    lock = (ROOT / "requirements" / "lock.txt").read_text()
    matplotlib = {name: [pin for pin in install_plan(name, lock)[0] if pin.startswith("matplotlib")]
                  for name in ("2.12.1", "tensorflow==2.13.0,keras==2.13.1", "2.14.1")}
    assert {"2.12.1": ["matplotlib==3.10.8"], "tensorflow==2.13.0,keras==2.13.1": ["matplotlib==3.10.8"],
            "2.14.1": ["matplotlib==3.11.2"]} == matplotlib


@pytest.mark.parametrize("release, arguments", [((3, 0), {}), ((3, 2), {}), ((3, 3), {"free_memory": False}),
                                                ((3, 15), {"free_memory": False})], ids=str)
def test_clear_session_is_told_not_to_collect_only_where_it_can_be(release, arguments):
    """Keras 3.0-3.2's clear_session has no free_memory (and never collects); from 3.3 it is told False."""
    from lstm_spec.models.compat import quiet_clear_arguments

    assert arguments == quiet_clear_arguments(release)


@pytest.mark.parametrize("release, arguments", [((3, 0), {}), ((3, 5), {}), ((3, 6), {"verbose": False}),
                                                ((3, 15), {"verbose": False})], ids=str)
def test_export_is_told_to_be_quiet_only_where_it_can_be(release, arguments):
    """Keras 3.0-3.5's Model.export has no verbose argument (the machinery's export failed on it); from 3.6 it is
    told False."""
    from lstm_spec.models.compat import quiet_export_arguments

    assert arguments == quiet_export_arguments(release)


def test_a_keras_3_snippets_last_line_needs_no_keras_tree():
    """A Keras 3 snippet prints the shapes of one or several outputs without keras.tree, which Keras 3.0 does not
    have (its snippets failed there with "module 'keras' has no attribute 'tree'")."""
    from lstm_spec.models.compat import PRINT_SHAPES

    printed = []
    for out in (np.zeros((2, 5)), (np.zeros((2, 9, 5)), np.zeros((2, 5)))):
        exec(PRINT_SHAPES[3], {"out": out, "print": printed.append})  # no keras in its namespace
    assert printed == [(2, 5), [(2, 9, 5), (2, 5)]]


def test_the_cache_keeps_a_side_by_its_exact_packages(tmp_path, stand_in, source):
    """The entry's folder is named by the packages the side ran on, and holds what the page reads."""
    cache = HistoryCache(tmp_path / "cache")
    stand_in()
    [entry] = history.run(sides("keras:3.0.5"), cache, keep=None, log=io.StringIO(), source=source)
    assert Path(entry.folder).parent == tmp_path / "cache" / "runs"
    assert {"collected", "tree", "meta.json"} <= {path.name for path in entry.folder.iterdir()}
    assert entry.read().usable and "3.0.5" == entry.meta["name"]


def test_a_change_across_releases_not_run_names_the_span(tmp_path, stand_in, source):
    """3.0.5 and 3.2.1 ran, 3.1.1 did not: the change is at 3.2.1 or the one before it, and the step says so."""
    cache = HistoryCache(tmp_path / "cache")
    stand_in(failing={"3.2.1"})
    history.run(sides("keras:3.0.5", "keras:3.2.1"), cache, keep=None, log=io.StringIO(), source=source)
    page = history.write_page(cache.entries(), tmp_path / "history.md", "python3 suite.py history").read_text()
    assert "### 3.0.5 → 3.2.1 (1 releases between not run)" in page
    assert "| keras | 3.2.1 or one of the 1 before it not run (after 3.0.5) |" in page


def test_a_side_that_cannot_be_installed_is_listed_with_pips_reason(tmp_path, source, monkeypatch):
    """A side whose install failed stays in the cache as such and the page gives its message and pip's reason whole."""
    def not_installable(side, workdir, *, source, log, command, environment=None, runtimes=None):
        (workdir / "collected").mkdir(parents=True)
        (workdir / "collected" / "install-error.txt").write_text(f"{side.name} cannot be installed\n")
        (workdir / "nox.log").write_text("ERROR: No matching distribution found for keras==3.0.5\n")
        return read_side(side.name, side.session, workdir / "tree", workdir / "collected", workdir / "nox.log")

    monkeypatch.setattr(history, "run_side", not_installable)
    cache = HistoryCache(tmp_path / "cache")
    history.run(sides("keras:3.0.5"), cache, keep=None, log=io.StringIO(), source=source)
    page = history.write_page(cache.entries(), tmp_path / "history.md", "python3 suite.py history").read_text()
    assert ("### keras 3.0.5 (`3.0.5`)\n\n```text\n3.0.5 cannot be installed\n"
            "ERROR: No matching distribution found for keras==3.0.5\n```") in page
    assert "| 3.0.5 | — | did not run: 3.0.5 cannot be installed | 0 min 00 s |" in page


def test_a_run_that_ended_without_results_is_run_again(tmp_path, source, monkeypatch):
    """A side whose run ended before pytest wrote its results (killed, say) is kept but not taken from the cache."""
    calls = []

    def killed(side, workdir, *, source, log, command, environment=None, runtimes=None):
        calls.append(side.name)
        (workdir / "nox.log").write_text("Killed\n")
        return read_side(side.name, side.session, workdir / "tree", workdir / "collected", workdir / "nox.log")

    monkeypatch.setattr(history, "run_side", killed)
    cache = HistoryCache(tmp_path / "cache")
    for _ in range(2):
        history.run(sides("keras:3.0.5"), cache, keep=None, log=io.StringIO(), source=source)
    assert ["3.0.5", "3.0.5"] == calls


def test_one_setting_changed_in_many_layers_is_one_change():
    """``module`` written out in two layers' initializers at once is one change naming how many, not two."""
    from lstm_spec.versions.comparison import compare
    from lstm_spec.versions.history_page import changes_of
    from lstm_spec.versions.side_results import SideResult

    layers = {"LSTM.units": 1, "GRU.units": 1, "LSTM.init.config": 1, "GRU.init.config": 1}
    before = SideResult("a", "locked", defaults=layers)
    after = SideResult("b", "locked", defaults={**layers, "LSTM.init.module": "keras.initializers",
                                                "GRU.init.module": "keras.initializers", "GRU.seed": 3})
    assert [("module in 2 layer settings (GRU.init.module, ...)", "(absent) → keras.initializers (new setting)"),
            ("GRU.seed", "(absent) → 3 (new argument)")] == [(change.item, change.to)
                                                              for change in changes_of(compare(before, after))]


def _read(writer, saved, status, error=None):
    """One observation of read_files' document, of the keras2 writer's page_lstm file read with load_model."""
    return {"writer": writer, "format": saved, "loader": "load_model", "case": "page_lstm", "file": "f",
            "status": status, "max_abs_diff": None, "shapes": None,
            "error": {"type": error, "message": "no"} if error else None}


def test_each_side_reads_the_committed_saved_files(tmp_path, stand_in, source):
    """Every side's run is told to read specs/saved_models (the exchange's read step), and the request says so."""
    ran = stand_in()
    history.run(sides("keras:3.0.5"), HistoryCache(tmp_path / "cache"), keep=None, log=io.StringIO(), source=source)
    assert [{"LSTM_SPEC_READ_SAVED": "specs/saved_models"}] == ran.environments
    from lstm_spec.versions.history_cache import request_key

    side = resolve("3.0.5")
    assert request_key(side, "suite") != request_key(side, "suite", reads=history.READS_SAVED)


def test_the_page_carries_the_saved_model_matrix(tmp_path, stand_in, source):
    """Each release's reads are counted per writer, and along a line a format's outcome is one run per outcome."""
    fails = [_read("keras2", "keras2-h5", "fails", "ValueError")]
    stand_in(reads={"3.0.5": fails, "3.1.1": fails, "3.2.1": [_read("keras2", "keras2-h5", "matches")]})
    cache = HistoryCache(tmp_path / "cache")
    history.run(sides("keras:3.0.5", "keras:3.1.1", "keras:3.2.1", "keras:3.3.3"), cache, keep=None,
                log=io.StringIO(), source=source)
    page = history.write_page(cache.entries(), tmp_path / "history.md", "python3 suite.py history").read_text()
    assert "| keras | 3.0.5 | ✗ ValueError 1 |" in page and "| keras | 3.2.1 | ✓ 1 |" in page
    assert "| `keras2-h5` | `load_model` | — | 3.0.5–3.1.1: ✗ ValueError 1<br>3.2.1: ✓ 1 | — | — |" in page
    assert "Releases without reads: keras 3.3.3 (no reads recorded" in page


def test_two_jobs_run_every_side_once_and_keep_the_order(tmp_path, stand_in, source):
    """With --jobs 2 each side runs once, and the entries come back in the sides' order."""
    ran = stand_in()
    entries = history.run(sides("keras:3.0.5", "keras:3.1.1", "keras:3.2.1"), HistoryCache(tmp_path / "cache"),
                          keep=None, jobs=2, log=io.StringIO(), source=source)
    assert ["3.0.5", "3.1.1", "3.2.1"] == sorted(ran.ran) == [entry.meta["name"] for entry in entries]


def test_a_number_of_jobs_below_one_is_refused(capsys):
    """--jobs 0 says what it takes."""
    with pytest.raises(SystemExit):
        history.main(["--jobs", "0", "--list"])
    assert "'0' is not a number of sides to run at a time: give 1 or more (--jobs 2)" in capsys.readouterr().err


def test_the_saving_code_is_part_of_what_a_side_asks_for(tmp_path):
    """A change to lstm_spec/saving (what specs 41-44 and the read step run) changes the suite's fingerprint."""
    from lstm_spec.versions.history_cache import fingerprint

    (tmp_path / "lstm_spec" / "saving").mkdir(parents=True)
    (tmp_path / "lstm_spec" / "saving" / "read_files.py").write_text("A = 1\n")
    before = fingerprint(tmp_path)
    (tmp_path / "lstm_spec" / "saving" / "read_files.py").write_text("A = 2\n")
    assert before != fingerprint(tmp_path)


def _suite_modules(files: list[Path]) -> set[str]:
    """Every lstm_spec module ``files`` import, at any depth (paths relative to the checkout)."""
    import ast

    found, todo = set(), list(files)
    while todo:
        tree = ast.parse(todo.pop().read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in (name for name in names if name.split(".")[0] == "lstm_spec"):
                path = Path(*name.split("."))
                for module in (path.with_suffix(".py"), path / "__init__.py"):
                    if (ROOT / module).is_file() and module.as_posix() not in found:
                        found.add(module.as_posix())
                        todo.append(ROOT / module)
    return found


def test_every_module_the_specs_import_is_part_of_what_a_side_asks_for():
    """SUITE_PARTS holds each lstm_spec module the specs and conftest.py import, so a change to one re-runs the sides."""
    from lstm_spec.versions.history_cache import SUITE_PARTS

    imported = _suite_modules([*sorted((ROOT / "specs").rglob("*.py")), ROOT / "conftest.py"])
    left_out = sorted(module for module in imported
                      if not any(module == part or module.startswith(part + "/") for part in SUITE_PARTS))
    assert imported and not left_out, f"modules the specs import but the history's fingerprint leaves out: {left_out}"


def test_a_spec_that_never_returns_fails_and_the_run_goes_on(pytester):
    """pytest.ini's timeout (pytest-timeout) turns a hang into one failure, so a side still ends with its results."""
    assert re.search(r"^timeout = \d+$", (ROOT / "pytest.ini").read_text(), flags=re.MULTILINE)
    pytester.makepyfile(test_hang="import time\n\ndef test_hangs():\n    time.sleep(30)\n\n"
                                  "def test_after():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--timeout=1")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*Timeout (>1.0s) from pytest-timeout*"])


def test_a_message_differs_only_where_the_versions_do_not_where_the_scratch_copies_are(tmp_path):
    """A failure naming a file of the side's scratch copy is read with the path from the checkout on."""
    junit = ('<testsuites><testsuite><testcase classname="specs.test_02_output" name="test_b"><failure message="'
             'ValueError: File format not supported: filepath=/tmp/lstm-spec-history-ab12/16-keras-3.5.0/tree/specs/'
             'saved_models/keras2/page_lstm/savedmodel."/></testcase></testsuite></testsuites>')
    tree, collected = finished_run(tmp_path, **{"junit.xml": junit})
    result = read_side("3.5.0", "version", tree, collected, tmp_path / "nox.log")
    assert ("ValueError: File format not supported: filepath=specs/saved_models/keras2/page_lstm/savedmodel."
            == result.outcomes["test_02_output::test_b"].message)

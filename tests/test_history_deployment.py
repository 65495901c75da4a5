"""The history's deployment: each side's runtime set (per TensorFlow minor), its install beside the side, the cache
keys that keep sides cached before it, and the page's Deployment section, from fabricated records."""

import io
import json
import subprocess
from pathlib import Path

import pytest

from lstm_spec.deploy import runtimes
from lstm_spec.deploy.observed import RECORD_FILE, Cell, record_text
from lstm_spec.versions import history, history_deployment, side_run
from lstm_spec.versions.history_cache import HistoryCache, fingerprint
from lstm_spec.versions.history_deployment import NOT_YET_RUN, runtimes_of, section, turns
from lstm_spec.versions.pins import lock_pins
from lstm_spec.versions.release_lines import LINES, find
from lstm_spec.versions.side_results import SideResult
from lstm_spec.versions.sides import ROOT, resolve
from test_history import sides, source_fixture, stand_in_fixture  # noqa: F401 (fixtures)

ONNX = Cell("onnx", "export-onnx", "page_lstm")
RUNS = {"runtime": "onnxruntime 1.32.0", "outcome": "runs", "op": "LSTM", "difference": 1.19e-07}
FAILS = {"runtime": "onnxruntime 1.32.0", "outcome": "fails", "error": "convert: TypeError: export() got an "
         "unexpected keyword argument 'verbose'"}


def test_the_locked_minor_takes_what_the_deploy_lock_pins_beyond_the_lock():
    """TensorFlow 2.21's set is requirements/deploy-lock.txt less requirements/lock.txt, pin for pin."""
    deploy = lock_pins((ROOT / "requirements" / "deploy-lock.txt").read_text())
    locked = lock_pins((ROOT / "requirements" / "lock.txt").read_text())
    expected = sorted(line for name, line in deploy.items() if name not in locked)
    assert expected == sorted(runtimes.for_tensorflow("2.21.0").pins), "2.21's set is not deploy-lock's"
    assert {"ai-edge-litert", "onnx", "onnxruntime", "tf2onnx", "openvino"} <= {pin.split("==")[0] for pin in expected}


def test_every_tensorflow_of_the_history_has_an_exact_set_with_a_reason():
    """Each TensorFlow minor the lines run (2.12-2.21) pins all five runtimes exactly, and says why those versions."""
    minors = {runtimes.minor_of(release.release) for release in LINES["tensorflow"]}
    for minor in sorted(minors):
        found = runtimes.for_tensorflow(minor)
        names = [pin.split("==")[0] for pin in found.pins]
        assert set(runtimes.RUNTIME_PACKAGES) <= set(names), f"TF {minor}: {found.pins} lacks a runtime"
        assert all("==" in pin and pin.count("==") == 1 for pin in found.pins), f"TF {minor}: a pin is not exact"
        assert len(names) == len(set(names)), f"TF {minor} pins a package twice: {found.pins}"
        assert found.why, f"TF {minor} says no reason"
    assert [found.tensorflow for found in runtimes.every_set()] == sorted(minors, key=lambda m: int(m.split(".")[1]))


def test_onnx_follows_the_ceilings_of_each_tensorflow():
    """onnx is held back where TensorFlow's requirements refuse a newer onnx's floor (typing-extensions, ml-dtypes,
    protobuf)."""
    onnx = {minor: dict(pin.split("==") for pin in runtimes.for_tensorflow(minor).pins)["onnx"]
            for minor in ("2.12", "2.13", "2.14", "2.17", "2.18", "2.19", "2.20", "2.21")}
    assert {"2.12": "1.17.0", "2.13": "1.17.0", "2.14": "1.18.0", "2.17": "1.18.0", "2.18": "1.22.0",
            "2.19": "1.22.0", "2.20": "1.23.2", "2.21": "1.23.2"} == onnx
    assert "typing-extensions<4.6.0" in runtimes.for_tensorflow("2.12").why
    assert "fails to import" in runtimes.for_tensorflow("2.15").why  # onnx 1.19.0 beside ml-dtypes 0.3.2
    assert "ml_dtypes==0.5.4" in runtimes.for_tensorflow("2.13").pins  # the one side without ml_dtypes of its own


def test_a_minor_without_a_set_pins_nothing_and_says_how_to_add_one():
    """TensorFlow 2.22 (or a side naming none): no pins, and the reason names the file and the check."""
    newer, unnamed = runtimes.for_tensorflow("2.22.0rc0"), runtimes.for_tensorflow(None)
    assert (False, False) == (newer.installable, unnamed.installable)
    assert "no runtime set is pinned for TensorFlow 2.22" in newer.why and "--check 2.22" in newer.why
    assert "names no TensorFlow" in unnamed.why


@pytest.mark.parametrize("name, minor", [("keras:3.14.1", "2.21"), ("tensorflow:2.15.1", "2.15"),
                                         ("tf-keras:2.16.0", "2.16"), ("keras-nightly", "2.21"),
                                         ("tensorflow:2.18.1", "2.18")])
def test_a_side_gets_the_set_of_the_tensorflow_it_installs(name, minor):
    """A Keras release and keras-nightly go on the locked TensorFlow; a TensorFlow or tf-keras side its own."""
    [release] = find(name)
    assert minor == runtimes_of(resolve(release.name)).tensorflow


def test_the_locked_side_runs_as_the_deploy_session_whose_lock_holds_its_set():
    """keras 3.15.1 (the locked session) runs in the deploy session, reused, its set in the lock: nothing to add; a
    fixed side without such a session (keras2 here) keeps its own, and its run adds the set."""
    found = runtimes.for_tensorflow("2.21")
    deploy = history_deployment.with_runtimes(resolve("locked"), found)
    assert ("locked", "deploy", True) == (deploy.name, deploy.session, history_deployment.in_lock(deploy, found))
    keras2 = history_deployment.with_runtimes(resolve("keras2"), runtimes.for_tensorflow("2.15"))
    assert ("keras2", False) == (keras2.session, history_deployment.in_lock(keras2, runtimes.for_tensorflow("2.15")))
    assert resolve("3.14.1") == history_deployment.with_runtimes(resolve("3.14.1"), found)


def test_a_side_whose_lock_holds_its_set_is_one_run_in_the_shared_environments(tmp_path, monkeypatch):
    """The deploy session: one nox call in the checkout's .nox, with the cell selection; no pip step."""
    calls = []
    monkeypatch.setattr(side_run.subprocess, "run", lambda command, **options: calls.append(command))
    (tmp_path / "source").mkdir()
    found = runtimes.for_tensorflow("2.21")
    side_run.run_side(history_deployment.with_runtimes(resolve("locked"), found), tmp_path / "w",
                      source=tmp_path / "source", log=io.StringIO(), runtimes=found)
    [ran] = calls
    assert (str(ROOT / ".nox"), "deploy") == (ran[ran.index("--envdir") + 1], ran[ran.index("--sessions") + 1])
    assert "--install-only" not in ran and history_deployment.SELECTION == ran[ran.index("-k") + 1]


def test_a_side_on_another_backend_gets_no_runtimes():
    """jax: the deploy specs state the TensorFlow backend, so nothing is installed, saying so."""
    found = runtimes_of(resolve("jax"))
    assert (False, "this side runs jax") == (found.installable, found.why[-len("this side runs jax"):])


def test_a_side_cached_before_the_runtimes_still_answers_unless_rerun(tmp_path, stand_in, source):
    """An entry stored under a side's request without runtimes is found (no re-run); --rerun-without-deployment runs it
    with its runtimes, and that entry then answers."""
    cache = HistoryCache(tmp_path / "cache")
    [(release, side)] = sides("keras:3.14.1")
    old = history._asked(side, fingerprint(), deployment=False)
    assert old != history._asked(side, fingerprint()), "the runtimes do not change the request"
    ran = stand_in()
    workdir = tmp_path / "old"
    from test_upgrade_report_reading import finished_run
    finished_run(workdir)
    cache.store(workdir, release, side, old, 60)
    history.run([(release, side)], cache, keep=None, log=io.StringIO(), source=source)
    assert [] == ran.ran
    history.run([(release, side)], cache, keep=None, log=io.StringIO(), source=source, rerun_without_deployment=True)
    assert ["3.14.1"] == ran.ran and runtimes.for_tensorflow("2.21") == ran.runtimes[0]
    history.run([(release, side)], cache, keep=None, log=io.StringIO(), source=source, rerun_without_deployment=True)
    assert ["3.14.1"] == ran.ran


def test_a_side_with_runtimes_is_made_then_given_them_held_then_run(tmp_path, monkeypatch):
    """The environment is made in the side's own folder (--install-only), the pins added with a constraint on every
    package it has, the specs run in it as it is with --deployment-record, and what was installed is kept."""
    calls, collecting = [], []

    def run(command, **options):
        calls.append(command)
        collecting.append("LSTM_SPEC_COLLECT" in options.get("env", {}))
        if "--install-only" in command:
            python = tmp_path / "w" / ".nox" / "locked" / "bin" / "python"
            python.parent.mkdir(parents=True)
            python.touch()
        if command[1:3] == ["-m", "pip"] and command[3] == "install":
            held = Path(command[command.index("--constraint") + 1]).read_text()
            calls.append(["held", held])
        if "--no-install" in command:
            (tmp_path / "w" / "collected").mkdir(parents=True)
        return subprocess.CompletedProcess(command, 0, stdout="numpy==2.4.6\npip==25.3\n", stderr="")

    monkeypatch.setattr(side_run.subprocess, "run", run)
    (tmp_path / "source").mkdir()
    found = runtimes.for_tensorflow("2.21")
    result = side_run.run_side(resolve("locked"), tmp_path / "w", source=tmp_path / "source", log=io.StringIO(),
                               runtimes=found)
    made, frozen, installed, held, ran = calls
    assert "--install-only" in made and str(tmp_path / "w" / ".nox") == made[made.index("--envdir") + 1]
    assert ["freeze", "--all"] == frozen[3:]
    assert ["install", "--quiet", "--no-deps", "--no-compile", "--constraint"] == installed[3:8]
    assert list(found.pins) == installed[9:]
    assert ["held", "numpy==2.4.6\npip==25.3\n"] == held
    assert ["--reuse-venv=always", "--no-install"] == ran[ran.index("--sessions") - 2:ran.index("--sessions")]
    assert [False, False, False, True] == collecting  # nothing collected while the environment is made
    assert f"--deployment-record={tmp_path / 'w' / 'collected' / RECORD_FILE}" in ran
    assert "--deployment-page=off" in ran  # matrix deploy keeps docs/deployment.md, not a side
    assert history_deployment.SELECTION == ran[ran.index("-k") + 1]
    status = json.loads((tmp_path / "w" / "collected" / history_deployment.STATUS_FILE).read_text())
    assert (True, "2.21") == (status["installed"], status["tensorflow"])
    assert result.run_error  # the stand-in pytest wrote no results


def test_a_report_side_records_its_cells_and_runs_every_deploy_case(tmp_path, monkeypatch):
    """Without runtimes (a report's side) the run is one nox call in the side's usual folder, with the record written
    and no -k: every case its environment has runs."""
    calls = []
    monkeypatch.setattr(side_run.subprocess, "run", lambda command, **options: calls.append(command))
    (tmp_path / "source").mkdir()
    side_run.run_side(resolve("2.20.0"), tmp_path / "w", source=tmp_path / "source", log=io.StringIO())
    [ran] = calls
    assert f"--deployment-record={tmp_path / 'w' / 'collected' / RECORD_FILE}" in ran and "-k" not in ran
    assert not (tmp_path / "w" / "collected" / history_deployment.STATUS_FILE).exists()


def test_the_history_runs_each_export_path_on_the_page_lstm_only(pytester):
    """SELECTION keeps every spec outside 48-51 (whatever its name holds) and, of the deploy specs, the page's LSTM on
    each path but OpenVINO's fixed batch; bad input (51) is left out.  (The modules' names are not the specs' own:
    in a run of the specs those are imported already, and pytest refuses a second module of one name.)"""
    cases = {"test_02_output_named_so": ["deployed-x"],
             "test_48_deployed_litert_named_so": ["export-litert-page_lstm", "export-litert-fixed-batch-page_lstm",
                                                  "export-litert-stateful"],
             "test_50_deployed_openvino_named_so": ["page_lstm-dynamic-batch", "page_lstm-fixed-batch"],
             "test_51_deployed_bad_input_named_so": ["litert-truncated"]}
    pytester.makepyfile(**{module: f"import pytest\n@pytest.mark.parametrize('x', {ids!r}, ids={ids!r})\n"
                                   "def test_a(x):\n    pass\n" for module, ids in cases.items()})
    result = pytester.runpytest("--collect-only", "-q", "-p", "no:cacheprovider", "-k", history_deployment.SELECTION)
    assert ["test_02_output_named_so.py::test_a[deployed-x]",
            "test_48_deployed_litert_named_so.py::test_a[export-litert-fixed-batch-page_lstm]",
            "test_48_deployed_litert_named_so.py::test_a[export-litert-page_lstm]",
            "test_50_deployed_openvino_named_so.py::test_a[page_lstm-dynamic-batch]"] == sorted(
        line for line in result.outlines if "::" in line)


def test_runtimes_pip_refuses_are_recorded_with_its_reason(tmp_path, monkeypatch):
    """pip's reason is the status' error, and the specs still run."""
    def run(command, **options):
        if "--install-only" in command:
            python = tmp_path / "w" / ".nox" / "version" / "bin" / "python"
            python.parent.mkdir(parents=True)
            python.touch()
        if "--no-install" in command:
            (tmp_path / "w" / "collected").mkdir(parents=True)
        refused = command[1:4] == ["-m", "pip", "install"]
        output = "ERROR: Cannot install onnx==1.23.2 because these package versions have conflicting dependencies."
        return subprocess.CompletedProcess(command, 1 if refused else 0, stdout=output if refused else "", stderr="")

    monkeypatch.setattr(side_run.subprocess, "run", run)
    (tmp_path / "source").mkdir()
    side_run.run_side(resolve("2.20.0"), tmp_path / "w", source=tmp_path / "source", log=io.StringIO(),
                      runtimes=runtimes.for_tensorflow("2.20"))
    status = json.loads((tmp_path / "w" / "collected" / history_deployment.STATUS_FILE).read_text())
    assert (False, "ERROR: Cannot install onnx==1.23.2") == (status["installed"], status["error"][:34])


def test_a_side_that_does_not_install_runs_as_any_side_to_say_why(tmp_path, monkeypatch):
    """When the environment cannot be made, no pins are tried: the side runs once more as without runtimes, so its
    session writes install-error.txt, and the status says the runtimes were not installed."""
    calls = []

    def run(command, **options):
        calls.append(command)
        return subprocess.CompletedProcess(command, 1, stdout="", stderr="")

    monkeypatch.setattr(side_run.subprocess, "run", run)
    (tmp_path / "source").mkdir()
    (tmp_path / "w" / "collected").mkdir(parents=True)
    side_run.run_side(resolve("2.20.0"), tmp_path / "w", source=tmp_path / "source", log=io.StringIO(),
                      runtimes=runtimes.for_tensorflow("2.20"))
    made, ran = calls
    assert ("--install-only" in made, "--install-only" in ran, "--no-install" in ran) == (True, False, False)
    status = json.loads((tmp_path / "w" / "collected" / history_deployment.STATUS_FILE).read_text())
    assert (False, True) == (status["installed"], status["error"].startswith("the side's own environment could not"))


def _side(name, cells=None, installed=True, pins=("onnx==1.23.2",)):
    """A side's results: its record of ``cells`` (None: none) and its runtimes' status."""
    found = runtimes.Runtimes("2.21", tuple(pins), "because")
    return SideResult(name, "version", deployment_record=None if cells is None else record_text(cells),
                      deployment_runtimes=None if cells is None else history_deployment.status(
                          found, None if installed else "ERROR: no"))


def test_turns_name_where_a_cell_starts_to_work_breaks_and_changes():
    """Along a line: works from the first release that runs it, breaks where it stops, an op that changes is named."""
    line = [("3.0.5", {ONNX: FAILS}), ("3.1.1", {ONNX: RUNS}), ("3.2.1", {ONNX: {**RUNS, "op": "Loop"}}),
            ("3.3.3", {ONNX: FAILS})]
    assert ["works from 3.1.1", "op changes at 3.2.1", "breaks at 3.3.3"] == turns(line, ONNX)


def test_a_turn_after_releases_not_yet_run_names_the_span():
    """A release without a record between two with one: the turn came at the later or at one before it."""
    line = [("3.0.5", {ONNX: FAILS}), ("3.1.1", None), ("3.2.1", None), ("3.3.3", {ONNX: RUNS})]
    assert ["works from 3.3.3 (or one of the 2 before it not yet run)"] == turns(line, ONNX)


def test_the_section_shows_each_cell_along_its_line_and_the_sides_not_yet_run():
    """A row per format:path and model, its releases in runs of one outcome; a cached side without a record reads
    'not yet run', a side whose runtimes did not install says so where it has no cell."""
    keras = {release.release: release for release in LINES["keras"]}
    results = {keras["3.12.4"]: _side("3.12.4"), keras["3.13.2"]: _side("3.13.2", {ONNX: FAILS}),
               keras["3.14.1"]: _side("3.14.1", {ONNX: RUNS}),
               keras["3.15.1"]: _side("3.15.1", {}, installed=False)}
    lines = section(results, {"keras": LINES["keras"]})
    assert "## Deployment: where a format started to work or broke" == lines[0]
    [row] = [line for line in lines if line.startswith("| `onnx:export-onnx`")]
    assert row.startswith("| `onnx:export-onnx` | `page_lstm` | works from 3.14.1; breaks at 3.15.1 | "), row
    assert (f"3.0.5–3.12.4: {NOT_YET_RUN}<br>3.13.2: fails at convert: TypeError: export() got an unexpected "
            "keyword argument 'verbose'<br>3.14.1: runs, ≤ 1e-06<br>3.15.1: runtimes did not install: TensorFlow "
            "2.21 |") in row
    assert any(line.startswith("Sides with a record: 3 of 16; not yet run (1, cached before") and "keras 3.12.4" in line
               for line in lines)
    assert "Sides whose runtimes pip refused (they ran without them): keras 3.15.1: ERROR: no" in lines


def test_the_section_lists_each_minors_set_and_no_line_without_records():
    """Without any record the section says so and still lists every TensorFlow minor's set, with its reason."""
    lines = section({LINES["tensorflow"][0]: _side("2.12.1")}, LINES)
    assert not any(line.startswith("### The ") for line in lines)
    assert "Sides with a record: 0 of 35; not yet run (1, cached before" in lines[4]
    row = next(line for line in lines if line.startswith("| 2.12 |"))
    assert "onnx==1.17.0" in row and "typing-extensions<4.6.0" in row


def test_the_history_page_ends_with_the_deployment_section(tmp_path, stand_in, source):
    """A run whose sides recorded cells: the page written from the cache carries the Deployment section."""
    stand_in(records={"3.0.5": record_text({ONNX: FAILS}), "3.1.1": record_text({ONNX: RUNS})})
    cache = HistoryCache(tmp_path / "cache")
    history.run(sides("keras:3.0.5", "keras:3.1.1"), cache, keep=None, log=io.StringIO(), source=source)
    page = history.write_page(cache.entries(), tmp_path / "history.md", "python3 suite.py history").read_text()
    assert "## Deployment: where a format started to work or broke" in page
    assert "| `onnx:export-onnx` | `page_lstm` | works from 3.1.1 | 3.0.5: fails at convert" in page


def test_a_record_that_cannot_be_read_is_said_so_not_taken_for_not_yet_run():
    """A side whose record is damaged reads 'its record cannot be read' on each cell, beside a side that has one."""
    keras = {release.release: release for release in LINES["keras"]}
    damaged = SideResult("3.14.1", "version", deployment_record='{"cells": [{"cell": ["onnx"]}]}')
    lines = section({keras["3.14.1"]: damaged, keras["3.15.1"]: _side("3.15.1", {ONNX: RUNS})},
                    {"keras": LINES["keras"]})
    [row] = [line for line in lines if line.startswith("| `onnx:export-onnx`")]
    assert "3.14.1: its record cannot be read<br>3.15.1: runs, ≤ 1e-06 |" in row


def test_the_list_names_the_session_a_side_runs_in(tmp_path, capsys):
    """--list: keras 3.15.1 runs in deploy (its set in the lock), keras 3.14.1 in the version session."""
    history.main(["keras:3.15.1", "keras:3.14.1", "--list", "--cache", str(tmp_path / "cache")])
    out = capsys.readouterr().out
    assert "3.15.1 (nox session deploy)" in out and "3.14.1 (nox session version)" in out

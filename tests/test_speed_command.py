"""``python3 suite.py speed A B`` (lstm_spec.bench.speed, speed_runs, instrument) without running TensorFlow:
bad input refused, synthetic process results compared, the exit code, the report section, the test hook."""

import contextlib
import json
import subprocess

import pytest

pytest.importorskip("scipy", reason="scipy is not in the Keras 2 lock: the speed comparison's statistics run from .venv (python3 suite.py speed)")

from lstm_spec.bench import benchmarking, instrument, speed, speed_runs  # noqa: E402
from lstm_spec.bench import turns as turns_module  # noqa: E402
from lstm_spec.bench.speed_runs import ProcessRun, Settings, SpeedRunError  # noqa: E402
from lstm_spec.bench.statistics import NO_CHANGE, SLOWER  # noqa: E402
from lstm_spec.versions.sides import resolve  # noqa: E402

NO_GPU = "TensorFlow sees no GPU (devices: /physical_device:CPU:0)"
POINTS = [("LSTM", 1), ("GRU", 32)]
SECONDS = {"predict": 0.040, "call": 0.012}


def write_process(path, *, predict_factor: float, jitter: float) -> None:
    """A pytest-benchmark JSON file shaped like one process of specs/benchmarks on the 'small' grid."""
    benchmarks = []
    for layer, batch in POINTS:
        for bench_path, seconds in SECONDS.items():
            median = seconds * (1 + jitter) * (predict_factor if bench_path == "predict" else 1.0)
            info = {"layer": layer, "units": 32, "seq_len": 10, "features": 16, "batch": batch, "device": "CPU",
                    "path": bench_path, "cpu_median": median * 0.9}
            benchmarks.append({"name": f"test[{layer}-{batch}-{bench_path}]",
                               "fullname": f"x::{layer}{batch}{bench_path}",
                               "group": "g", "stats": {"median": median}, "extra_info": info})
    machine = {"lstm_spec": {"versions": {"tensorflow": "2.21.0"}, "skipped": {"x::gpu-case": NO_GPU}}}
    path.write_text(json.dumps({"machine_info": machine, "benchmarks": benchmarks}))


def fake_runs(tmp_path, pairs: int, predict_factor: float) -> list[ProcessRun]:
    runs = []
    for index in range(1, pairs + 1):
        for side in speed_runs.SIDES:
            json_path = tmp_path / f"pair{index:02d}-{side}.json"
            jitter = 0.01 * ((index * 7 + (side == "B") * 3) % 5 - 2)  # +-2%, different per process
            write_process(json_path, predict_factor=predict_factor if side == "B" else 1.0, jitter=jitter)
            runs.append(ProcessRun(side, index, json_path))
    return runs


@pytest.fixture
def fake_sides(monkeypatch, tmp_path):
    """Replaces environment preparation and the process runs by synthetic results; returns the B factor setter."""
    chosen = {"factor": 1.0, "prepared": []}

    def prepare(side, log):
        chosen["prepared"].append(side.name)
        return tmp_path / "python"

    monkeypatch.setattr(speed, "prepare", prepare)
    monkeypatch.setattr(speed, "run_interleaved",
                        lambda pythons, settings, folder, environments: fake_runs(folder, settings.pairs, chosen["factor"]))
    return chosen


def test_twofold_predict_slowdown_flags_only_predict_and_exits_1(fake_sides, tmp_path, capsys):
    """B's predict() twice as slow: every predict point is slower, every other path unchanged, exit code 1."""
    fake_sides["factor"] = 2.0
    assert 1 == speed.main(["locked", "locked", "--grid", "small", "--out", str(tmp_path / "out")])
    verdicts = {(point["label"], point["path"]): point["verdict"]
                for point in json.loads((tmp_path / "out" / "comparison.json").read_text())["points"]}
    assert len(POINTS) * len(SECONDS) == len(verdicts)
    assert {key: SLOWER if key[1] == "predict" else NO_CHANGE for key in verdicts} == verdicts
    printed = capsys.readouterr().out
    assert f"{len(POINTS)} slower, 0 faster, {len(POINTS)} no detectable change" in printed
    assert (tmp_path / "out" / "ratios.png").stat().st_size > 0


def test_equal_sides_exit_0_and_state_noise_floor_and_gpu_skips(fake_sides, tmp_path, capsys):
    """Equal sides: nothing flagged, exit 0, and the output states the noise floor and why GPU points were skipped."""
    assert 0 == speed.main(["locked", "locked", "--out", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    assert "0 slower, 0 faster, 4 no detectable change" in printed
    assert "noise floor (same-side processes): median spread" in printed
    assert "a pair's ratio B/A strays by a median" in printed
    assert "WARNING" not in printed  # the synthetic processes differ by at most 4%
    assert f"skipped on A (1 cases): {NO_GPU}" in printed
    assert ["locked", "locked"] == fake_sides["prepared"]


@pytest.mark.parametrize(("arguments", "message"), [
    (["banana", "locked"], "not a version"),
    (["locked", "locked", "--pairs", "2"], "--pairs 2: a confidence interval needs at least 3"),
    (["locked", "locked", "--slow-after", "0.5"], "--slow-after 0.5: give the factor >= 1"),
], ids=["unknown version", "two pairs", "speed-up as slowdown"])
def test_bad_input_is_refused_before_any_environment_is_built(fake_sides, capsys, arguments, message):
    """A name nothing installs, fewer than 2 pairs or a slowdown below 1 exit 2 with the reason, building nothing."""
    assert 2 == speed.main(arguments)
    assert message in capsys.readouterr().err
    assert [] == fake_sides["prepared"]


def test_points_too_noisy_for_the_threshold_are_named(fake_sides, tmp_path, capsys):
    """Points whose interval is wider than the threshold are counted and named: their 'no change' means 'cannot tell'."""
    assert 0 == speed.main(["locked", "locked", "--threshold", "0.01", "--out", str(tmp_path / "out")])
    assert ("WARNING: 4 of 4 points x paths could not resolve a 1% change (interval wider than +-1% around the "
            "ratio: GRU(units=32) batch=32") in capsys.readouterr().out


def test_points_with_a_verdict_are_not_called_too_noisy(fake_sides, tmp_path, capsys):
    """A point flagged slower is resolved however wide its interval: only 'no detectable change' points are warned of."""
    fake_sides["factor"] = 2.0
    assert 1 == speed.main(["locked", "locked", "--threshold", "0.01", "--out", str(tmp_path / "out")])
    assert "WARNING: 2 of 4 points x paths could not resolve a 1% change" in capsys.readouterr().out


def test_negative_threshold_is_a_usage_error(capsys):
    """--threshold below 0 is refused by the argument parser, saying the form it takes."""
    with pytest.raises(SystemExit) as exit_info:
        speed.main(["locked", "locked", "--threshold", "-0.1"])
    assert 2 == exit_info.value.code
    assert "fraction >= 0" in capsys.readouterr().err


def test_report_section_carries_table_and_png(fake_sides, tmp_path, monkeypatch):
    """The report's Speed section has the summary, the PNG beside the report and one table row per point and path."""
    monkeypatch.setattr(speed, "RESULTS", tmp_path / "results")
    section = speed.report_section(resolve("2.18.0"), resolve("locked"), tmp_path / "tf-2.18.0-to-locked.md")
    assert section.markdown.startswith("\n## Speed\n")
    assert "![ratios B/A with their intervals](tf-2.18.0-to-locked-speed.png)" in section.markdown
    assert (tmp_path / "tf-2.18.0-to-locked-speed.png").exists()
    assert len(POINTS) * len(SECONDS) == section.markdown.count("| no detectable change |")
    assert 2 == len(section.summary)


def test_report_section_says_why_it_is_missing(monkeypatch, tmp_path):
    """Skipped, or a side whose environment cannot be prepared, gives a section that says so instead of a table."""
    skipped = speed.report_section(resolve("2.18.0"), resolve("locked"), tmp_path / "r.md", skip=True)
    assert "Not measured (`--no-speed`" in skipped.markdown

    def cannot_prepare(side, log):
        raise SpeedRunError(f"{side.name}: the environment could not be prepared")

    monkeypatch.setattr(speed, "prepare", cannot_prepare)
    monkeypatch.setattr(speed, "RESULTS", tmp_path / "results")
    section = speed.report_section(resolve("2.99.0"), resolve("locked"), tmp_path / "r.md")
    assert "Not measured: 2.99.0: the environment could not be prepared" in section.markdown
    assert ["- speed not measured: 2.99.0: the environment could not be prepared"] == section.summary


def test_timed_processes_get_the_settings_and_only_b_the_slowdown(tmp_path):
    """The timed pytest gets grid, threads, warm-up and gc-off; only side B's environment carries the hook."""
    settings = Settings(grid="small", tf_threads=(1, 1), slow_after=1.25)
    arguments = settings.pytest_arguments(tmp_path / "p.json")
    for expected in ("--grid=small", "--tf-threads=1,1", "--benchmark-warmup=on", "--benchmark-disable-gc",
                     f"--benchmark-json={tmp_path / 'p.json'}"):
        assert expected in arguments
    assert "1.25" == settings.environment("B")[instrument.SLOWDOWN_VARIABLE]
    assert instrument.SLOWDOWN_VARIABLE not in settings.environment("A")


def test_timed_processes_inherit_no_hook_or_turns(monkeypatch):
    """A slowdown or turn-taking variable left in the caller's environment reaches neither side's process."""
    monkeypatch.setenv(instrument.SLOWDOWN_VARIABLE, "3")
    monkeypatch.setenv(turns_module.TURNS_VARIABLE, "5,6,A")
    for side in ("A", "B"):
        environment = Settings(lockstep=False).environment(side)
        assert instrument.SLOWDOWN_VARIABLE not in environment
        assert turns_module.TURNS_VARIABLE not in environment


def test_report_refuses_too_few_speed_pairs_before_anything_runs(capsys):
    """`report A B --speed-pairs 2` stops at once, naming the least number of pairs and the default."""
    from lstm_spec.versions import upgrade_report

    with pytest.raises(SystemExit) as stopped:
        upgrade_report.main(["locked", "keras2", "--speed-pairs", "2"])
    assert 2 == stopped.value.code
    assert "--speed-pairs 2: a confidence interval needs at least 3 pairs; the default is 8" in capsys.readouterr().err


def test_report_speed_pairs_replace_the_section_pair_count(monkeypatch, tmp_path):
    """The report's --speed-pairs reaches the comparison; without it the section runs REPORT_PAIRS pairs."""
    seen = []

    def comparison_of(before, after, settings, threshold, folder):
        seen.append(settings.pairs)
        raise SpeedRunError("stopped here")

    monkeypatch.setattr(speed, "run_comparison", comparison_of)
    monkeypatch.setattr(speed, "results_folder", lambda *names: tmp_path)
    speed.report_section(resolve("2.18.0"), resolve("locked"), tmp_path / "r.md", pairs=4)
    speed.report_section(resolve("2.18.0"), resolve("locked"), tmp_path / "r.md")
    assert [4, speed.REPORT_PAIRS] == seen


def test_slowdown_hook_reads_only_predict(monkeypatch):
    """LSTM_SPEC_SLOW_PREDICT slows predict() only; a value that is no factor >= 1 is refused naming the variable."""
    environ = {instrument.SLOWDOWN_VARIABLE: "1.25"}
    assert 1.25 == instrument.slowdown_factor(environ, "predict")
    assert 1.0 == instrument.slowdown_factor(environ, "call")
    assert 1.0 == instrument.slowdown_factor({}, "predict")
    for bad in ("fast", "0.8"):
        with pytest.raises(instrument.BenchmarkSetupError, match=f"{instrument.SLOWDOWN_VARIABLE}='{bad}'"):
            instrument.slowdown_factor({instrument.SLOWDOWN_VARIABLE: bad}, "predict")


def test_measured_call_stretches_wall_time_by_the_factor(monkeypatch):
    """With factor 1.5 a call that takes 10 clock units returns after 15; CPU time is recorded per call."""
    clock = {"now": 0.0}

    def perf_counter():
        clock["now"] += 0.25  # every reading of the clock moves it on, so the spin ends
        return clock["now"]

    def call():
        clock["now"] += 10.0
        return "output"

    monkeypatch.setattr(instrument.time, "perf_counter", perf_counter)
    measured = instrument.MeasuredCall(call, slowdown=1.5)
    assert "output" == measured()
    assert 15.25 <= clock["now"] <= 16.0  # start 0.25, call 10 -> until 0.25 + 10.25 * 1.5
    assert 1 == len(measured.cpu_seconds)
    assert measured.cpu_median() is not None


def test_named_grids_keep_the_bench_grid():
    """`suite.py bench`'s default and full grids are unchanged; the report's small grid is 4 points x 3 paths."""
    assert benchmarking.grid() == benchmarking.GRIDS["default"].points()
    assert 12 == len(benchmarking.grid()) and 24 == len(benchmarking.grid(full=True))
    assert tuple(benchmarking.PATHS) == benchmarking.GRIDS["default"].paths
    small = benchmarking.GRIDS["small"]
    assert (4, ("predict", "predict_on_batch", "tf_function")) == (len(small.points()), small.paths)


def test_failed_process_names_its_log(tmp_path, monkeypatch):
    """A benchmark process that fails ends the comparison with its exit code and the end of its log."""
    script = tmp_path / "python"
    script.write_text("#!/bin/sh\necho 'ImportError: no tensorflow here'\nexit 3\n")
    script.chmod(0o755)
    with pytest.raises(SpeedRunError, match="exit code 3(.|\n)*ImportError: no tensorflow here"):
        speed_runs.run_interleaved({"A": script, "B": script}, Settings(pairs=3), tmp_path, progress=lambda line: None)


@pytest.mark.parametrize("text", ["1", "1,x", "-1,1"], ids=["one number", "not a number", "negative"])
def test_thread_counts_are_refused_unless_two_counts(text):
    """--tf-threads takes INTRA,INTER counts >= 0; anything else is refused showing the form."""
    assert (1, 2) == instrument.thread_counts("1,2")
    with pytest.raises(instrument.BenchmarkSetupError, match="give INTRA,INTER thread counts >= 0, e.g. 1,1"):
        instrument.thread_counts(text)


def test_version_sides_get_speeds_own_kept_environment(monkeypatch, tmp_path):
    """A version side is prepared in .nox/speed/<name> and reused next time; a lock side uses the matrix's .nox."""
    commands = []

    def fail(command, **_):
        commands.append(command)
        return subprocess.CompletedProcess(command, 1)

    monkeypatch.setattr(speed_runs.subprocess, "run", fail)
    for name in ("2.18.0", "keras2"):
        with pytest.raises(SpeedRunError, match=f"{name}: the environment could not be prepared"):
            speed_runs.prepare(resolve(name), tmp_path / "prepare.log")
    version, lock = commands
    assert str(speed_runs.SPEED_ENVS / "2.18.0") == version[version.index("--envdir") + 1]
    assert "--reuse-venv=always" in version[:version.index("--")]
    assert str(speed_runs.ROOT / ".nox") == lock[lock.index("--envdir") + 1]
    assert "--reuse-venv=always" not in lock


def test_sides_run_pinned_under_their_session_variables(tmp_path, monkeypatch):
    """Each side's processes get that side's KERAS_BACKEND and TF_USE_LEGACY_KERAS, whatever is exported, and run on
    the one chosen CPU only."""
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "1")
    script = tmp_path / "python"
    script.write_text("#!/bin/sh\nfor argument; do case $argument in --benchmark-json=*) out=${argument#*=};; esac; done\n"
                      "cpus=$(grep Cpus_allowed_list /proc/self/status | cut -f2)\n"
                      "echo \"$KERAS_BACKEND $TF_USE_LEGACY_KERAS $cpus\" > $out\n")
    script.chmod(0o755)
    cpu = min(speed_runs.os.sched_getaffinity(0))
    sides = {"A": ("locked", f"tensorflow 0 {cpu}"), "B": ("jax", f"jax 0 {cpu}")}
    runs = speed_runs.run_interleaved({"A": script, "B": script}, Settings(pairs=3, cpu=cpu), tmp_path,
                                      progress=lambda line: None,
                                      environments={side: resolve(name).session_environment
                                                    for side, (name, _) in sides.items()})
    assert [sides[run.side][1] for run in runs] == [run.json_path.read_text().strip() for run in runs]


@pytest.mark.parametrize("name, backend, legacy_keras", [
    ("locked", "tensorflow", "0"), ("keras2", "tensorflow", "0"), ("2.18.0", "tensorflow", "0"), ("jax", "jax", "0"),
    ("torch", "torch", "0"), ("tf-keras", "tensorflow", "1")])
def test_each_side_names_its_keras_backend_and_keras(name, backend, legacy_keras):
    """The jax and torch environments are timed on their own Keras backend, every other side on TensorFlow; only
    tf-keras's with TF_USE_LEGACY_KERAS=1, so that tf-keras, not the Keras 3 beside it, is timed."""
    assert {"KERAS_BACKEND": backend, "TF_USE_LEGACY_KERAS": legacy_keras} == resolve(name).session_environment


def test_cpu_outside_the_allowed_set_is_refused():
    """--cpu names a CPU this process may use; another is refused naming the ones it may."""
    with pytest.raises(SpeedRunError, match=r"--cpu 999: this process may run on CPUs \[.*\]; name one of them"):
        Settings(cpu=999).check()
    assert "--benchmark-min-rounds=10" in Settings().pytest_arguments(speed_runs.Path("x.json"))


def test_from_folder_analyses_kept_processes_again_without_running(fake_sides, tmp_path, capsys):
    """`speed --from FOLDER` re-reads a comparison's kept processes, at a new threshold if given, running nothing."""
    fake_sides["factor"] = 1.15
    folder = tmp_path / "out"
    assert 1 == speed.main(["locked", "locked", "--out", str(folder)])
    fake_sides["prepared"].clear()
    assert 0 == speed.main(["--from", str(folder), "--threshold", "0.5"])
    assert [] == fake_sides["prepared"]
    assert "0 slower, 0 faster, 4 no detectable change" in capsys.readouterr().out
    assert 1 == speed.main(["--from", str(folder)])  # the threshold it was run with: 10%
    assert 0.10 == json.loads((folder / "comparison.json").read_text())["threshold"]


@pytest.mark.parametrize(("arguments", "message"), [
    (["--from", "{tmp}/nothing"], "no such folder"),
    (["--from", "{tmp}"], "no pair of kept processes"),
    (["--from", "{tmp}/kept"], "not the record of a speed comparison"),
    (["locked", "--from", "{tmp}"], "name the two sides (speed A B), or --from FOLDER without them"),
    (["locked"], "name the two sides (speed A B), or --from FOLDER without them"),
], ids=["missing folder", "folder without processes", "processes without a record", "a side and --from", "one side"])
def test_from_folder_refuses_what_it_cannot_read(arguments, message, tmp_path, capsys):
    """--from refuses a missing folder, one without kept processes or without their record, and sides beside it."""
    (tmp_path / "kept").mkdir()
    fake_runs(tmp_path / "kept", 3, 1.0)
    with pytest.raises(SystemExit) if "name the two" in message else contextlib.nullcontext():
        assert 2 == speed.main([argument.format(tmp=tmp_path) for argument in arguments])
    assert message in capsys.readouterr().err


def test_kept_runs_pairs_the_kept_processes_in_order(tmp_path):
    """The kept processes come back A, B per pair in pair order; a pair missing a side is left out."""
    for name in ("pair02-B.json", "pair01-A.json", "pair02-A.json", "pair01-B.json", "pair03-A.json", "notes.json"):
        (tmp_path / name).write_text("{}")
    assert [("A", 1), ("B", 1), ("A", 2), ("B", 2)] == [(run.side, run.index) for run in speed_runs.kept_runs(tmp_path)]
    (tmp_path / "pair01-A.json").unlink()
    (tmp_path / "pair02-A.json").unlink()
    with pytest.raises(SpeedRunError, match="no pair of kept processes"):
        speed_runs.kept_runs(tmp_path)


def test_speed_resolves_each_name_once_and_carries_the_side(fake_sides, tmp_path, monkeypatch):
    """speed A B resolves A and B once each, at the command line; the environments are prepared from those sides."""
    resolved = []
    monkeypatch.setattr(speed, "resolve", lambda name: resolved.append(name) or resolve(name))
    speed.main(["locked", "keras2", "--out", str(tmp_path / "out")])
    assert (["locked", "keras2"], ["locked", "keras2"]) == (resolved, fake_sides["prepared"])

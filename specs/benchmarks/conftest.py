"""The predict() benchmarks' own set-up: the size grid, the device fixture with its matmul peak, the
thread pools, the timed call (CPU time, slowdown hook), the versions, peaks, threads and skip reasons
recorded in saved runs, and the summary table after the run.

This folder is out of the documentation and test runs (``pytest.ini`` passes
``--ignore=specs/benchmarks``, which applies only when the folder is not named on the command line);
``python3 suite.py bench`` names it.  See ``README.md`` here.
"""

import os
from dataclasses import dataclass

import pytest

from lstm_spec.bench import benchmarking, instrument, turns
from lstm_spec.models.backend import KERAS_BACKEND, visible_gpus
from lstm_spec.models.era import KERAS_DISTRIBUTION, installed_version

PEAKS = pytest.StashKey[dict]()
THREADS = pytest.StashKey[dict]()
SKIPPED = pytest.StashKey[dict]()
TURNS = pytest.StashKey[turns.Turns | None]()


def pytest_addoption(parser):
    parser.addoption("--grid", choices=sorted(benchmarking.GRIDS), default="default",
                     help="the size grid and paths to benchmark (lstm_spec.bench.benchmarking.GRIDS; default: default)")
    parser.addoption("--full-grid", action="store_const", const="full", dest="grid",
                     help="the whole size grid (adds seq_len 100): the same as --grid=full")
    parser.addoption("--tf-threads", default="0,0", metavar="INTRA,INTER",
                     help="TensorFlow's intra-op and inter-op thread pool sizes (default 0,0: TensorFlow's own)")


def pytest_configure(config):
    config.stash[PEAKS] = {}
    config.stash[SKIPPED] = {}
    try:
        intra, inter = instrument.thread_counts(config.getoption("tf_threads"))
    except instrument.BenchmarkSetupError as error:
        raise pytest.UsageError(f"--tf-threads {error}") from None
    if (intra, inter) != (0, 0):
        # Before any TensorFlow operation runs; afterwards the pools are fixed.
        config.stash[THREADS] = instrument.configure_threads(intra, inter)
    try:
        config.stash[TURNS] = turns.turns_from(os.environ)
    except turns.TurnsSetupError as error:
        raise pytest.UsageError(str(error)) from None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    # In a lockstep pair, a test's set-up, warm-up and bookkeeping run only while this process holds
    # the token, so none of it overlaps a timed round of the other process.
    if item.config.stash[TURNS]:
        item.config.stash[TURNS].acquire()
    return (yield)


@pytest.fixture
def time_rounds(request, benchmark):
    """Times a warm call with pytest-benchmark: alone, pytest-benchmark chooses the rounds; in a lockstep
    pair (lstm_spec.bench.turns), the rounds --benchmark-max-time and --benchmark-min-rounds ask for,
    each one a turn."""
    pair = request.config.stash[TURNS]
    if pair is None:
        return benchmark
    option = request.config.getoption

    def timed(call):
        rounds = turns.round_count(call, float(option("benchmark_max_time")), int(option("benchmark_min_rounds")))
        warmup = option("benchmark_warmup_iterations") if option("benchmark_warmup") else 0
        return benchmark.pedantic(call, setup=pair.next_round, rounds=rounds, warmup_rounds=warmup)

    return timed


def pytest_generate_tests(metafunc):
    chosen = benchmarking.GRIDS[metafunc.config.getoption("grid")]
    if "point" in metafunc.fixturenames:
        points = chosen.points()
        metafunc.parametrize("point", points, ids=[f"{config}-{dims}" for config, dims in points])
    if "path" in metafunc.fixturenames:
        metafunc.parametrize("path", chosen.paths)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Skip reasons go into the saved run (machine_info), so a comparison of saved runs can say why
    # a point is missing (no GPU, XLA does not compile it).
    report = yield
    if report.skipped and isinstance(report.longrepr, tuple):
        item.config.stash[SKIPPED][report.nodeid] = report.longrepr[2].removeprefix("Skipped: ")
    return report


@pytest.fixture
def timed_call(request, path):
    """Wraps a path's inference call for timing: records its CPU time per call and applies the
    slowdown test hook (``LSTM_SPEC_SLOW_PREDICT``, read here only; see lstm_spec.bench.instrument)."""
    try:
        factor = instrument.slowdown_factor(os.environ, path)
    except instrument.BenchmarkSetupError as error:
        pytest.exit(str(error), returncode=4)
    return lambda call: instrument.MeasuredCall(call, factor)


@dataclass(frozen=True)
class Device:
    kind: str  # "CPU" or "GPU"
    name: str  # what tf.device takes: "/CPU:0"
    peak_gflops: float  # float32 matmul peak measured on it in this session

    def __str__(self) -> str:
        return self.kind


@pytest.fixture(scope="session", params=["CPU", "GPU"])
def device(request):
    """A device TensorFlow sees, with its float32 matmul peak measured once per session (GPU skipped without one)."""
    import tensorflow as tf

    kind = request.param
    if KERAS_BACKEND != "tensorflow":
        # Keras' JAX and PyTorch backends run on their own default device; only TensorFlow's work can
        # be placed per device here, so each of them is timed on the one device it picks.
        picked = "GPU" if visible_gpus() else "CPU"
        if kind != picked:
            pytest.skip(f"the {KERAS_BACKEND} backend runs on its default device, the {picked} here; "
                        f"only the TensorFlow backend is timed per device")
        if kind == "GPU":
            pytest.skip(f"the {KERAS_BACKEND} backend picks its GPU, which this grid does not time "
                        "(its matmul peak is measured with TensorFlow); lstm_spec.bench.backend_speed does")
    if not tf.config.list_physical_devices(kind):
        seen = ", ".join(device.name for device in tf.config.list_physical_devices()) or "none"
        pytest.skip(f"TensorFlow sees no {kind} (devices: {seen}); GPU users install tensorflow[and-cuda] "
                    "at the locked TensorFlow version")
    name = f"/{kind}:0"
    peak = benchmarking.measure_matmul_peak(name, benchmarking.PEAK_MATMUL_SIZE[kind])
    request.config.stash[PEAKS][kind] = peak
    return Device(kind, name, peak)


def _results(config) -> list[dict]:
    # as_dict() hands out each benchmark's own extra_info dict, so annotations written into it are saved.
    return [bench.as_dict(include_data=False) for bench in config._benchmarksession.benchmarks if bench]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionfinish(session):
    # Runs before pytest-benchmark's own sessionfinish, which saves the run: the per-point overhead
    # ratio needs every path's median, so it is added here rather than in the tests.
    benchmarking.annotate_overhead(_results(session.config))
    try:
        return (yield)
    finally:
        if session.config.stash[TURNS]:
            session.config.stash[TURNS].finish()


def pytest_benchmark_update_machine_info(config, machine_info):
    import tensorflow as tf

    machine_info["lstm_spec"] = {
        # keras-nightly installs the same keras package under its own name.
        "versions": {package: installed_version(package) for package in
                     ("tensorflow", KERAS_DISTRIBUTION, "numpy",
                      *(() if KERAS_BACKEND == "tensorflow" else (KERAS_BACKEND,)))},
        "keras_backend": KERAS_BACKEND,
        "devices": [device.name for device in tf.config.list_physical_devices()],
        "matmul_peak_gflops": dict(config.stash[PEAKS]),
        "flop_formula": benchmarking.FLOP_FORMULA,
        "tf_threads": config.stash.get(THREADS, {"intra_op": 0, "inter_op": 0}),
        "slowdown": {instrument.SLOWED_PATH: instrument.slowdown_factor(os.environ, instrument.SLOWED_PATH)},
        "skipped": dict(config.stash[SKIPPED]),
        "lockstep": config.stash[TURNS] is not None,
    }


@pytest.hookimpl(wrapper=True)
def pytest_terminal_summary(terminalreporter, config):
    # After pytest-benchmark's own tables, and also when its --benchmark-compare-fail check raises.
    try:
        return (yield)
    finally:
        table = benchmarking.format_summary(_results(config))
        if table:
            terminalreporter.section("predict() speed per grid point")
            terminalreporter.write_line(table)

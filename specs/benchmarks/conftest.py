"""The predict() benchmarks' own set-up: the size grid, the device fixture with its matmul peak, the
versions and peaks recorded in saved runs, and the summary table after the run.

This folder is out of the documentation and test runs (``pytest.ini`` passes
``--ignore=specs/benchmarks``, which applies only when the folder is not named on the command line);
``python3 suite.py bench`` names it.  See ``README.md`` here.
"""

from dataclasses import dataclass

import pytest

from lstm_spec.bench import benchmarking
from lstm_spec.models.era import installed_version

PEAKS = pytest.StashKey[dict]()


def pytest_addoption(parser):
    parser.addoption("--full-grid", action="store_true",
                     help="benchmark the whole size grid (adds seq_len 100) instead of the default subset")


def pytest_configure(config):
    config.stash[PEAKS] = {}


def pytest_generate_tests(metafunc):
    if "point" in metafunc.fixturenames:
        points = benchmarking.grid(full=metafunc.config.getoption("full_grid"))
        metafunc.parametrize("point", points, ids=[f"{config}-{dims}" for config, dims in points])


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
    return (yield)


def pytest_benchmark_update_machine_info(config, machine_info):
    import tensorflow as tf

    machine_info["lstm_spec"] = {
        "versions": {package: installed_version(package) for package in ("tensorflow", "keras", "numpy")},
        "devices": [device.name for device in tf.config.list_physical_devices()],
        "matmul_peak_gflops": dict(config.stash[PEAKS]),
        "flop_formula": benchmarking.FLOP_FORMULA,
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

"""The cross-backend speed table: medians read per point, backend and path; the fastest named; bad files refused."""

import json

import pytest

from lstm_spec.bench import backend_speed


def saved(tmp_path, backend, medians):
    """A pytest-benchmark JSON file of ``backend`` with one LSTM point and ``medians`` per path."""
    path = tmp_path / f"{backend}.json"
    benchmarks = [{"name": f"test[{name}]", "stats": {"median": seconds},
                   "extra_info": {"backend": backend, "backend_path": name, "layer": "LSTM", "units": 32,
                                  "batch": 1, "seq_len": 10, "features": 16}}
                  for name, seconds in medians.items()]
    path.write_text(json.dumps({"benchmarks": benchmarks}))
    return path


def test_the_fastest_backend_and_path_of_a_point_is_named(tmp_path):
    """Per point the table gives each backend's median per path in ms and names the fastest backend and path."""
    files = [saved(tmp_path, "tensorflow", {"predict": 0.030, "call": 0.010, "compiled": 0.004}),
             saved(tmp_path, "jax", {"predict": 0.020, "call": 0.050, "compiled": 0.002})]
    medians = backend_speed.read_results(files)
    assert {"LSTM(units=32) batch=1 seq=10": {"tensorflow": {"predict": 0.030, "call": 0.010, "compiled": 0.004},
                                               "jax": {"predict": 0.020, "call": 0.050, "compiled": 0.002}}} == medians
    assert ("jax", "compiled", 0.002) == backend_speed.fastest(medians["LSTM(units=32) batch=1 seq=10"])
    row = backend_speed.table(medians).splitlines()[2]
    assert row.startswith("| LSTM(units=32) batch=1 seq=10 | 30.00 | 10.00 | 4.00 | 20.00 | 50.00 | 2.00 |")
    assert row.endswith("| **jax** compiled (2.00 ms) |")


def test_a_backend_without_a_path_shows_a_dash(tmp_path):
    """A path a backend skipped (its compiler failed) is a dash, and never the fastest."""
    medians = backend_speed.read_results([saved(tmp_path, "torch", {"predict": 0.03, "call": 0.02})])
    assert "| 30.00 | 20.00 | — | **torch** call (20.00 ms) |" in backend_speed.table(medians)


def test_a_file_that_is_no_benchmark_run_is_refused(tmp_path):
    """A file that is not pytest-benchmark's JSON is refused, naming it and what to give instead."""
    wrong = tmp_path / "notes.json"
    wrong.write_text("[1, 2]")
    with pytest.raises(backend_speed.BackendSpeedError, match="notes.json: not a pytest-benchmark JSON file"):
        backend_speed.read_results([wrong])

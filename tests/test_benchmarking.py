"""The benchmark machinery: FLOP formula, throughput, grid, overhead ratio, summary table, the
inference paths, and the saved-run commands with their errors."""

import json

import numpy as np
import pytest

from lstm_spec.bench import benchmarking
from lstm_spec.checks.assertions import assert_close
from lstm_spec.models.backend import needs_tensorflow
from lstm_spec.models.builders import make_inputs, recurrent_model
from lstm_spec.models.configs import PAGE_DIMS, LSTMConfig


def fake_benchmark(path, median, batch=32, layer="LSTM", units=32, flops=4_000_000, peak=200.0):
    """One benchmark as pytest-benchmark saves it, with the extra_info the benchmarks record."""
    info = {"layer": layer, "units": units, "batch": batch, "seq_len": 10, "features": 16, "device": "CPU",
            "path": path, "flops": flops, "peak_gflops": peak}
    name = f"test_inference_latency[CPU-{layer}(units={units})-batch={batch}-seq=10-features=16-{path}]"
    return {"name": name, "fullname": f"specs/benchmarks/test_predict_speed.py::{name}", "group": "g",
            "stats": {"median": median}, "extra_info": info}


def fake_run(tmp_path, benchmarks, name="run.json"):
    saved = tmp_path / name
    machine = {"cpu": {"brand_raw": "Test CPU", "count": 2}, "python_version": "3.11.7",
               "lstm_spec": {"versions": {"tensorflow": "2.21.0", "keras": "3.15.1"}}}
    saved.write_text(json.dumps({"machine_info": machine, "benchmarks": benchmarks}))
    return saved


def test_forward_flops_counted_by_hand():
    """LSTM(1) on one step of one feature is 2 one-by-four matmuls, 16 FLOPs; GRU(1) on (2, 3, 2) is
    6 sample-steps of 9 multiply-adds, 108 FLOPs."""
    assert 16 == benchmarking.forward_flops("LSTM", batch=1, seq_len=1, features=1, units=1)
    # per sample and step: x (1x2) @ W (2x3) is 6 multiply-adds, h (1x1) @ U (1x3) is 3
    assert 2 * 9 * 2 * 3 == benchmarking.forward_flops("GRU", batch=2, seq_len=3, features=2, units=1)


def test_forward_flops_of_an_unknown_layer_names_the_known_ones():
    """A layer without a formula fails saying which layers have one."""
    with pytest.raises(ValueError) as raised:
        benchmarking.forward_flops("SimpleRNN", 1, 1, 1, 1)
    assert "no FLOP formula for 'SimpleRNN'; known layers: LSTM, GRU" == str(raised.value)


def test_throughput_is_flops_per_second_against_the_peak():
    """2 GFLOP in 0.5 s is 4 GFLOP/s, half of an 8 GFLOP/s peak."""
    assert {"gflops_per_s": 4.0, "efficiency": 0.5} == benchmarking.throughput(2_000_000_000, 0.5, 8.0)


def test_default_grid_is_the_full_grid_at_sequence_length_10():
    """The full grid is every layer, width, sequence length and batch; the default keeps seq_len 10."""
    full = benchmarking.grid(full=True)
    assert 2 * 2 * 2 * 3 == len(set(full))
    assert [point for point in full if point[1].seq_len == 10] == benchmarking.grid()


def test_annotate_overhead_writes_the_predict_ratio_into_every_path_of_the_point():
    """predict() at 40 ms against a fastest path at 0.4 ms is a 100x overhead, recorded on each path."""
    benchmarks = [fake_benchmark("predict", 0.040), fake_benchmark("tf_function", 0.0004),
                  fake_benchmark("call", 0.012)]
    benchmarking.annotate_overhead(benchmarks)
    assert [("tf_function", pytest.approx(100.0))] * 3 == [
        (bench["extra_info"]["fastest_path"], bench["extra_info"]["predict_overhead"]) for bench in benchmarks]


def test_summary_table_has_one_row_per_point_with_medians_ratio_and_efficiency():
    """Each point's row holds the path medians in ms, predict/fastest, the fastest path's GFLOP/s and efficiency, and the measured peak."""
    benchmarks = [fake_benchmark("predict", 0.040), fake_benchmark("tf_function", 0.0004),
                  fake_benchmark("predict", 0.050, batch=256, flops=40_000_000)]
    rows = benchmarking.summary_rows(benchmarks)
    assert ["LSTM(units=32) batch=32 seq=10 features=16 CPU", "LSTM(units=32) batch=256 seq=10 features=16 CPU"] == [
        row["point"] for row in rows]
    assert {"predict": "40", "predict_on_batch": "-", "tf_function": "0.4", "predict/fastest": "100.0x",
            "fastest": "tf_function", "GFLOP/s": "10", "efficiency": "5.0%", "peak GFLOP/s": "200"} == {
        column: rows[0][column] for column in ("predict", "predict_on_batch", "tf_function", "predict/fastest",
                                               "fastest", "GFLOP/s", "efficiency", "peak GFLOP/s")}
    table = benchmarking.format_summary(benchmarks)
    assert 2 + 1 + 1 == len(table.splitlines())  # header, rows, legend
    assert "FLOPs = 2 * gates * batch * seq_len * units * (features + units)" in table.splitlines()[-1]


@needs_tensorflow("the tf.function inference paths")
def test_inference_paths_compute_the_same_output():
    """All five ways of running the model give its output, to float32 tolerance."""
    model = recurrent_model(LSTMConfig(units=5), PAGE_DIMS)
    inputs = make_inputs(PAGE_DIMS)
    expected = np.asarray(model(inputs, training=False))
    for path in benchmarking.PATHS:
        assert_close(f"{path} output", benchmarking.inference_path(path, model, inputs)(), expected, path)


def test_unknown_inference_path_names_the_known_ones():
    """A misspelt path fails listing the paths there are."""
    with pytest.raises(ValueError) as raised:
        benchmarking.inference_path("predict_fast", None, None)
    assert ("unknown inference path 'predict_fast'; known paths: predict, predict_on_batch, call, tf_function, "
            "tf_function_xla") == str(raised.value)


def test_matmul_peak_is_a_positive_speed():
    """A small matmul measurement returns a finite, positive GFLOP/s."""
    peak = benchmarking.measure_matmul_peak("/CPU:0", size=64, repeats=2)
    assert 0 < peak < float("inf")


def test_summary_command_prints_the_table_of_a_saved_run(tmp_path, capsys):
    """`summary SAVED.json` prints the same table as the run."""
    benchmarks = [fake_benchmark("predict", 0.040), fake_benchmark("call", 0.010)]
    assert 0 == benchmarking.main(["summary", str(fake_run(tmp_path, benchmarks))])
    assert benchmarking.format_summary(benchmarks) + "\n" == capsys.readouterr().out


def test_plot_command_writes_a_png(tmp_path, capsys):
    """`plot SAVED.json -o FILE` writes a PNG image and says where."""
    benchmarks = [fake_benchmark(path, median, batch=batch)
                  for path, median in (("predict", 0.04), ("call", 0.01)) for batch in (1, 32, 256)]
    output = tmp_path / "latency.png"
    assert 0 == benchmarking.main(["plot", str(fake_run(tmp_path, benchmarks)), "--output", str(output)])
    assert b"\x89PNG" == output.read_bytes()[:4]
    assert f"wrote {output}\n" == capsys.readouterr().out


def test_spread_command_flags_medians_further_apart_than_the_tolerance(tmp_path, capsys):
    """`spread A B` lists each benchmark's median difference, largest first, and counts those above 10 %."""
    first = fake_run(tmp_path, [fake_benchmark("predict", 0.040), fake_benchmark("call", 0.010)], "a.json")
    second = fake_run(tmp_path, [fake_benchmark("predict", 0.041), fake_benchmark("call", 0.012)], "b.json")
    assert 0 == benchmarking.main(["spread", str(first), str(second)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("  20.0%  ") and lines[0].endswith("-call]  above tolerance")
    assert lines[1].startswith("   2.5%  ") and lines[1].endswith("-predict]")
    assert "2 benchmarks, largest spread 20.0%, 1 above 10%" == lines[2]


@pytest.mark.parametrize("content, message", [
    (None, "no such file; save a run with `python3 suite.py bench --benchmark-save=NAME`"),
    ("<html>", "is not JSON (Expecting value: line 1 column 1 (char 0)); save a run with"),
    ('{"results": []}', "is not a pytest-benchmark file (no 'benchmarks' list); save a run with"),
    ('{"benchmarks": [{"name": "test_other", "stats": {"median": 1}, "extra_info": {}}]}',
     "holds no benchmarks of specs/benchmarks (none has a 'path' in extra_info); save a run with"),
], ids=["missing", "not-json", "not-benchmark-json", "other-benchmarks"])
def test_commands_on_a_wrong_file_say_what_is_wrong_and_how_to_save_a_run(tmp_path, capsys, content, message):
    """A missing, non-JSON or foreign JSON file gets exit status 2 and a message naming the file and the fix."""
    given = tmp_path / "given.json"
    if content is not None:
        given.write_text(content)
    assert 2 == benchmarking.main(["plot", str(given)])
    error = capsys.readouterr().err
    assert error.startswith(f"error: {given}")
    assert message in error


def test_summary_figures_computed_by_hand(tmp_path, capsys):
    """The printed table's figures, worked out by hand: 3 ms, 40 ms and 10 ms medians; 125 kFLOP in 3 ms is
    0.0417 GFLOP/s (0.02% of a 200 GFLOP/s peak, shown 0.0%); 4 MFLOP in 10 ms is 0.4 GFLOP/s, 0.2%; 40/10 = 4.0x."""
    benchmarks = [fake_benchmark("predict", 0.040), fake_benchmark("call", 0.010),
                  fake_benchmark("predict", 0.003, batch=1, flops=125_000)]
    assert 0 == benchmarking.main(["summary", str(fake_run(tmp_path, benchmarks))])
    header, *rows, legend = capsys.readouterr().out.splitlines()
    assert ["point", "predict", "predict_on_batch", "call", "tf_function", "tf_function_xla", "predict/fastest",
            "fastest", "GFLOP/s", "efficiency", "peak", "GFLOP/s"] == header.split()
    assert [["LSTM(units=32)", "batch=1", "seq=10", "features=16", "CPU", "3", "-", "-", "-", "-", "1.0x", "predict",
             "0.0417", "0.0%", "200"],
            ["LSTM(units=32)", "batch=32", "seq=10", "features=16", "CPU", "40", "-", "10", "-", "-", "4.0x", "call",
             "0.4", "0.2%", "200"]] == [row.split() for row in rows]
    assert legend.startswith("medians in ms; predict/fastest: predict() median over the fastest path's")


def test_plot_axes_are_batch_against_median_milliseconds(tmp_path, monkeypatch):
    """Each panel plots batch (log x) against the median in milliseconds (log y), one labelled line per path."""
    from matplotlib.figure import Figure

    saved = []
    monkeypatch.setattr(Figure, "savefig", lambda figure, *args, **kwargs: saved.append(figure))
    benchmarks = [fake_benchmark(path, median * batch, batch=batch)
                  for path, median in (("predict", 0.004), ("call", 0.001)) for batch in (1, 32)]
    benchmarking.plot_latency({}, benchmarks, tmp_path / "latency.png")
    (figure,) = saved
    axis = figure.axes[0]
    assert ("batch", "median latency (ms)", "log", "log") == (
        axis.get_xlabel(), axis.get_ylabel(), axis.get_xscale(), axis.get_yscale())
    assert "LSTM(units=32) seq=10 features=16 CPU" == axis.get_title()
    lines = {line.get_label(): (list(line.get_xdata()), list(line.get_ydata())) for line in axis.get_lines()}
    assert {benchmarking.SHOWN_PATHS["predict"]: ([1, 32], [pytest.approx(4.0), pytest.approx(128.0)]),
            benchmarking.SHOWN_PATHS["call"]: ([1, 32], [pytest.approx(1.0), pytest.approx(32.0)])} == lines

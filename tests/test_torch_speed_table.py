"""The benchmark table and plot show PyTorch's paths beside Keras' only when a run timed them."""

from lstm_spec.bench import benchmarking


def bench(path: str, median: float, batch: int = 1) -> dict:
    info = {"layer": "LSTM", "units": 32, "batch": batch, "seq_len": 10, "features": 16, "device": "CPU",
            "path": path, "flops": 10**6, "peak_gflops": 100.0}
    return {"name": f"{path}-{batch}", "fullname": f"{path}-{batch}", "group": "g", "stats": {"median": median},
            "extra_info": info}


def test_torch_columns_appear_when_torch_was_timed():
    """A point timed by Keras' predict() and PyTorch's eager forward: both medians in one row, PyTorch fastest."""
    (row,) = benchmarking.summary_rows([bench("predict", 0.004), bench("torch_eager", 0.001)])
    assert ("4", "1", "torch_eager", "4.0x") == (row["predict"], row["torch_eager"], row["fastest"],
                                                 row["predict/fastest"])
    assert "torch_compile" not in row


def test_keras_only_runs_have_no_torch_columns():
    """Without PyTorch results the table keeps Keras' columns only."""
    (row,) = benchmarking.summary_rows([bench("predict", 0.004), bench("call", 0.002)])
    assert not set(benchmarking.TORCH_PATHS) & set(row)


def test_plot_draws_torch_paths(tmp_path):
    """The latency plot has a line per path, PyTorch's included, and writes the PNG."""
    runs = [bench(path, 0.001 * batch, batch) for path in ("predict", "torch_eager") for batch in (1, 32)]
    output = benchmarking.plot_latency({}, runs, tmp_path / "latency.png")
    assert output.exists() and output.stat().st_size > 0

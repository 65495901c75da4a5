"""Machinery of the predict() benchmarks (``specs/benchmarks/``): FLOP count, matmul peak, the
inference paths, the summary table and the latency plot.

Everything that reads results works on pytest-benchmark's JSON form of one benchmark (a dict with
``name``, ``group``, ``stats`` and ``extra_info``), so the table printed after a run and the commands
on a saved run (``.benchmarks/<machine>/NNNN_<name>.json``) read the same data::

    python -m lstm_spec.bench.benchmarking summary SAVED.json
    python -m lstm_spec.bench.benchmarking plot SAVED.json [--output latency.png]
    python -m lstm_spec.bench.benchmarking spread FIRST.json SECOND.json

TensorFlow is imported only by the functions that run something, so these commands start fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from lstm_spec.models.configs import InputDims, RecurrentConfig

# Weight matrices per recurrent layer: LSTM has input, forget, cell and output gates; GRU has
# update, reset and candidate.
GATES = {"LSTM": 4, "GRU": 3}

# The ways a user runs inference, in the order tables and plots show them.
PATHS = {
    "predict": "model.predict(x)",
    "predict_on_batch": "model.predict_on_batch(x)",
    "call": "model(x)",
    "tf_function": "tf.function(model)(x)",
    "tf_function_xla": "tf.function(model, jit_compile=True)(x)",
}

# Paths that compile the model with TensorFlow itself: skipped on Keras' JAX and PyTorch backends.
TENSORFLOW_ONLY_PATHS = ("tf_function", "tf_function_xla")

# PyTorch's own modules on the same points (specs/benchmarks/test_torch_speed.py, where PyTorch is
# installed): the table and the plot show them beside Keras' paths when a run has them.
TORCH_PATHS = {
    "torch_eager": "torch.nn.LSTM/GRU(x) (eager)",
    "torch_compile": "torch.compile(torch.nn.LSTM/GRU)(x)",
}
SHOWN_PATHS = {**PATHS, **TORCH_PATHS}

# The size grid.  The default run keeps every axis but sequence length (whose cost is close to
# proportional, 10 -> 100 steps) to finish in about a minute on 2 cores; --full-grid adds seq_len 100.
LAYERS = ("LSTM", "GRU")
BATCHES = (1, 32, 256)
SEQ_LENS = (10, 100)
DEFAULT_SEQ_LENS = (10,)
UNITS = (32, 256)
FEATURES = 16


@dataclass(frozen=True)
class Grid:
    """A named size grid and the inference paths timed on each of its points."""

    layers: tuple[str, ...]
    units: tuple[int, ...]
    seq_lens: tuple[int, ...]
    batches: tuple[int, ...]
    paths: tuple[str, ...] = tuple(PATHS)

    def points(self) -> list[tuple[RecurrentConfig, InputDims]]:
        return [(RecurrentConfig(layer, units), InputDims(batch, seq_len, FEATURES))
                for layer in self.layers for units in self.units for seq_len in self.seq_lens
                for batch in self.batches]


# "small" is the upgrade report's speed grid: predict() and two paths that take its parts apart, the
# compiled predict step without predict()'s tf.data pipeline (predict_on_batch) and the bare graph
# (tf_function), at a latency-bound and a throughput-bound batch, so that a pair of processes takes
# about 35 s on 2 cores (the report's 8 pairs fit its 6 minutes).  model(x) is left out for time: eager, 60-110 ms a call here.
GRIDS = {
    "small": Grid(LAYERS, (32,), DEFAULT_SEQ_LENS, (1, 32), ("predict", "predict_on_batch", "tf_function")),
    "default": Grid(LAYERS, UNITS, DEFAULT_SEQ_LENS, BATCHES),
    "full": Grid(LAYERS, UNITS, SEQ_LENS, BATCHES),
}


def grid(full: bool = False) -> list[tuple[RecurrentConfig, InputDims]]:
    """The (layer, input) points benchmarked: the default subset, or with ``full`` the whole grid."""
    return GRIDS["full" if full else "default"].points()


FLOP_FORMULA = "2 * gates * batch * seq_len * units * (features + units)"

# Matrix sizes of the peak measurement: large enough that the matmul runs at full speed, small
# enough to take well under a second (a CPU core does tens of GFLOP/s, a GPU tens of TFLOP/s).
PEAK_MATMUL_SIZE = {"CPU": 2048, "GPU": 8192}

SAVE_HINT = "save a run with `python3 suite.py bench --benchmark-save=NAME` (files land in .benchmarks/<machine>/)"


class BenchmarkFileError(Exception):
    """A file given to the commands is missing or is not a saved run of specs/benchmarks."""


def forward_flops(layer: str, batch: int, seq_len: int, features: int, units: int) -> int:
    """Floating-point operations of one forward pass: ``FLOP_FORMULA``.

    Each step multiplies the input (features) and the previous output (units) into ``gates`` blocks of
    ``units`` columns; a multiply-add counts as 2.  Biases, activations and the element-wise gate
    arithmetic (a few operations per unit and step) are left out: at most about 5 % of the
    matmuls on this grid (features 16, units >= 32).
    """
    if layer not in GATES:
        raise ValueError(f"no FLOP formula for {layer!r}; known layers: {', '.join(GATES)}")
    return 2 * GATES[layer] * batch * seq_len * units * (features + units)


def measure_matmul_peak(device: str, size: int, repeats: int = 5) -> float:
    """The float32 matmul speed (GFLOP/s) of ``device`` ("/CPU:0", "/GPU:0"): best of ``repeats``
    ``size`` x ``size`` products after one warm-up, each finished on the host."""
    import time

    import tensorflow as tf

    with tf.device(device):
        a = tf.random.normal((size, size), dtype=tf.float32)
        b = tf.random.normal((size, size), dtype=tf.float32)

        def product() -> float:
            return float(tf.reduce_sum(tf.linalg.matmul(a, b)))  # the sum brings the result to the host

        product()
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            product()
            best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def throughput(flops: int, seconds: float, peak_gflops: float) -> dict[str, float]:
    """Achieved GFLOP/s of a forward pass of ``flops`` taking ``seconds``, and its efficiency:
    the fraction of the matmul peak (GFLOP/s) measured on the same device."""
    gflops = flops / seconds / 1e9
    return {"gflops_per_s": gflops, "efficiency": gflops / peak_gflops}


def inference_path(path: str, model, x) -> Callable:
    """A callable that runs ``model`` on ``x`` the way ``path`` names and returns NumPy values
    (so the device has finished when it returns).  Call it once before timing: the first call traces."""
    import tensorflow as tf

    if path == "predict":
        return lambda: model.predict(x, batch_size=len(x), verbose=0)
    if path == "predict_on_batch":
        return lambda: model.predict_on_batch(x)
    if path == "call":
        return lambda: model(x, training=False).numpy()
    if path in ("tf_function", "tf_function_xla"):
        def forward(inputs):
            return model(inputs, training=False)

        compiled = tf.function(forward, jit_compile=path == "tf_function_xla", autograph=False)
        return lambda: compiled(x).numpy()
    raise ValueError(f"unknown inference path {path!r}; known paths: {', '.join(PATHS)}")


def point_key(info: dict) -> tuple:
    """What identifies a grid point in ``extra_info``: layer, units, sequence, features, batch, device."""
    return (info["layer"], info["units"], info["seq_len"], info["features"], info["batch"], info["device"])


def point_label(info: dict) -> str:
    return (f"{info['layer']}(units={info['units']}) batch={info['batch']} seq={info['seq_len']} "
            f"features={info['features']} {info['device']}")


def _is_path_benchmark(bench: dict) -> bool:
    return "path" in bench.get("extra_info", {}) and "median" in bench.get("stats", {})


def group_points(benchmarks: Iterable[dict]) -> dict[tuple, dict[str, dict]]:
    """The benchmarks of the predict() grid by point, then by path (others are left out)."""
    points: dict[tuple, dict[str, dict]] = {}
    for bench in benchmarks:
        if _is_path_benchmark(bench):
            points.setdefault(point_key(bench["extra_info"]), {})[bench["extra_info"]["path"]] = bench
    return dict(sorted(points.items()))


def fastest(paths: dict[str, dict]) -> tuple[str, float]:
    """The path with the smallest median, and that median (seconds)."""
    name = min(paths, key=lambda path: paths[path]["stats"]["median"])
    return name, paths[name]["stats"]["median"]


def annotate_overhead(benchmarks: Iterable[dict]) -> None:
    """Writes into every benchmark's ``extra_info`` its point's fastest path and the ratio of the
    predict() median to that path's median (``predict_overhead``; absent when predict() was not run)."""
    for paths in group_points(benchmarks).values():
        name, best = fastest(paths)
        for bench in paths.values():
            bench["extra_info"]["fastest_path"] = name
            if "predict" in paths:
                bench["extra_info"]["predict_overhead"] = paths["predict"]["stats"]["median"] / best


def _milliseconds(seconds: float) -> str:
    return f"{seconds * 1e3:.3g}"


def summary_rows(benchmarks: Iterable[dict]) -> list[dict[str, str]]:
    """One row per grid point: median per path (ms), predict() overhead ratio, and the fastest
    path's GFLOP/s and efficiency against the session's matmul peak, and that peak."""
    rows, points = [], group_points(benchmarks)
    shown = [*PATHS, *(path for path in TORCH_PATHS if any(path in paths for paths in points.values()))]
    for paths in points.values():
        name, best = fastest(paths)
        info = paths[name]["extra_info"]
        row = {"point": point_label(info)}
        row.update({path: _milliseconds(paths[path]["stats"]["median"]) if path in paths else "-" for path in shown})
        row["predict/fastest"] = f"{paths['predict']['stats']['median'] / best:.1f}x" if "predict" in paths else "-"
        row["fastest"] = name
        achieved = throughput(info["flops"], best, info["peak_gflops"])
        row["GFLOP/s"] = f"{achieved['gflops_per_s']:.3g}"
        row["efficiency"] = f"{achieved['efficiency']:.1%}"
        row["peak GFLOP/s"] = f"{info['peak_gflops']:.3g}"
        rows.append(row)
    return rows


def aligned_table(rows: list[dict[str, str]]) -> str:
    """Rows of equal keys as a text table, columns padded to their widest cell."""
    columns = list(rows[0])
    widths = {column: max(len(column), *(len(row[column]) for row in rows)) for column in columns}
    lines = ["  ".join(column.ljust(widths[column]) for column in columns)]
    lines += ["  ".join(row[column].ljust(widths[column]) for column in columns) for row in rows]
    return "\n".join(lines)


def format_summary(benchmarks: Iterable[dict]) -> str:
    """The summary rows as an aligned text table ('' when there are none)."""
    rows = summary_rows(benchmarks)
    if not rows:
        return ""
    legend = ("medians in ms; predict/fastest: predict() median over the fastest path's; GFLOP/s and "
              f"efficiency (of the matmul peak measured on the same device, peak GFLOP/s) for the fastest path; FLOPs = {FLOP_FORMULA}")
    return "\n".join([aligned_table(rows), legend])


def load_run(path: str | Path) -> tuple[dict, list[dict]]:
    """(machine_info, benchmarks) of a saved run of specs/benchmarks, or BenchmarkFileError saying why not."""
    path = Path(path)
    if not path.is_file():
        raise BenchmarkFileError(f"{path}: no such file; {SAVE_HINT}")
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BenchmarkFileError(f"{path} is not JSON ({error}); {SAVE_HINT}") from None
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise BenchmarkFileError(f"{path} is not a pytest-benchmark file (no 'benchmarks' list); {SAVE_HINT}")
    benchmarks = [bench for bench in data["benchmarks"] if _is_path_benchmark(bench)]
    if not benchmarks:
        raise BenchmarkFileError(f"{path} holds no benchmarks of specs/benchmarks (none has a 'path' in "
                                 f"extra_info); {SAVE_HINT}")
    return data.get("machine_info", {}), benchmarks


def machine_label(machine_info: dict) -> str:
    """The machine and versions a run was measured on, in one line."""
    cpu = machine_info.get("cpu", {})
    spec = machine_info.get("lstm_spec", {})
    parts = [f"{cpu.get('brand_raw', machine_info.get('processor') or 'unknown CPU')} ({cpu.get('count', '?')} cores)"]
    parts += [f"{package} {version}" for package, version in spec.get("versions", {}).items()]
    parts.append(f"Python {machine_info.get('python_version', '?')}")
    return ", ".join(parts)


def plot_latency(machine_info: dict, benchmarks: list[dict], output: str | Path) -> Path:
    """Writes a PNG of median latency against batch size, one line per path, log scales: one panel
    per layer, width, sequence length and device."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels: dict[tuple, dict[str, list[tuple[int, float]]]] = {}
    for bench in benchmarks:
        info = bench["extra_info"]
        panel = (info["layer"], info["units"], info["seq_len"], info["features"], info["device"])
        panels.setdefault(panel, {}).setdefault(info["path"], []).append((info["batch"], bench["stats"]["median"]))
    columns = min(4, len(panels))
    rows = -(-len(panels) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.4 * rows + 0.8), squeeze=False)
    for axis, ((layer, units, seq_len, features, device), lines) in zip(axes.flat, sorted(panels.items())):
        for path in [path for path in SHOWN_PATHS if path in lines]:
            batches, medians = zip(*sorted(lines[path]))
            axis.plot(batches, [median * 1e3 for median in medians], marker="o", label=SHOWN_PATHS[path])
        axis.set(xscale="log", yscale="log", xlabel="batch", ylabel="median latency (ms)",
                 title=f"{layer}(units={units}) seq={seq_len} features={features} {device}")
        batches = sorted({batch for points in lines.values() for batch, _ in points})
        axis.set_xticks(batches, [str(batch) for batch in batches])
        axis.minorticks_off()
        axis.title.set_fontsize(9)
        axis.grid(True, which="both", alpha=0.3)
    for axis in list(axes.flat)[len(panels):]:
        axis.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8)
    figure.suptitle(f"predict() and the other inference paths\n{machine_label(machine_info)}", fontsize=9)
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    output = Path(output)
    figure.savefig(output, dpi=100)
    plt.close(figure)
    return output


def median_spread(first: list[dict], second: list[dict]) -> list[tuple[str, float]]:
    """For each benchmark in both runs: its name and how far the medians differ, as
    (larger ÷ smaller - 1), largest first."""
    medians = {bench["fullname"]: bench["stats"]["median"] for bench in first}
    spread = [(bench["name"], max(a, b) / min(a, b) - 1)
              for bench in second if bench["fullname"] in medians
              for a, b in [(medians[bench["fullname"]], bench["stats"]["median"])]]
    return sorted(spread, key=lambda item: -item[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_spec.bench.benchmarking", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("summary", help="the summary table of a saved run")
    summary.add_argument("run", help="a saved run: .benchmarks/<machine>/NNNN_<name>.json")
    plot = commands.add_parser("plot", help="a PNG of median latency against batch size, one line per path")
    plot.add_argument("run", help="a saved run: .benchmarks/<machine>/NNNN_<name>.json")
    plot.add_argument("--output", "-o", default="latency.png", help="the PNG to write (default: latency.png)")
    spread = commands.add_parser("spread", help="how far the medians of two saved runs differ, per benchmark")
    spread.add_argument("first")
    spread.add_argument("second")
    spread.add_argument("--tolerance", type=float, default=0.10, help="flag differences above this (default 0.10)")
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "summary":
            print(format_summary(load_run(arguments.run)[1]))
        elif arguments.command == "plot":
            print(f"wrote {plot_latency(*load_run(arguments.run), arguments.output)}")
        else:
            differences = median_spread(load_run(arguments.first)[1], load_run(arguments.second)[1])
            if not differences:
                raise BenchmarkFileError(f"{arguments.first} and {arguments.second} have no benchmark in common")
            for name, difference in differences:
                flag = "  above tolerance" if difference > arguments.tolerance else ""
                print(f"{difference:7.1%}  {name}{flag}")
            outside = sum(difference > arguments.tolerance for _, difference in differences)
            print(f"{len(differences)} benchmarks, largest spread {differences[0][1]:.1%}, "
                  f"{outside} above {arguments.tolerance:.0%}")
    except BenchmarkFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

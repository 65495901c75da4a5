"""Which backend runs this LSTM fastest: the same benchmark grid timed on TensorFlow, JAX and PyTorch.

    python -m lstm_spec.bench.backend_speed run [--out DIR] [--grid default] [-- pytest arguments]
    python -m lstm_spec.bench.backend_speed table DIR/*.json
    python -m lstm_spec.bench.backend_speed plot DIR/*.json [--output backends.png]

``run`` times ``specs/benchmarks/test_backend_speed.py`` once per backend, each in its environment of
the version matrix (nox sessions ``locked``, ``jax``, ``torch``; ``KERAS_BACKEND`` set), saving
pytest-benchmark's JSON as ``DIR/<backend>.json``, then writes the table (``DIR/README.md``) and the
plot (``DIR/backends.png``) of every ``<backend>.json`` in DIR (``--backends`` times some again).  Each point is timed three ways, warm: ``predict()``, the eager call
``model(x)``, and the backend's own compiled path (``FAST_PATH``).  Nothing asserts a time.

Only ``inference_path`` imports a backend; the commands that read results start fast.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from lstm_spec.versions.sides import ROOT, Side, nox_command

BACKENDS = ("tensorflow", "jax", "torch")
# The matrix environment each backend runs in (its nox session).
SESSION = {"tensorflow": "locked", "jax": "jax", "torch": "torch"}
# Each backend's own way to compile the forward pass, as a user would write it.
FAST_PATH = {
    "tensorflow": "tf.function(model, jit_compile=True)(x)",
    "jax": "jax.jit(model.stateless_call)(weights, x)",
    "torch": "torch.compile(model)(x)",
}
PATHS = {"predict": "model.predict(x)", "call": "model(x)", "compiled": "the backend's compiled path (FAST_PATH)"}
BENCHMARKS = ROOT / "specs" / "benchmarks" / "test_backend_speed.py"
DEFAULT_OUT = ROOT / ".benchmarks" / "backends"
ENABLED = "LSTM_SPEC_BACKEND_SPEED"  # set for the benchmark processes; python3 suite.py bench skips the file


class BackendSpeedError(Exception):
    """Results that cannot be read, or a run that did not finish; the message says what to do."""


# ---- running one path (inside a backend's environment) -----------------------------------------

def inference_path(path: str, backend: str, model, x) -> Callable:
    """A callable running ``model`` on ``x`` the way ``path`` names on ``backend``, returning NumPy
    values (so the work has finished).  Call it once before timing: compiled paths trace then."""
    from lstm_spec.models import compat

    if path == "predict":
        return lambda: model.predict(x, batch_size=len(x), verbose=0)
    if path == "call":
        return lambda: compat.convert_to_numpy(model(x, training=False))
    if path == "compiled":
        return _COMPILED[backend](model, x)
    raise ValueError(f"unknown path {path!r}; known paths: {', '.join(PATHS)}")


def _tensorflow_compiled(model, x):
    import tensorflow as tf

    compiled = tf.function(lambda inputs: model(inputs, training=False), jit_compile=True, autograph=False)
    return lambda: compiled(x).numpy()


def _jax_compiled(model, x):
    import jax
    import numpy as np

    trainable = [variable.value for variable in model.trainable_variables]
    non_trainable = [variable.value for variable in model.non_trainable_variables]

    @jax.jit
    def forward(trainable, non_trainable, inputs):
        outputs, _ = model.stateless_call(trainable, non_trainable, inputs, training=False)
        return outputs

    inputs = jax.numpy.asarray(x)
    return lambda: np.asarray(forward(trainable, non_trainable, inputs))


def _torch_compiled(model, x):
    import torch

    compiled = torch.compile(model)
    inputs = torch.as_tensor(x)

    def forward():
        with torch.no_grad():
            return compiled(inputs, training=False).cpu().numpy()

    return forward


_COMPILED = {"tensorflow": _tensorflow_compiled, "jax": _jax_compiled, "torch": _torch_compiled}


# ---- running every backend ----------------------------------------------------------------------

def run(out: Path, pytest_arguments: list[str], backends: Iterable[str] = BACKENDS,
        progress: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)) -> list[Path]:
    """Times the benchmark file on each backend, one after the other; returns the JSON files."""
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    for backend in backends:
        json_path, log = out / f"{backend}.json", out / f"{backend}.log"
        arguments = [str(BENCHMARKS.relative_to(ROOT)), "-q", "-p", "no:cacheprovider",
                     f"--benchmark-json={json_path}", *pytest_arguments]
        command = nox_command(Side(backend, SESSION[backend]), arguments)
        progress(f"backend_speed: {backend} (nox session {SESSION[backend]}); log: {log}")
        with open(log, "w") as written:
            finished = subprocess.run(command, cwd=ROOT, env={**os.environ, "KERAS_BACKEND": backend, ENABLED: "1"},
                                      stdout=written, stderr=subprocess.STDOUT)
        if finished.returncode != 0 or not json_path.exists():
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            raise BackendSpeedError(f"the {backend} run ended with exit code {finished.returncode}; "
                                    f"its log ({log}) ends:\n{tail}")
        saved.append(json_path)
    return saved


# ---- reading results ----------------------------------------------------------------------------

def read_results(paths: Iterable[Path]) -> dict[str, dict[str, dict[str, float]]]:
    """``{point label: {backend: {path: median seconds}}}`` from the saved JSON of each backend."""
    medians: dict[str, dict[str, dict[str, float]]] = {}
    for path in paths:
        try:
            benchmarks = json.loads(Path(path).read_text())["benchmarks"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise BackendSpeedError(f"{path}: not a pytest-benchmark JSON file ({error}); give the files "
                                    "`backend_speed run` wrote (DIR/<backend>.json)") from None
        for bench in benchmarks:
            info = bench.get("extra_info", {})
            if "backend_path" not in info:
                continue
            label = f"{info['layer']}(units={info['units']}) batch={info['batch']} seq={info['seq_len']}"
            medians.setdefault(label, {}).setdefault(info["backend"], {})[info["backend_path"]] = bench["stats"]["median"]
    if not medians:
        raise BackendSpeedError("no backend benchmark in the files given; give the files `backend_speed run` wrote")
    return medians


def fastest(by_backend: dict[str, dict[str, float]]) -> tuple[str, str, float]:
    """(backend, path, median seconds) of the fastest timed path at one point."""
    return min(((backend, path, seconds) for backend, paths in by_backend.items() for path, seconds in paths.items()),
               key=lambda entry: entry[2])


def table(medians: dict[str, dict[str, dict[str, float]]]) -> str:
    """Markdown: per point, each backend's median per path (ms) and which backend and path is fastest."""
    backends = [backend for backend in BACKENDS if any(backend in point for point in medians.values())]
    header = ["point", *(f"{backend} {path}" for backend in backends for path in PATHS), "fastest"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for label, by_backend in medians.items():
        cells = [f"{by_backend[backend][path] * 1e3:.2f}" if path in by_backend.get(backend, {}) else "—"
                 for backend in backends for path in PATHS]
        backend, path, seconds = fastest(by_backend)
        lines.append(f"| {label} | " + " | ".join(cells) + f" | **{backend}** {path} ({seconds * 1e3:.2f} ms) |")
    return "\n".join(lines)


def plot(medians: dict[str, dict[str, dict[str, float]]], output: Path) -> Path:
    """Grouped bars: per point, each backend's best path and its predict(), in ms (log scale)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = list(medians)
    backends = [backend for backend in BACKENDS if any(backend in point for point in medians.values())]
    width = 0.8 / (2 * len(backends))
    figure, axes = plt.subplots(figsize=(max(6, 1.6 * len(labels)), 4.5))
    for index, backend in enumerate(backends):
        for offset, (what, pick) in enumerate((("best path", min), ("predict()", None))):
            values = []
            for label in labels:
                paths = medians[label].get(backend, {})
                seconds = (min(paths.values()) if pick else paths.get("predict")) if paths else None
                values.append(seconds * 1e3 if seconds else float("nan"))
            position = [point + (2 * index + offset - len(backends) + 0.5) * width for point in range(len(labels))]
            axes.bar(position, values, width, label=f"{backend} {what}", hatch="" if pick else "//",
                     color=f"C{index}", alpha=1.0 if pick else 0.5)
    axes.set_xticks(range(len(labels)), labels, rotation=20, ha="right", fontsize=8)
    axes.set_yscale("log")
    axes.set_ylabel("median latency per call (ms, log)")
    axes.set_title("Which backend runs this LSTM fastest (warm, CPU)")
    axes.legend(fontsize=7, ncols=len(backends))
    figure.tight_layout()
    figure.savefig(output, dpi=110)
    plt.close(figure)
    return output


def write_example(out: Path, medians) -> Path:
    readme = out / "README.md"
    readme.write_text("# Which backend runs this LSTM fastest\n\n"
                      "Median latency per call in ms, warm, written by "
                      "`python -m lstm_spec.bench.backend_speed run`; compiled paths: "
                      + ", ".join(f"{backend} `{how}`" for backend, how in FAST_PATH.items()) + ".\n\n"
                      + table(medians) + "\n\n![latency per backend](backends.png)\n")
    plot(medians, out / "backends.png")
    return readme


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_spec.bench.backend_speed", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    running = commands.add_parser("run", help="time every backend and write DIR/README.md and DIR/backends.png")
    running.add_argument("--out", type=Path, default=DEFAULT_OUT)
    running.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    running.add_argument("pytest_arguments", nargs="*", help="after --: to pytest (e.g. --grid=small)")
    tabling = commands.add_parser("table", help="print the table of saved runs")
    tabling.add_argument("files", nargs="+", type=Path)
    plotting = commands.add_parser("plot", help="draw the plot of saved runs")
    plotting.add_argument("files", nargs="+", type=Path)
    plotting.add_argument("--output", type=Path, default=Path("backends.png"))
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "run":
            run(arguments.out, arguments.pytest_arguments, arguments.backends)
            # Every backend's file in DIR, so backends timed one at a time (--backends) share a table.
            saved = [arguments.out / f"{backend}.json" for backend in BACKENDS if (arguments.out / f"{backend}.json").exists()]
            print(f"wrote {write_example(arguments.out, read_results(saved))}")
        elif arguments.command == "table":
            print(table(read_results(arguments.files)))
        else:
            print(f"wrote {plot(read_results(arguments.files), arguments.output)}")
    except BackendSpeedError as error:
        print(f"backend_speed: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

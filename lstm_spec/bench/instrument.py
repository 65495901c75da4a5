"""What the timed benchmark processes do besides timing: fix TensorFlow's thread pools, record the
process CPU time of every call beside pytest-benchmark's wall time, and the test hook that slows one
side's ``predict()`` on purpose.

The slowdown hook: with ``LSTM_SPEC_SLOW_PREDICT=FACTOR`` (a number >= 1) in a benchmark process's
environment, every timed ``model.predict(x)`` call of ``specs/benchmarks`` takes FACTOR times as long
(the call runs, then the process spins until FACTOR times its duration has passed).  Only the
benchmark fixture reads it; ``python3 suite.py speed A B --slow-after FACTOR`` sets it for B's
processes, to check that the comparison flags a known slowdown and nothing else.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping

SLOWDOWN_VARIABLE = "LSTM_SPEC_SLOW_PREDICT"
SLOWED_PATH = "predict"


class BenchmarkSetupError(Exception):
    """A setting of the timed processes (thread count, slowdown factor) that cannot be used."""


def slowdown_factor(environ: Mapping[str, str], path: str) -> float:
    """How much slower ``path`` is made in this process: the factor of ``LSTM_SPEC_SLOW_PREDICT``
    for predict(), 1.0 for every other path or without the variable."""
    text = environ.get(SLOWDOWN_VARIABLE, "").strip()
    if not text or path != SLOWED_PATH:
        return 1.0
    try:
        factor = float(text)
    except ValueError:
        factor = float("nan")
    if not factor >= 1.0:
        raise BenchmarkSetupError(f"{SLOWDOWN_VARIABLE}={text!r}: give a number >= 1, the factor by which "
                                  f"{SLOWED_PATH}() is slowed (1.25 makes it 25% slower); unset it to time normally")
    return factor


def thread_counts(text: str) -> tuple[int, int]:
    """``"1,1"`` -> (1, 1): TensorFlow's intra-op and inter-op thread pool sizes, 0 for its own choice."""
    try:
        intra_op, inter_op = (int(part) for part in text.split(","))
    except ValueError:
        intra_op = inter_op = -1
    if intra_op < 0 or inter_op < 0:
        raise BenchmarkSetupError(f"{text!r}: give INTRA,INTER thread counts >= 0, e.g. 1,1 "
                                  "(0,0 keeps TensorFlow's defaults)")
    return intra_op, inter_op


def configure_threads(intra_op: int, inter_op: int) -> dict[str, int]:
    """Fixes TensorFlow's intra-op and inter-op thread pools (0 keeps TensorFlow's choice) before the
    first operation runs, and returns what TensorFlow then reports (0 means its own default)."""
    import tensorflow as tf

    if intra_op:
        tf.config.threading.set_intra_op_parallelism_threads(intra_op)
    if inter_op:
        tf.config.threading.set_inter_op_parallelism_threads(inter_op)
    return {"intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter_op": tf.config.threading.get_inter_op_parallelism_threads()}


class MeasuredCall:
    """Wraps an inference call: records each call's process CPU time (all threads) and, with a
    slowdown factor above 1, stretches each call's wall time by that factor."""

    def __init__(self, call: Callable, slowdown: float = 1.0):
        self.call = call
        self.slowdown = slowdown
        self.cpu_seconds: list[float] = []

    def __call__(self):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        result = self.call()
        if self.slowdown != 1.0:
            until = wall_start + (time.perf_counter() - wall_start) * self.slowdown
            while time.perf_counter() < until:
                pass  # a spin, not a sleep: sleeps overshoot by tens of microseconds
        self.cpu_seconds.append(time.process_time() - cpu_start)
        return result

    def cpu_median(self) -> float | None:
        """The median process CPU time of the calls made so far (seconds), None before any."""
        return statistics.median(self.cpu_seconds) if self.cpu_seconds else None

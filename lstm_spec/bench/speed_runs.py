"""Running a speed comparison: each side's environment is prepared once through the version matrix
(``lstm_spec.versions.sides``: the same nox sessions as ``matrix`` and ``report``), then the
benchmark processes run in those environments in pairs, one process per side, both at once taking
turns round by round (lockstep; or A, then B), each a pytest-benchmark session of ``specs/benchmarks``
whose JSON is kept.

An environment named by a lock (``locked``, ``keras2``, ...) is the one in ``.nox/`` that ``matrix``
and ``report`` use; a version (``2.18.0``, ``keras-nightly``) gets its own under ``.nox/speed/``,
because the ``version`` session recreates its single environment on every run and both sides must
exist side by side while the processes alternate.  It is kept for the next comparison; delete
``.nox/speed/<name>`` to build it afresh (``keras-nightly`` moves on).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lstm_spec.bench import benchmarking, instrument
from lstm_spec.bench import turns as turns_module
from lstm_spec.bench.statistics import MIN_PAIRS
from lstm_spec.versions.sides import ROOT, Side, nox_command, session_environment

SPEED_ENVS = ROOT / ".nox" / "speed"
RESULTS = ROOT / ".benchmarks" / "speed"
SIDES = ("A", "B")
BENCHMARKS = "specs/benchmarks/test_predict_speed.py"  # the inference paths; other benchmark files are not compared
LOG_TAIL_LINES = 15


class SpeedRunError(Exception):
    """A side that cannot be prepared, or a benchmark process that did not finish."""


@dataclass(frozen=True)
class Settings:
    """How the timed processes run (specs/benchmarks/README.md, "Less noise at the source": each setting's effect)."""

    grid: str = "small"  # 12 cases, ~35 s a pair in lockstep on a quiet 2-core machine; --grid default: 60 cases
    # Enough pairs to flag a 1.25x slowdown against the 10% threshold: with the per-pair spread measured
    # here (log-ratio sd 0.09-0.20 for predict), 5 pairs flagged all four predict() points in 2% of
    # resampled runs, 10 in 35%, 20 in 87% (specs/benchmarks/README.md, "How many pairs").
    pairs: int = 20
    # One intra-op and one inter-op thread: see specs/benchmarks/README.md, "Less noise at the source".
    tf_threads: tuple[int, int] = (1, 1)
    max_time: float = 0.25  # seconds of rounds per case; the spread is between processes, not rounds
    # predict() takes ~150 ms here: 0.5 s gave it 3-5 rounds, whose median moved 10-30 % between processes.
    min_rounds: int = 10
    warmup: bool = True
    warmup_iterations: int = 3  # the first call traces (outside the timing); a few more settle the caches
    # A CPU to pin every timed process to (None: wherever the OS puts them).  Off by default: on one
    # CPU, predict()'s tf.data threads queue behind the main thread (a median of 143 ms with rounds
    # from 80 to 155, against 99 ms and 87 to 112 unpinned, on this quiet 2-core machine).
    cpu: int | None = None
    gc_off: bool = True
    slow_after: float = 1.0  # the slowdown test hook on B's predict() (1: off)
    # Both processes of a pair alive, taking turns round by round (lstm_spec.bench.turns); False: A, then B.
    lockstep: bool = True

    def check(self) -> None:
        if self.grid not in benchmarking.GRIDS:
            raise SpeedRunError(f"--grid {self.grid}: known grids are {', '.join(benchmarking.GRIDS)}")
        if self.pairs < MIN_PAIRS:
            raise SpeedRunError(f"--pairs {self.pairs}: a confidence interval needs at least {MIN_PAIRS} pairs "
                                "(5 or more to be useful)")
        if self.min_rounds < 1:
            raise SpeedRunError(f"--min-rounds {self.min_rounds}: give at least 1 (10 gives predict() a steady median)")
        if self.cpu is not None and self.cpu not in os.sched_getaffinity(0):
            raise SpeedRunError(f"--cpu {self.cpu}: this process may run on CPUs "
                                f"{sorted(os.sched_getaffinity(0))}; name one of them, or --cpu none")
        if self.max_time <= 0:
            raise SpeedRunError(f"--max-time {self.max_time}: give the seconds of timed rounds per case, e.g. 0.5")
        if not self.slow_after >= 1.0:
            raise SpeedRunError(f"--slow-after {self.slow_after}: give the factor >= 1 by which B's predict() is "
                                "slowed (1.25 makes it 25% slower; 1 leaves it alone)")

    def pytest_arguments(self, json_path: Path) -> list[str]:
        arguments = [BENCHMARKS, "-q", "-p", "no:cacheprovider", f"--grid={self.grid}",
                     "--tf-threads={},{}".format(*self.tf_threads), f"--benchmark-max-time={self.max_time}",
                     f"--benchmark-min-rounds={self.min_rounds}",
                     f"--benchmark-json={json_path}"]
        if self.warmup:
            arguments += ["--benchmark-warmup=on", f"--benchmark-warmup-iterations={self.warmup_iterations}"]
        if self.gc_off:
            arguments.append("--benchmark-disable-gc")
        return arguments

    def pin(self) -> None:
        """Runs in each timed process before it starts: keeps it (and its threads) on ``cpu``."""
        if self.cpu is not None:
            os.sched_setaffinity(0, {self.cpu})

    def environment(self, side: str) -> dict[str, str]:
        # Neither the slowdown hook nor a turn-taking pipe is inherited: only this comparison sets them.
        inherited = (instrument.SLOWDOWN_VARIABLE, turns_module.TURNS_VARIABLE)
        environment = {key: value for key, value in os.environ.items() if key not in inherited}
        environment["PYTHONHASHSEED"] = "0"
        if side == "B" and self.slow_after != 1.0:
            environment[instrument.SLOWDOWN_VARIABLE] = str(self.slow_after)
        return environment


def slug(name: str) -> str:
    return re.sub(r"[^\w.]+", "-", name).strip("-") or "env"


def prepare(side: Side, log: Path) -> Path:
    """Creates (or updates) the environment of ``side`` through its nox session and returns its Python."""
    envdir = ROOT / ".nox" if side.fixed else SPEED_ENVS / slug(side.name)
    command = nox_command(side, ["--version"], envdir=envdir)
    if not side.fixed:
        # The version session recreates its environment each time; this one is speed's own, kept for
        # the next comparison (its pip install then finds everything in place).
        command.insert(command.index("--"), "--reuse-venv=always")
    with open(log, "w") as out:
        finished = subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                  env={**os.environ, **dict(side.environment)})
    python = envdir / side.session / "bin" / "python"
    if finished.returncode != 0 or not python.exists():
        raise SpeedRunError(f"{side.name}: the environment could not be prepared (nox session {side.session}); "
                            f"the log ({log}) ends:\n{_tail(log)}")
    return python


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:])


@dataclass(frozen=True)
class ProcessRun:
    side: str  # "A" or "B"
    index: int  # 1-based pair number
    json_path: Path


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_interleaved(pythons: dict[str, Path], settings: Settings, folder: Path,
                    progress: Callable[[str], None] = _to_stderr,
                    environments: dict[str, dict[str, str]] | None = None) -> list[ProcessRun]:
    """Runs ``settings.pairs`` pairs of benchmark processes and returns where each saved its JSON;
    ``environments`` gives each side's session variables (``Side.session_environment``; default: the locked
    session's, TensorFlow and Keras 3, on both).  In lockstep (the default) both processes of a pair run
    at once, taking turns round by round (``lstm_spec.bench.turns``), A starting odd pairs and B even
    ones; otherwise A runs, then B."""
    environments = environments or {}
    runs = []
    for index in range(1, settings.pairs + 1):
        first = SIDES[(index - 1) % 2] if settings.lockstep else SIDES[0]
        progress(f"speed: pair {index}/{settings.pairs}" + (f", in lockstep, {first} first" if settings.lockstep else ""))
        turns, descriptors = turns_module.pipes_for_a_pair(first, SIDES) if settings.lockstep else ({}, [])
        started = {}
        try:
            for side in SIDES:
                json_path = folder / f"pair{index:02d}-{side}.json"
                log = folder / f"pair{index:02d}-{side}.log"
                command = [str(pythons[side]), "-m", "pytest", *settings.pytest_arguments(json_path)]
                environment = {**settings.environment(side),
                               **environments.get(side, session_environment("locked"))}
                if side in turns:
                    environment[turns_module.TURNS_VARIABLE] = turns[side]
                with open(log, "w") as out:
                    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT,
                                               preexec_fn=settings.pin,
                                               pass_fds=turns_module.descriptors(turns[side]) if side in turns else ())
                started[side] = (process, json_path, log)
                if not settings.lockstep:
                    process.wait()
        finally:
            for descriptor in descriptors:  # the children hold their own ends: a dead one's pipe then closes
                os.close(descriptor)
        for side, (process, json_path, log) in started.items():
            if process.wait() != 0 or not json_path.exists():
                raise SpeedRunError(f"the benchmark process for side {side}, pair {index} ended with exit code "
                                    f"{process.returncode}; its log ({log}) ends:\n{_tail(log)}")
            runs.append(ProcessRun(side, index, json_path))
    return runs


KEPT_PROCESS = re.compile(r"pair(\d+)-([AB])\.json")


def kept_runs(folder: Path) -> list[ProcessRun]:
    """The processes a comparison kept in ``folder`` (``pairNN-A.json``, ``pairNN-B.json``), in pair
    order; a pair with one side missing is left out."""
    if not folder.is_dir():
        raise SpeedRunError(f"{folder}: no such folder; name one that `speed` wrote (.benchmarks/speed/A-vs-B-TIME)")
    found = {(int(match[1]), match[2]): path for path in folder.iterdir()
             if (match := KEPT_PROCESS.fullmatch(path.name))}
    pairs = sorted({index for index, _ in found if all((index, side) in found for side in SIDES)})
    if not pairs:
        raise SpeedRunError(f"{folder}: no pair of kept processes (pairNN-A.json with pairNN-B.json); "
                            "name a folder that `speed` wrote (.benchmarks/speed/A-vs-B-TIME)")
    return [ProcessRun(side, index, found[index, side]) for index in pairs for side in SIDES]


@dataclass
class Measurements:
    """Per (point, path): each side's per-process median wall and CPU times, in pair order."""

    wall: dict[tuple, dict[str, list[float]]]
    cpu: dict[tuple, dict[str, list[float]]]
    info: dict[tuple, dict]  # a benchmark's extra_info, for labels
    machine: dict[str, dict]  # side -> machine_info of its first process
    skipped: dict[str, dict[str, int]]  # side -> skip reason -> cases (per process)


def read_runs(runs: list[ProcessRun]) -> Measurements:
    measurements = Measurements({}, {}, {}, {}, {side: {} for side in SIDES})
    for run in runs:
        machine, benchmarks = benchmarking.load_run(run.json_path)
        if run.side not in measurements.machine:
            measurements.machine[run.side] = machine
            for reason in machine.get("lstm_spec", {}).get("skipped", {}).values():
                measurements.skipped[run.side][reason] = measurements.skipped[run.side].get(reason, 0) + 1
        for bench in benchmarks:
            info = bench["extra_info"]
            key = (benchmarking.point_key(info), info["path"])
            measurements.info.setdefault(key, info)
            measurements.wall.setdefault(key, {}).setdefault(run.side, []).append(bench["stats"]["median"])
            if info.get("cpu_median"):
                measurements.cpu.setdefault(key, {}).setdefault(run.side, []).append(info["cpu_median"])
    return measurements


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path

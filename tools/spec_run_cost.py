"""The spec run's cost against a bare ``import tensorflow``, measured as whole processes (issues 11 and 30).

    .venv/bin/python tools/spec_run_cost.py              3 pairs
    .venv/bin/python tools/spec_run_cost.py --pairs 5    5 pairs

A pair times ``python -c "import tensorflow"``, then ``python -m pytest -q -p no:cacheprovider specs``, each
from start to exit, with the Python that runs this tool (the locked ``.venv``'s).  The pairs follow one
another, so both commands see the same machine, and the last line is the median of each and their
ratio, after the machine's load average before and after.  Run it on a quiet machine: on a 2-core one a
single spec run moves by 10-30 %, and under others' load the spec run slows more than the import.  A spec run that
fails stops the measurement, showing the end of its output: a failing run's time says nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMPORT = [sys.executable, "-c", "import tensorflow"]
SPECS = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "specs"]
MIN_PAIRS = 3  # a median of fewer says little on a machine whose runs move by 10-30 %
# Issue 30: the spec run at most 6x the import (issue 11 aimed at 4x and measured the floor of every case and
# assertion kept at ~4.5x; the saved-model specs since took it to 8.4x).
AIM = 6.0


def timed(command: list[str]) -> tuple[float, int, str]:
    """Runs ``command`` in the repository root: (wall seconds from start to exit, exit status, output)."""
    start = time.perf_counter()
    finished = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return time.perf_counter() - start, finished.returncode, finished.stdout


def measure(pairs: int, run=timed, report=print) -> tuple[float, float]:
    """Times ``pairs`` pairs (import, then spec run), reporting each; (median import, median spec run) in seconds."""
    imports, spec_runs = [], []
    for pair in range(1, pairs + 1):
        import_seconds, status, output = run(IMPORT)
        if status != 0:
            raise RuntimeError(f"`{' '.join(IMPORT)}` failed (exit {status}):\n{output[-2000:]}")
        spec_seconds, status, output = run(SPECS)
        if status != 0:
            raise RuntimeError(f"the spec run failed (exit {status}), so its time says nothing:\n{output[-2000:]}")
        imports.append(import_seconds)
        spec_runs.append(spec_seconds)
        summary = output.strip().splitlines()[-1] if output.strip() else "no output"
        report(f"pair {pair}: import {import_seconds:.2f} s, specs {spec_seconds:.2f} s "
               f"({spec_seconds / import_seconds:.2f}x) [{summary}]")
    return statistics.median(imports), statistics.median(spec_runs)


def verdict(import_seconds: float, spec_seconds: float, pairs: int) -> str:
    ratio = spec_seconds / import_seconds
    return (f"median of {pairs}: import {import_seconds:.2f} s, specs {spec_seconds:.2f} s: {ratio:.2f}x "
            f"({'within' if ratio <= AIM else 'above'} the aim of at most {AIM:g}x)")


def main(argv: list[str] | None = None, run=timed) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=MIN_PAIRS,
                        help=f"pairs of processes to time (default and least: {MIN_PAIRS})")
    options = parser.parse_args(argv)
    if options.pairs < MIN_PAIRS:
        parser.error(f"--pairs {options.pairs}: a median needs at least {MIN_PAIRS} pairs "
                     f"(runs here move by 10-30 %); leave it out for {MIN_PAIRS}")
    load_before = os.getloadavg()[0]
    try:
        medians = measure(options.pairs, run)
    except RuntimeError as failure:
        print(failure, file=sys.stderr)
        return 1
    # the load says whether the figures are a quiet machine's: a busy one slows the spec run more than the import
    print(f"1-minute load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, on {os.cpu_count()} cores")
    print(verdict(*medians, options.pairs))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Mutation testing of ``lstm_spec/`` with mutmut: one module at a time, with the tests that cover it.

    .venv/bin/nox -s mutate                          every module of TARGETS, in this order
    .venv/bin/nox -s mutate -- arrays_text oracle    only the modules named
    .venv/bin/nox -s mutate -- upgrade_report --mutants '*0'
                                                     only the mutants matching a pattern: '*0' is
                                                     every tenth (numbers ending in 0), a sample

(``nox -s mutate`` installs requirements/lock.txt and mutmut into ``.nox/mutate``; inside that
environment ``python tools/mutate.py NAME ...`` does the same.)  Each module is mutated in a
scratch copy of the working tree, ``.mutation/<module>/``, whose pyproject.toml gets a
``[tool.mutmut]`` section that mutates that one file and runs only its test files: mutmut then
runs, per mutant, only the tests that reached the mutated function.  The last line per module is
``<module>: <killed>/<tested> killed (<score>%), <survived> survived, ...``, where a mutant whose
tests ran past mutmut's time limit counts as killed (as mutmut's own score counts it) and is
counted apart; ``tested`` is every mutant, or with ``--mutants`` those the pattern matched.  The
survivors are listed by ``mutmut results`` in that folder, and ``mutmut show NAME`` shows one.
Run it on one core (``taskset -c 0``): it runs one mutant at a time (MAX_CHILDREN).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / ".mutation"

# module: (the file mutated, the test files that cover it). Specs are listed only where no machinery test
# reaches the module's code: every spec run per mutant costs TensorFlow time.
# The upgrade report's parts (lstm_spec/versions: reading a side, comparing two, writing the page) share tests.
REPORT_TESTS = ["tests/test_upgrade_report.py", "tests/test_upgrade_report_reading.py",
                "tests/test_upgrade_report_writing.py", "tests/test_upgrade_report_command.py"]
TARGETS = {
    "arrays_text": ("lstm_spec/checks/arrays_text.py",
                    ["tests/test_arrays_text.py", "tests/test_tolerance_edges.py", "tests/test_assertions.py"]),
    "assertions": ("lstm_spec/checks/assertions.py",
                   ["tests/test_assertions.py", "tests/test_assert_raises.py", "tests/test_tolerance_edges.py",
                    "tests/test_oracle.py"]),
    "oracle": ("lstm_spec/checks/oracle.py",
               ["tests/test_oracle_cases.py", "tests/test_oracle.py", "tests/test_tolerance_edges.py"]),
    "snapshot": ("lstm_spec/checks/snapshot.py",
                 ["tests/test_snapshot_extension.py", "tests/test_tolerance_edges.py", "tests/test_oracle.py"]),
    "upgrade_report": ("lstm_spec/versions/upgrade_report.py", REPORT_TESTS),
    "side_results": ("lstm_spec/versions/side_results.py", REPORT_TESTS),
    "comparison": ("lstm_spec/versions/comparison.py", REPORT_TESTS),
    "shapes_page": ("lstm_spec/living_docs/shapes_page.py", ["tests/test_shapes_page.py", "tests/test_partial_run.py"]),
    "outline": ("lstm_spec/living_docs/outline.py", ["tests/test_outline.py"]),
    "pinned": ("lstm_spec/models/pinned.py",
               ["tests/test_pinned_cases.py", "tests/test_repro_snippets.py", "tests/test_oracle.py"]),
    "builders": ("lstm_spec/models/builders.py",
                 ["tests/test_builders.py", "tests/test_repro_snippets.py", "tests/test_family.py"]),
}
# Tests left out of a module's run: they start xdist's workers, pytest processes whose mutated lstm_spec looks
# for mutmut's configuration in the worker's own folder and stops (the controller is this process). The same
# plugin runs in-process (pytester.runpytest_inprocess) in the module's other tests, which mutmut's trampolines reach.
DESELECTED = {
    "outline": ["tests/test_outline.py::test_outline_of_an_xdist_run"],
    "shapes_page": ["tests/test_shapes_page.py::test_xdist_run_writes_the_same_page"],
}
# The working tree minus what a run does not read (and what is large); docs/ stays: docs/shapes.md is tested.
LEFT_OUT = (".git", ".venv", ".nox", ".mutation", "mutants", ".benchmarks", "__pycache__")
PYTEST_OPTIONS = ["-p", "no:randomly", "--shapes-page=off", "-q"]
# Plugins loaded before the fork server collects a module's tests: test_outline imports no Keras, but the
# suite's autouse fixtures do, so without this each forked mutant imported TensorFlow again (about 5
# mutants a minute on outline; 12-14 with it).
PRELOADED = {"outline": ["-p", "lstm_spec.models.backend"]}
# One mutant at a time: mutmut otherwise forks one test run per CPU, and a run is meant to leave the
# other cores alone (`taskset -c 0 .venv/bin/nox -s mutate` keeps it on one).
MAX_CHILDREN = 1


def mutmut_section(module_file: str, test_files: list[str], deselected: list[str],
                   preloaded: list[str] = ()) -> str:
    selection = [*test_files, *(argument for node in deselected for argument in ("--deselect", node))]
    quoted = ", ".join(f'"{name}"' for name in selection)
    options = ", ".join(f'"{option}"' for option in [*PYTEST_OPTIONS, *preloaded])
    return (
        "\n[tool.mutmut]\n"
        'source_paths = ["lstm_spec"]\n'
        f'only_mutate = ["{module_file}"]\n'
        'also_copy = ["conftest.py", "pytest.ini", "specs", "requirements", "docs"]\n'
        f"pytest_add_cli_args_test_selection = [{quoted}]\n"
        f"pytest_add_cli_args = [{options}]\n"
        # Each mutant's tests run in a process forked from a server that has only collected them:
        # forked from mutmut's own process, which ran TensorFlow for the stats, they deadlock.
        'process_isolation = "forkserver"\n'
        # A mutant's time limit is (estimated test time + this) x 15 s: with the default 1 s, pytest's
        # start in the forked process alone ran past it on a shared core (every mutant "timed out").
        "timeout_constant = 10.0\n"
    )


def scratch_copy(name: str) -> Path:
    """A fresh copy of the working tree for one module, with its [tool.mutmut] section."""
    module_file, test_files = TARGETS[name]
    folder = SCRATCH / name
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ROOT, folder, ignore=shutil.ignore_patterns(*LEFT_OUT))
    pyproject = folder / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + mutmut_section(module_file, test_files, DESELECTED.get(name, []),
                                                                     PRELOADED.get(name, [])))
    return folder


def mutate(name: str, patterns: list[str]) -> dict:
    """Runs mutmut on one module (only the mutants matching ``patterns`` when given); returns its
    counts (killed, survived, timeout, total, ...)."""
    folder = scratch_copy(name)
    mutmut = [str(Path(sys.executable).parent / "mutmut")]  # the console script: `python -m mutmut` fails
    subprocess.run([*mutmut, "run", "--max-children", str(MAX_CHILDREN), *patterns], cwd=folder, check=True)
    subprocess.run([*mutmut, "export-cicd-stats"], cwd=folder, check=True)
    return json.loads((folder / "mutants" / "mutmut-cicd-stats.json").read_text())


# mutmut's outcomes of a mutant that was tested (the rest of ``total`` was not run).
TESTED = ("killed", "timeout", "survived", "no_tests", "suspicious", "segfault", "skipped")


def summary(name: str, stats: dict) -> str:
    tested = sum(stats[outcome] for outcome in TESTED)
    killed = stats["killed"] + stats["timeout"]
    score = 100 * killed / tested if tested else 0.0
    sample = f" (a sample: {tested} of {stats['total']} mutants)" if tested != stats["total"] else ""
    return (f"{name}: {killed}/{tested} killed ({score:.1f}%){sample}, {stats['survived']} survived, "
            f"{stats['timeout']} of the killed by timeout, {stats['no_tests']} reached by no test")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Mutation scores of lstm_spec modules (mutmut).")
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=f"any of {list(TARGETS)} (default: all)")
    parser.add_argument("--mutants", action="append", default=[], metavar="PATTERN",
                        help="run only the mutants whose name matches (fnmatch; '*0': every tenth)")
    arguments = parser.parse_args(argv)
    unknown = [name for name in arguments.modules if name not in TARGETS]
    if unknown:
        print(f"no mutation target {unknown}; name any of {list(TARGETS)}", file=sys.stderr)
        return 2
    lines = []
    for name in arguments.modules or list(TARGETS):
        lines.append(summary(name, mutate(name, arguments.mutants)))
        print(lines[-1], flush=True)
    print("\n".join(["", "mutation scores:", *lines]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

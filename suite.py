#!/usr/bin/env python3
"""Set up and run the suite: ``python3 suite.py docs`` or ``python3 suite.py test``.

Creates ``.venv`` next to this file when it is missing, installs ``requirements/lock.txt`` into it
whenever the lock has changed since the last install, then runs pytest inside it.  Needs only
Python 3.11 and the package index.  Arguments after the command go to pytest.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements" / "lock.txt"
STAMP = VENV / "installed-lock.sha256"
PYTHON = VENV / "bin" / "python"

COMMANDS = {
    "docs": ("the specs as living documentation; regenerates docs/shapes.md",
             ["specs", "--outline", "--shapes-page=write"]),
    "test": ("the whole suite: specs and the machinery's own tests", []),
    "list": ("the behaviours, their specs and cases, without running them",
             ["specs", "--collect-only", "--outline", "-qq"]),
    "bench": ("the predict() benchmarks (specs/benchmarks/; --full-grid for the whole size grid)",
              ["specs/benchmarks", "--benchmark-columns=median,iqr,min,rounds"]),
}
# Commands that run one of the suite's tools (python -m MODULE) instead of pytest in .venv.
TOOLS = {
    "matrix": ("the specs in one environment of the version matrix (noxfile.py): matrix keras2, "
               "matrix 2.20.0 [pytest arguments]", "lstm_spec.versions.matrix"),
    "report": ("the upgrade report between two versions: report 2.15.1 2.21.0 "
               "(docs/guides/versions-and-upgrade-reports.md)",
               "lstm_spec.versions.upgrade_report"),
    "history": ("the suite on each TensorFlow, Keras and tf-keras release, and where each behaviour changed: "
                "history [tensorflow keras:3.4.1 ...] (writes docs/history.md)", "lstm_spec.versions.history"),
    "speed": ("did predict() get slower? benchmark processes of two environments, in pairs taking turns: "
              "speed locked keras2 [--pairs 20 --grid small --threshold 0.10]", "lstm_spec.bench.speed"),
    "check": ("your own saved model across releases, every way in: check model.h5 [--to locked 2.18.0] "
              "(docs/guides/check-your-own-model.md)", "lstm_spec.own_model.check"),
    "migrate": ("a Keras 2 model file as a verified Keras 3 .keras: migrate model.h5 model.keras",
                "lstm_spec.own_model.migrate_command"),
    "site": ("the documentation site (Sphinx, nox -s site) into build/site/html, warnings as errors",
             "lstm_spec.living_docs.site_build"),
}


# `test` of the whole suite runs in two pytest-xdist workers where the machine has two cores: on the 2-core
# machine 64.9 and 75.8 s against 91.0 and 98.8 s in one process (docs/guides/speed.md). Any choice of the
# user's (-n, a path, --pdb, --snapshot-update, which must see every snapshot in one process) keeps one process.
PARALLEL = ["-n", "2"]
SERIAL_WHEN = ("-n", "--numprocesses", "--dist", "--pdb", "--snapshot-update", "no:xdist", "-p")

HELP = ("help", "-h", "--help")
# Commands whose first arguments may name behaviours: docs 4, test return_state, list 22 23.
TAKE_BEHAVIOURS = ("docs", "test", "list")


def usage() -> str:
    lines = ["usage: python3 suite.py COMMAND [BEHAVIOUR ...] [pytest arguments]", "", "commands:"]
    width = max(map(len, {**COMMANDS, **TOOLS}))
    lines += [f"  {name:<{width}} {summary}" for name, (summary, _) in {**COMMANDS, **TOOLS}.items()]
    lines += ["",
              "BEHAVIOUR (docs, test, list): a spec's number or short name, e.g. `docs 4` or `docs return_state`",
              "  for specs/test_04_return_state.py (`python3 suite.py list` shows them all).",
              "pytest arguments, e.g. -n 2, -m return_state (a behaviour), --case units=5,batch=1 (a configuration;",
              "  -k cannot select by `=`), a file or node id, --snapshot-update.",
              "`python3 suite.py COMMAND --help`: the command's own options (pytest's for docs, test, list, bench)."]
    return "\n".join(lines)


def spec_arguments(command: str, arguments: list[str]) -> list[str]:
    """The arguments with leading behaviour handles (``4``, ``return_state``) turned into spec files;
    raises ValueError naming an argument that is neither a behaviour nor an existing file."""
    from lstm_spec.living_docs.behaviours import find_spec_file

    resolved = list(arguments)
    for index, argument in enumerate(arguments):
        if argument.startswith("-") or command not in TAKE_BEHAVIOURS:
            break  # pytest's options from here on (and their values)
        if names_a_path(argument) or "/" in argument or ".py" in argument:
            continue
        found = find_spec_file(ROOT, argument)
        if found is None:
            raise ValueError(f"{argument!r} is no behaviour number or name, nor an existing file")
        resolved[index] = found.relative_to(ROOT).as_posix()
    for argument in resolved:
        if not argument.startswith("-") and ".py" in argument and not names_a_path(argument):
            raise ValueError(f"{argument.split('::')[0]} does not exist")
    return resolved


def ensure_environment() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"suite.py needs Python 3.11 (the lock is for it); this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"suite.py: creating {VENV.relative_to(ROOT)}", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    print(f"suite.py: installing {LOCK.relative_to(ROOT)} into {VENV.relative_to(ROOT)}", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-r", str(LOCK)], check=True)
    STAMP.write_text(wanted + "\n")


def parallel_arguments(command: str, arguments: list[str], cores: int | None = None) -> list[str]:
    """``PARALLEL`` for ``test`` of the whole suite on a machine of two cores or more, else nothing."""
    cores = os.cpu_count() if cores is None else cores
    if command != "test" or (cores or 1) < 2 or any(names_a_path(argument) for argument in arguments):
        return []
    if any(argument.startswith(SERIAL_WHEN) for argument in arguments):
        return []
    return list(PARALLEL)


def names_a_path(argument: str) -> bool:
    """Whether a pytest argument names a file or folder to run (``specs/test_04_x.py::test_y`` too)."""
    return not argument.startswith("-") and (ROOT / argument.split("::")[0]).exists()


def main(argv: list[str]) -> int:
    if argv and argv[0] in HELP:
        print(usage())
        return 0
    if not argv or argv[0] not in {**COMMANDS, **TOOLS}:
        given = f"unknown command {argv[0]!r}" if argv else "no command given"
        print(f"suite.py: {given}.\n{usage()}", file=sys.stderr)
        return 2
    try:
        argv = [argv[0], *spec_arguments(argv[0], argv[1:])]
    except ValueError as error:
        print(f"suite.py {argv[0]}: {error}. Name a behaviour by number or short name "
              "(`python3 suite.py list` shows them) or a file under specs/.", file=sys.stderr)
        return 2
    ensure_environment()
    if argv[0] in TOOLS:
        command = [str(PYTHON), "-m", TOOLS[argv[0]][1], *argv[1:]]
        os.environ["LSTM_SPEC_CALLER_CWD"] = os.getcwd()  # a tool reads the user's paths from where they ran it
    else:
        _, pytest_arguments = COMMANDS[argv[0]]
        if any(names_a_path(argument) for argument in argv[1:]):
            # The user chose what to run: drop the command's default folder, keep its options.
            pytest_arguments = [argument for argument in pytest_arguments if not names_a_path(argument)]
        command = [str(PYTHON), "-m", "pytest", *pytest_arguments, *parallel_arguments(argv[0], argv[1:]), *argv[1:]]
    os.chdir(ROOT)
    return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

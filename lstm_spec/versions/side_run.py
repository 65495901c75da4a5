"""How a side is run, as ``report`` and ``history`` both run one: the specs with every value written.

Each side runs in its own environment of the version matrix (``noxfile.py``), in a scratch copy of
the checkout whose snapshot folders are emptied first, so that ``--snapshot-update`` writes every value
that side computes; the nox session collects what the comparison reads (``LSTM_SPEC_COLLECT``).
Before anything runs, ``unresolvable`` asks pip (``pip install --dry-run``) whether a side that is one
resolution can be installed at all.  Every side's deploy specs (48-51) record what they observed
(``--deployment-record``, into the collected folder); a history side also gets the deployment runtimes its
TensorFlow pins (``runtimes``: ``lstm_spec.versions.history_deployment``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from lstm_spec.deploy.observed import OPTION as RECORD_OPTION, RECORD_FILE
from lstm_spec.deploy.runtimes import Runtimes
from lstm_spec.versions import history_deployment
from lstm_spec.versions.pins import install_plan, requirements
from lstm_spec.versions.side_results import SideResult, pip_reason, read_side
from lstm_spec.versions.sides import LOCKS, ROOT, Side, nox_command

LOCK = LOCKS["locked"]
# What a side's scratch copy leaves out: environments, caches (the history's, .history, too), git history.
NOT_COPIED = shutil.ignore_patterns(".venv", ".nox", ".git", ".benchmarks", ".pytest_cache", "__pycache__", ".history")
PYTEST_ARGUMENTS = ["specs", "--snapshot-update", "-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"]


def run_side(side: Side, workdir: Path, *, source: Path = ROOT, log=sys.stderr,
             environment: dict[str, str] | None = None, command: str = "report",
             runtimes: Runtimes | None = None) -> SideResult:
    """Runs the specs on ``side`` in a scratch copy of ``source`` under ``workdir`` and reads the results;
    ``environment`` is set for the run beside the side's own (e.g. where an earlier side wrote its files).
    With ``runtimes`` (a history side), their pins are added to the environment before the specs run, and what was
    installed is kept beside the results (``history_deployment.STATUS_FILE``)."""
    tree, collected = workdir / "tree", collected_folder(workdir)
    shutil.copytree(source, tree, ignore=NOT_COPIED)
    shutil.rmtree(tree / "specs" / "__snapshots__", ignore_errors=True)
    print(f"{command}: running the specs on {side.name} (nox session {side.session}); log: {workdir / 'nox.log'}",
          file=log, flush=True)
    variables = {**os.environ, **dict(side.environment), **(environment or {}), "LSTM_SPEC_COLLECT": str(collected)}
    # The deploy cells are recorded for the comparison; docs/deployment.md is kept by `matrix deploy` alone
    # (lstm_spec.living_docs.deployment_page, not imported here: it brings pytest; a side
    # with the deploy lock's versions would check it, and fail the session where a difference moved in its last digit).
    arguments = [*PYTEST_ARGUMENTS, f"{RECORD_OPTION}={collected / RECORD_FILE}", "--deployment-page=off",
                 *(["-k", history_deployment.SELECTION] if runtimes is not None else [])]
    with open(workdir / "nox.log", "w") as out:
        if runtimes is not None and runtimes.installable and not history_deployment.in_lock(side, runtimes):
            error = _with_runtimes(side, workdir, tree, variables, arguments, runtimes, out)
        else:
            error = None
            subprocess.run(nox_command(side, arguments, noxfile=tree / "noxfile.py", envdir=side.envdir(workdir)),
                           cwd=tree, env=variables, stdout=out, stderr=subprocess.STDOUT)
    if runtimes is not None and collected.is_dir():
        (collected / history_deployment.STATUS_FILE).write_text(
            json.dumps(history_deployment.status(runtimes, error), indent=1) + "\n")
    result = read_side(side.name, side.session, tree, collected, workdir / "nox.log")
    result.side = side
    return result


def _with_runtimes(side: Side, workdir: Path, tree: Path, variables: dict, arguments: list[str],
                   runtimes: Runtimes, out) -> str | None:
    """The side's run with ``runtimes`` added: its environment made (``--install-only``), always in ``workdir``
    (never a shared one, which would keep them), the pins added, then the specs run in it as it is; pip's reason
    where the pins do not install (the specs then run without them)."""
    envdir = workdir / ".nox"
    base = nox_command(side, arguments, noxfile=tree / "noxfile.py", envdir=envdir)
    # Not collected: with nothing run, the session would have nothing to write (LSTM_SPEC_COLLECT).
    making = {name: value for name, value in variables.items() if name != "LSTM_SPEC_COLLECT"}
    made = subprocess.run(_before_sessions(base, "--install-only"), cwd=tree, env=making, stdout=out,
                          stderr=subprocess.STDOUT)
    python = envdir / side.session / "bin" / "python"
    if made.returncode != 0 or not python.exists():
        # The side itself does not install: run as any side, so that its install-error.txt says why.
        subprocess.run(base, cwd=tree, env=variables, stdout=out, stderr=subprocess.STDOUT)
        return "the side's own environment could not be made (its install error says why), so neither were its runtimes"
    out.flush()
    frozen = subprocess.run([str(python), "-m", "pip", "freeze", "--all"], capture_output=True, text=True).stdout
    began = time.monotonic()
    error = history_deployment.install(python, runtimes, frozen, out)
    out.write(f"deployment runtimes of TensorFlow {runtimes.tensorflow}: "
              f"{'refused by pip' if error else 'installed'} in {time.monotonic() - began:.1f} s\n")
    out.flush()
    subprocess.run(_before_sessions(base, "--reuse-venv=always", "--no-install"), cwd=tree, env=variables,
                   stdout=out, stderr=subprocess.STDOUT)
    return error


def _before_sessions(command: list[str], *options: str) -> list[str]:
    at = command.index("--sessions")
    return [*command[:at], *options, *command[at:]]


def collected_folder(workdir: Path) -> Path:
    """Where ``run_side(side, workdir)`` has the side's nox session collect (LSTM_SPEC_COLLECT)."""
    return workdir / "collected"


def environment_of(side: Side) -> tuple[str, tuple[str, ...]]:
    """What makes an environment: its nox session and, for the ``version`` session, what it installs."""
    return side.session, tuple(sorted(requirements(side.version))) if side.version else ()


def unresolvable(side: Side, *, run=subprocess.run) -> str | None:
    """pip's reason when the one ``pip install`` that makes ``side`` cannot be resolved, asked with
    ``--dry-run`` before any environment is made; None when it can, and for environments made from
    a lock (a lock session, or a Keras release installed on top of requirements/lock.txt)."""
    if side.fixed:
        return None
    plan = install_plan(side.version, LOCK.read_text(), str(LOCK))
    if len(plan) != 1:
        return None
    command, *arguments = plan[0]
    result = run([sys.executable, "-m", "pip", command, "--dry-run", "--ignore-installed", *arguments],
                 capture_output=True, text=True)
    if result.returncode == 0:
        return None
    return pip_reason(result.stdout + result.stderr) or result.stderr.strip()[-2000:]

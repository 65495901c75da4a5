"""The history's deployment: each side's runtimes (``lstm_spec.deploy.runtimes``), installed where its TensorFlow
minor pins a set, and the page's "Deployment" section, from the records the deploy specs (48-51) left.

A side's run (``side_run.run_side`` with ``runtimes``) makes its environment, adds the runtime set with
``pip install --no-deps --constraint`` on the environment's own packages (so the runtimes move none of them; a fixed
session whose lock already holds them, ``deploy``, runs instead of ``locked``; a set pip refuses
is recorded with pip's reason and the specs run without it), runs the specs with ``--deployment-record`` and leaves,
in its collected folder, the record (``observed.RECORD_FILE``) and what was installed (``STATUS_FILE``).  A cached
side from before the history ran the deploy specs has neither: the page says "not yet run" for it.

    python3 -m lstm_spec.versions.history_deployment --check 2.15 2.21   resolves each minor's set, dry, beside
                                                                         its tensorflow-line side (pip, ~1 min)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from lstm_spec.deploy import runtimes as runtime_sets
from lstm_spec.deploy.runtimes import Runtimes
from lstm_spec.versions.pins import install_plan, is_requirements_file, lock_pins, normalize, requirements
from lstm_spec.versions.sides import LOCKS, Side

STATUS_FILE = "deployment-runtimes.json"  # in a side's collected folder: the set, and whether it installed
# What a history side runs of the deploy specs (pytest -k; every other spec whole): each export path on the page's
# LSTM, the cell that says whether a format works at a release.  The catalog's other models are the deploy
# environment's to state (docs/deployment.md, `matrix deploy`), and they cost: with them, specs 48-51 took 90 s of
# a 164 s side (keras 3.15.1, busy 2-core machine; OpenVINO's export alone 61 s, 6 cases failing alike).  Spec 51
# (bad input) and OpenVINO's fixed-batch export, which fails as the dynamic one does, are left out too.
SELECTION = "not ((test_48 or test_49 or test_50 or test_51) and not page_lstm) and not (test_50 and fixed-batch)"
NOT_YET_RUN = "not yet run"


def tensorflow_of(side: Side) -> str | None:
    """The TensorFlow release ``side`` installs, read from what it is made of (its lock, its pins, or the locked
    TensorFlow that a Keras release or keras-nightly goes on top of); None where it names none."""
    if side.fixed:
        pins = lock_pins(side.lock.read_text()) if side.lock and side.lock.exists() else {}
    else:
        wanted = requirements(side.version)
        pins = {normalize(line.split("==", 1)[0]): line for line in wanted if "==" in line}
        if "tensorflow" not in pins and "," not in side.version and not is_requirements_file(side.version):
            pins = lock_pins(LOCKS["locked"].read_text())  # a Keras release or keras-nightly on the locked TensorFlow
    line = pins.get("tensorflow")
    return line.split("==", 1)[1].strip() if line else None


def runtimes_of(side: Side) -> Runtimes:
    """The runtime set ``side``'s TensorFlow minor pins (none, saying why, for a minor without one); a side on
    another backend than TensorFlow gets none: specs 48-51 state the TensorFlow backend."""
    if side.backend != "tensorflow":
        return Runtimes("?", (), f"the deploy specs run on the TensorFlow backend; this side runs {side.backend}")
    return runtime_sets.for_tensorflow(tensorflow_of(side))


def _exact(lines) -> set[tuple[str, str]]:
    return {(normalize(line.split("==", 1)[0]), line.split("==", 1)[1].strip()) for line in lines if "==" in line}


def in_lock(side: Side, found: Runtimes) -> bool:
    """Whether ``side``'s own lock already pins ``found``'s set (the deploy session's): nothing to add."""
    return bool(side.fixed and side.lock and side.lock.exists()
                and _exact(found.pins) <= _exact(lock_pins(side.lock.read_text()).values()))


def with_runtimes(side: Side, found: Runtimes) -> Side:
    """The side that runs ``side`` with ``found``: for a fixed session, the fixed session whose lock is exactly its
    lock plus the set (``locked`` -> ``deploy``), reused from run to run like any fixed session; else ``side``
    itself, whose run adds the set to an environment of its own."""
    from lstm_spec.versions.sides import FIXED

    if not (side.fixed and found.installable and side.lock and side.lock.exists()):
        return side
    wanted = _exact(lock_pins(side.lock.read_text()).values()) | _exact(found.pins)
    for name, fixed in FIXED.items():
        if (fixed.backend, fixed.environment) == (side.backend, side.environment) and fixed.lock.exists() \
                and _exact(lock_pins(fixed.lock.read_text()).values()) == wanted:
            return Side(side.name, fixed.session, environment=fixed.environment)
    return side


def requested(found: Runtimes) -> tuple[str, ...]:
    """What a side's deployment adds to its request in the cache: its pins and the cases it runs; nothing where no
    set is pinned (such a side asks what it asked before the history ran the deploy specs)."""
    return (*found.pins, f"-k {SELECTION}") if found.installable else ()


def status(found: Runtimes, error: str | None = None) -> dict:
    """What ``STATUS_FILE`` holds: the minor, its pins and reason, and whether pip installed them (its reason where
    not)."""
    return {"tensorflow": found.tensorflow, "pins": list(found.pins), "why": found.why,
            "installed": found.installable and error is None, **({"error": error} if error else {})}


def install(python: Path, found: Runtimes, frozen: str, log) -> str | None:
    """Adds ``found``'s pins to the environment of ``python``, holding every package it has (``frozen``, its ``pip
    freeze``) at its version; None when pip installed them, else pip's reason.  Without dependencies (each set pins
    every package it adds: ``--check`` says any it lacks) and without compiling them: 12 s for the 2.21 set from
    pip's cache, against 24 s resolving and compiling (busy 2-core machine)."""
    from lstm_spec.versions.side_results import pip_reason

    with tempfile.NamedTemporaryFile("w", suffix="-held.txt", delete=False) as held:
        held.write(_constraints(frozen))
    result = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
                             "--constraint", held.name, *found.pins],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    Path(held.name).unlink()
    log.write(result.stdout)
    if result.returncode == 0:
        return None
    return pip_reason(result.stdout) or result.stdout.strip()[-2000:] or f"pip exited with {result.returncode}"


def _constraints(frozen: str) -> str:
    """``pip freeze`` as constraints: its ``name==version`` lines (pip, setuptools and wheel too)."""
    return "".join(line.strip() + "\n" for line in frozen.splitlines() if "==" in line and " @ " not in line)


# The page's section: per line, each cell (format:path, model) along the releases, and where it changed.

def _record(result) -> dict | None:
    """A side's cells, or None where it left no record (or one that cannot be read)."""
    from lstm_spec.deploy.observed import parse_record

    if result is None or not result.usable or result.deployment_record is None:
        return None
    try:
        return parse_record(result.deployment_record, f"{result.name}'s record")
    except ValueError:
        return None


def _without_runtimes(result) -> str | None:
    """Why ``result``'s side ran without its runtimes (none pinned, or pip refused them); None where they installed."""
    found = result.deployment_runtimes or {}
    if found.get("installed", True):
        return None
    return f"not installable: TensorFlow {found.get('tensorflow', '?')}" if not found.get("pins") else \
        f"runtimes did not install: TensorFlow {found.get('tensorflow', '?')}"


def state(result, cells: dict | None, cell) -> str:
    """What one release shows for ``cell``: its outcome, or why it has none."""
    from lstm_spec.deploy.cell_text import outcome_text
    from lstm_spec.versions.report_sections.deployment import SHOWN

    if cells is None:
        if result is not None and result.usable and result.deployment_record is not None:
            return "its record cannot be read"
        return NOT_YET_RUN if result is None or result.usable else "the side did not run"
    if cell in cells:
        return outcome_text(cells[cell], SHOWN)
    return _without_runtimes(result) or "not run (the spec ran no such cell here)"


def _kind(cells: dict | None, cell) -> str | None:
    from lstm_spec.versions.report_sections.deployment import outcome_kind

    return None if cells is None else outcome_kind(cells[cell]) if cell in cells else "absent"


def turns(line: list[tuple[str, dict | None]], cell) -> list[str]:
    """Where ``cell`` started to work, broke or changed along ``line`` (release numbers with their cells, in order),
    each release against the one before it that has a record; a turn after releases without one names the span."""
    from lstm_spec.versions.report_sections.deployment import changes

    found, before, between = [], None, 0
    for release, cells in line:
        if cells is None:
            between += before is not None
            continue
        if before is not None:
            at = release + (f" (or one of the {between} before it not yet run)" if between else "")
            old, new = _kind(before, cell), _kind(cells, cell)
            if old != "runs" and new == "runs":
                found.append(f"works from {at}")
            elif old == "runs" and new != "runs":
                found.append(f"breaks at {at}")
            elif old == new == "runs":
                moved = [change.what for change in changes({cell: before[cell]}, {cell: cells[cell]})]
                found += [f"{', '.join(moved)} changes at {at}"] if moved else []
        before, between = cells, 0
    return found


def section(results: dict, lines: dict) -> list[str]:
    """The page's "Deployment" section from every release's results (``lines``: the release lines, in order)."""
    from lstm_spec.versions.history_saved_models import grouped
    from lstm_spec.deploy.cell_text import shown_error

    out = ["## Deployment: where a format started to work or broke", ""]
    records = {release: _record(results.get(release)) for members in lines.values() for release in members}
    ran = [release for release, cells in records.items() if cells is not None]
    waiting = [release for release in records if release in results and records[release] is None]
    out += ["Each side installs the deployment runtimes its TensorFlow minor pins (`lstm_spec/deploy/runtimes.py`, "
            "below) and its deploy specs (48-51) record what they observed (`--deployment-record`; "
            "[deployment.md](deployment.md) shows every cell of the deploy environment; a side runs each export path "
            f"on the page's LSTM, `-k \"{SELECTION}\"`). Per line, each format:path and model along the releases, "
            "grouped into runs of one outcome (the difference from the model's outputs, or the step that fails), and "
            "the release at which it started to work or broke.", "",
            f"Sides with a record: {len(ran)} of {len(records)}; {NOT_YET_RUN} ({len(waiting)}, cached before the "
            "history ran the deploy specs: `python3 suite.py history --rerun-without-deployment` runs them): "
            + (", ".join(f"{release.line} {release.release}" for release in waiting) or "none") + ".", ""]
    for name, members in lines.items():
        line = [(release.release, records[release]) for release in members]
        cells = sorted({cell for _, found in line if found for cell in found})
        if not cells:
            continue
        out += [f"### The {name} line", "", "| format:path | model | started to work or broke | along the line |",
                "|---|---|---|---|"]
        for cell in cells:
            shown = [(release.release, _escaped(state(results.get(release), records[release], cell)))
                     for release in members]
            out.append(f"| `{cell.format}:{cell.path}` | `{cell.case}` | {'; '.join(turns(line, cell)) or '—'} "
                       f"| {grouped(shown)} |")
        out.append("")
    refused = [(release, results[release].deployment_runtimes) for release in ran
               if (results[release].deployment_runtimes or {}).get("error")]
    if refused:
        out += ["Sides whose runtimes pip refused (they ran without them): " + "; ".join(
            f"{release.line} {release.release}: {_escaped(shown_error(found['error']))}" for release, found in refused),
            ""]
    sets = runtime_sets.every_set()
    common = set.intersection(*(set(found.pins) for found in sets))
    out += ["The runtime sets, per TensorFlow minor, each resolved beside its side with nothing of the side moved "
            "(`python3 -m lstm_spec.versions.history_deployment --check MINOR`). Every set holds "
            f"{', '.join(sorted(common, key=str.lower))}; beside them:", "",
            "| TensorFlow | pins | why |", "|---|---|---|"]
    for found in sets:
        own = [pin for pin in found.pins if pin not in common]
        out.append(f"| {found.tensorflow} | {', '.join(own) or 'none'} | {_escaped(found.why)} |")
    return out + [""]


def _escaped(text: str) -> str:
    """A table cell of prose already short: pipes and newlines escaped, nothing cut."""
    return text.replace("|", "\\|").replace("\n", " ")


# --check: the same install, dry, beside the side of the tensorflow line that a minor's set goes with.

def _side_packages(side: Side, scratch: Path) -> str:
    """The ``name==version`` lines ``side`` installs: its lock, or pip's dry resolution of its one install."""
    if side.fixed:
        return side.lock.read_text()
    lock = LOCKS["locked"]
    (command, *arguments), = install_plan(side.version, lock.read_text(), str(lock))
    return "".join(f"{name}=={version}\n" for name, version in _dry_run(arguments, scratch / "side.json").items())


def _dry_run(arguments: list[str], report: Path) -> dict[str, str]:
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                             "--report", str(report), *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        from lstm_spec.versions.side_results import pip_reason

        raise RuntimeError(pip_reason(result.stdout + result.stderr) or result.stderr.strip()[-2000:])
    return {item["metadata"]["name"]: item["metadata"]["version"] for item in json.loads(report.read_text())["install"]}


def check(minor: str) -> str:
    """Resolves ``minor``'s set beside its tensorflow-line side, dry: what it adds, or pip's reason it cannot."""
    from lstm_spec.versions.release_lines import LINES
    from lstm_spec.versions.sides import resolve

    found = runtime_sets.for_tensorflow(minor)
    release = next((release for release in LINES["tensorflow"] if runtime_sets.minor_of(release.release) == minor),
                   None)
    if release is None:
        return f"TensorFlow {minor}: no release of the history's tensorflow line"
    if not found.installable:
        return f"TensorFlow {minor}: no set: {found.why}"
    with tempfile.TemporaryDirectory(prefix="runtimes-check-") as scratch:
        packages = _side_packages(resolve(release.name), Path(scratch))
        held = Path(scratch) / "held.txt"
        held.write_text(_constraints(packages))
        try:
            added = _dry_run(["--constraint", str(held), *found.pins], Path(scratch) / "runtimes.json")
        except RuntimeError as error:
            return f"TensorFlow {minor} ({release.name}): pip refuses the set: {error}"
    side = {normalize(line.split("==")[0]): line.split("==")[1].strip()
            for line in packages.splitlines() if "==" in line}
    moved = sorted(f"{name} {side[normalize(name)]} -> {version}" for name, version in added.items()
                   if normalize(name) in side and side[normalize(name)] != version)
    new = sorted(f"{name}=={version}" for name, version in added.items() if normalize(name) not in side)
    pinned = {normalize(pin.split("==")[0]): pin for pin in found.pins}
    unpinned = [pin for pin in new if normalize(pin.split("==")[0]) not in pinned]
    return (f"TensorFlow {minor} ({release.name}): adds {', '.join(new)}; moves "
            f"{', '.join(moved) or 'nothing'}; not pinned in the set: {', '.join(unpinned) or 'none'}")


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "--check":
        print("usage: python3 -m lstm_spec.versions.history_deployment --check MINOR [MINOR ...] (e.g. 2.15 2.21)",
              file=sys.stderr)
        return 2
    for minor in argv[1:]:
        print(check(minor), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

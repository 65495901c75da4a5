"""The history's cache: each side's results kept by the exact set of packages it ran on.

    CACHE/runs/<packages key>/      one side's results: meta.json, collected/, tree/specs/ (the specs and
                                    the snapshots they wrote), nox.log; a results folder CI uploads
    CACHE/asked/<request key>       the packages key that what a side asks for last resolved to

A side is asked for by its install plan (what pip is told: its lock, or its requirements with the tools'
pins) and the suite that runs it (the spec files and the code that runs inside the environment:
``fingerprint``); the entry it left is kept under the exact packages it then had installed (``pip
freeze``).  A later run that asks the same is answered from the entry without installing anything;
anything new (another release, a changed lock, a changed spec) is run.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from lstm_spec.versions.pins import install_plan
from lstm_spec.versions.release_lines import Release
from lstm_spec.versions.side_results import SideResult, read_side
from lstm_spec.versions.sides import LOCKS, ROOT, Side

# What runs inside a side's environment, so what its results depend on beside its packages.
# (lstm_spec/bench: the modules the benchmark specs import; speed's own modules run outside.)
# tests/test_history.py checks that it holds every lstm_spec module the specs and conftest.py import.
SUITE_PARTS = ("specs", "lstm_spec/__init__.py", "lstm_spec/models", "lstm_spec/checks", "lstm_spec/living_docs",
               "lstm_spec/pytorch", "lstm_spec/saving", "lstm_spec/deploy", "lstm_spec/own_model",
               "lstm_spec/bench/__init__.py", "lstm_spec/bench/benchmarking.py", "lstm_spec/bench/instrument.py",
               "lstm_spec/bench/turns.py", "lstm_spec/bench/backend_speed.py", "lstm_spec/versions/dependencies.py",
               "lstm_spec/versions/pins.py", "lstm_spec/versions/sides.py",
               "noxfile.py", "conftest.py", "pytest.ini", "pyproject.toml")
NOT_HASHED = ("__snapshots__", "__pycache__")  # written by every run afresh; bytecode


def fingerprint(root: Path = ROOT) -> str:
    """A hash of the suite's files that run inside an environment (snapshots left out: each run writes its own)."""
    digest = hashlib.sha256()
    for part in SUITE_PARTS:
        path = root / part
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []
        for file in files:
            if not set(file.relative_to(root).parts) & set(NOT_HASHED):
                digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def request_key(side: Side, suite: str, root: Path = ROOT, reads: dict | None = None,
                deployment: tuple[str, ...] = ()) -> str:
    """What a side asks for: its session, environment (with ``reads``, what the run sets beside it), install plan
    (or lock), the suite's fingerprint and what its ``deployment`` adds (runtimes, cases; none: the key a side had
    before the history ran the deploy specs, so entries cached then still answer)."""
    lock = LOCKS["locked"]
    if side.fixed:
        plan = [[side.lock.name, side.lock.read_text() if side.lock.exists() else "(missing)"]]
    else:
        plan = install_plan(side.version, lock.read_text(), str(lock.relative_to(root)))
    asked = json.dumps([side.session, list(side.environment), plan, suite, _lock_text(side, lock)]
                       + ([sorted(reads.items())] if reads else [])
                       + ([["deployment", list(deployment)]] if deployment else []), sort_keys=True)
    return hashlib.sha256(asked.encode()).hexdigest()[:16]


def _lock_text(side: Side, lock: Path) -> str:
    """The locked default's text, for a side installed on top of it (a Keras release, keras-nightly)."""
    return "" if side.fixed or not side.version or side.version.startswith("tensorflow") else lock.read_text()


def packages_key(packages: str) -> str:
    """The key of an exact set of installed packages (``pip freeze``, order and case aside)."""
    lines = sorted(line.strip().lower() for line in packages.splitlines() if "==" in line)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


@dataclass
class Entry:
    """One side's results in the cache, and what it was."""

    folder: Path
    meta: dict

    @property
    def release(self) -> Release:
        return Release(self.meta["line"], self.meta["release"], self.meta["name"])

    def read(self) -> SideResult:
        result = read_side(self.meta["name"], self.meta["session"], self.folder / "tree", self.folder / "collected",
                           self.folder / "nox.log")
        return result


class HistoryCache:
    """The cache folder: entries by packages, and what each request last resolved to."""

    def __init__(self, folder: Path):
        self.folder = folder

    def lookup(self, request: str) -> Entry | None:
        asked = self.folder / "asked" / request
        if not asked.exists():
            return None
        entry = self.folder / "runs" / asked.read_text().strip()
        return read_entry(entry) if (entry / "meta.json").exists() else None

    def store(self, workdir: Path, release: Release, side: Side, request: str, seconds: float, *,
              answers: bool = True) -> Entry:
        """Copies a side's results from its scratch folder into the cache; returns the entry.  With ``answers``
        false (a run that ended before pytest wrote its results) the entry is kept but answers no later request."""
        collected = workdir / "collected"
        frozen = collected / "packages.txt"
        key = packages_key(frozen.read_text()) if frozen.exists() else f"unrun-{request}"
        entry = self.folder / "runs" / key
        shutil.rmtree(entry, ignore_errors=True)
        entry.mkdir(parents=True)
        if collected.exists():
            shutil.copytree(collected, entry / "collected")
        if (workdir / "tree" / "specs").exists():
            shutil.copytree(workdir / "tree" / "specs", entry / "tree" / "specs",
                            ignore=shutil.ignore_patterns("__pycache__", "benchmarks"))
        if (workdir / "nox.log").exists():
            shutil.copy(workdir / "nox.log", entry / "nox.log")
        meta = {"line": release.line, "release": release.release, "name": release.name, "session": side.session,
                "environment": dict(side.environment), "request": request, "packages": key, "seconds": round(seconds)}
        (entry / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
        if answers:
            (self.folder / "asked").mkdir(parents=True, exist_ok=True)
            (self.folder / "asked" / request).write_text(key + "\n")
        return Entry(entry, meta)

    def entries(self) -> list[Entry]:
        folders = sorted((self.folder / "runs").glob("*"))
        return [read_entry(folder) for folder in folders if (folder / "meta.json").exists()]


def read_entry(folder: Path) -> Entry:
    return Entry(folder, json.loads((folder / "meta.json").read_text()))

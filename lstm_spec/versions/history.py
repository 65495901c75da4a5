"""The suite on each release, and where each behaviour changed: ``python3 suite.py history [SIDES...]``.

    python3 suite.py history                       every release of the default lines (release_lines.py)
    python3 suite.py history tensorflow keras:3.4.1   a line, a release of a line (line:release)
    python3 suite.py history --list                the sides it would run, and which are cached
    python3 suite.py history keras:3.0.5 --cache out/     one side into a folder of its own (a CI job)
    python3 suite.py history --from out1 out2 ...  the page from results folders (the CI merge), nothing run

Each side runs as ``report`` runs one (``lstm_spec.versions.side_run``: its environment, the specs with
every value written, JUnit, layer defaults), one after the other (``--jobs N``: N at a time), and each
reads the committed saved-model files (``READS_SAVED``) and installs the deployment runtimes its TensorFlow pins
(``history_deployment``: specs 48-51 record what they observed); its results go into the cache
(``history_cache``), keyed by the exact packages it ran on; a side whose request is in the cache is not
run again.  Each side's environment is removed after its run unless ``--keep``.  Stopped (Ctrl-C), it
keeps what finished; run it again to resume.  The page (``docs/history.md`` unless ``--page``) is
written from every cached side of the default lines (``history_page``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from lstm_spec.versions import history_deployment, release_lines
from lstm_spec.versions.history_cache import Entry, HistoryCache, fingerprint, read_entry, request_key
from lstm_spec.versions.history_page import render
from lstm_spec.versions.pins import VersionSpecError
from lstm_spec.versions.release_lines import Release
from lstm_spec.versions.side_run import NOT_COPIED, run_side
from lstm_spec.versions.sides import ROOT, Side, resolve

CACHE = ROOT / ".history"
PAGE = ROOT / "docs" / "history.md"
# Each side also reads every committed writer's saved files (specs/saved_models, relative to the side's copy of
# the checkout) for the page's saved-model matrix: the saved-model exchange of the noxfile's sessions.
READS_SAVED = {"LSTM_SPEC_READ_SAVED": "specs/saved_models"}


def chosen(parser: argparse.ArgumentParser, handles: list[str]) -> list[tuple[Release, Side]]:
    """The releases the handles name (the default lines without any), each resolved once; a handle that
    names none is refused, saying what a handle is."""
    releases = []
    for handle in handles:
        found = release_lines.find(handle)
        if not found:
            parser.error(f"{handle!r} names no release of the history: name a line ({', '.join(release_lines.LINES)}),"
                         " a line's release (keras:3.4.1, tf-keras:2.16.0) or a release (2.13.1); --list shows them")
        releases += [release for release in found if release not in releases]
    releases = releases or list(release_lines.DEFAULT)
    try:
        return [(release, resolve(release.name)) for release in releases]
    except VersionSpecError as error:
        parser.error(str(error))


def _asked(side: Side, suite: str, *, deployment: bool = True) -> str:
    """A history side's request: its own, with the saved-model reads every history side makes and the deployment
    runtimes its TensorFlow pins (``deployment=False``: the request as it was before the history added them)."""
    if not deployment:
        return request_key(side, suite, reads=READS_SAVED)
    found = history_deployment.runtimes_of(side)
    return request_key(history_deployment.with_runtimes(side, found), suite, reads=READS_SAVED,
                       deployment=history_deployment.requested(found))


def _cached(cache: HistoryCache, side: Side, suite: str, *, rerun_without_deployment: bool = False) -> Entry | None:
    """A side's entry: the one run with its runtimes, else (unless ``rerun_without_deployment``) one cached before the
    history added runtimes, which the page shows as "not yet run" for deployment."""
    found = cache.lookup(_asked(side, suite))
    if found is None and not rerun_without_deployment:
        found = cache.lookup(_asked(side, suite, deployment=False))
    return found


def run(sides: list[tuple[Release, Side]], cache: HistoryCache, *, keep: Path | None, jobs: int = 1,
        log=sys.stderr, clock=time.monotonic, source: Path = ROOT,
        rerun_without_deployment: bool = False) -> list[Entry]:
    """Runs each side not in the cache, ``jobs`` at a time, saying which, how many are left and the time so
    far; returns every side's entry.  A stop (KeyboardInterrupt) keeps the finished sides and is raised on."""
    suite = fingerprint()
    requests = [_asked(side, suite) for _, side in sides]
    entries = [_cached(cache, side, suite, rerun_without_deployment=rerun_without_deployment) for _, side in sides]
    todo = [index for index, entry in enumerate(entries) if entry is None]
    print(f"history: {len(sides)} sides, {len(sides) - len(todo)} in the cache ({cache.folder}), {len(todo)} to run",
          file=log, flush=True)
    if not todo:
        return entries
    scratch = keep or Path(tempfile.mkdtemp(prefix="lstm-spec-history-"))
    started = clock()
    checkout = scratch / "checkout"  # one copy serves every side: they run the same specs
    stopped = threading.Event()  # a stop starts no further side, whichever job it came in

    def one(done: int, index: int) -> None:
        if stopped.is_set():
            return
        release, side = sides[index]
        print(f"history: [{done + 1}/{len(todo)}] {release.line} {release.release} ({len(todo) - done - 1} left "
              f"after it; {_minutes(clock() - started)} so far)", file=log, flush=True)
        workdir = scratch / f"{done + 1:02d}-{release.line}-{release.release}"
        workdir.mkdir(parents=True)
        began = clock()
        found = history_deployment.runtimes_of(side)
        side = history_deployment.with_runtimes(side, found)  # locked -> deploy: the set in its lock
        try:
            result = run_side(side, workdir, source=checkout, log=log, command="history", environment=READS_SAVED,
                              runtimes=found)
        except BaseException:
            stopped.set()
            raise
        # A run that ended before pytest wrote its results (stopped, killed, crashed) is run again next time.
        entries[index] = cache.store(workdir, release, side, requests[index], clock() - began,
                                     answers=not result.run_error)
        outcome = "ran" if result.usable else "could not run"
        print(f"history: {release.line} {release.release} {outcome} in {_minutes(clock() - began)}",
              file=log, flush=True)
        if not keep:
            remove_in_background(workdir)

    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="history-side")
    try:
        shutil.copytree(source, checkout, ignore=NOT_COPIED)
        for future in as_completed([pool.submit(one, done, index) for done, index in enumerate(todo)]):
            future.result()
    except KeyboardInterrupt:
        stopped.set()
        pool.shutdown(wait=True, cancel_futures=True)
        finished = sum(entry is not None for entry in entries)
        print(f"history: stopped; {finished} of {len(sides)} sides are in the cache: run the same command again "
              "to resume", file=log, flush=True)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if not keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return entries


def remove_in_background(folder: Path) -> None:
    """Removes a side's scratch folder while the next side runs: its environment, ~2 GB of small files for a
    TensorFlow, took 3.5 min to delete on the shared 2-core machine, as long as half a side's run."""
    subprocess.Popen(["rm", "-rf", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)


def merged(folders: list[Path]) -> list[Entry]:
    """Every entry of the results folders (each a cache folder, or one of its ``runs/`` entries)."""
    entries = []
    for folder in folders:
        if (folder / "meta.json").exists():
            entries.append(read_entry(folder))
        else:
            entries += HistoryCache(folder).entries()
    return entries


def write_page(entries: list[Entry], page: Path, command: str) -> Path:
    """The page from the entries of the default lines' releases (the latest entry of each release)."""
    latest = {entry.release: entry for entry in sorted(entries, key=lambda entry: entry.folder.stat().st_mtime)}
    known = [release for release in release_lines.DEFAULT if release in latest]
    results = {release: latest[release].read() for release in known}
    seconds = {release: latest[release].meta["seconds"] for release in known}
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(render(results, command, seconds, picture=page.with_suffix(".png")))
    return page


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python3 suite.py history", description=__doc__.split("\n\n")[0])
    parser.add_argument("sides", nargs="*", help="lines (tensorflow, keras, tf-keras, keras-nightly), line:release "
                        "(keras:3.4.1) or releases (2.13.1); default: every release of every line")
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"the results folder (default {CACHE})")
    parser.add_argument("--keep", type=Path, help="keep each side's scratch copy and environment in this folder")
    parser.add_argument("--from", dest="sources", type=Path, nargs="+", metavar="DIR",
                        help="write the page from these results folders (CI jobs' uploads) without running anything")
    parser.add_argument("--page", type=Path, default=PAGE, help=f"the page to write (default {PAGE.relative_to(ROOT)})")
    parser.add_argument("--no-page", action="store_true", help="run the sides only (a CI job)")
    parser.add_argument("--list", action="store_true", help="list the sides and whether each is cached; run nothing")
    parser.add_argument("--rerun-without-deployment", action="store_true",
                        help="run again the cached sides that ran before the history installed the deployment "
                             "runtimes (the page's Deployment section says 'not yet run' for them)")
    parser.add_argument("--jobs", type=_jobs, default=1, metavar="N",
                        help="run N sides at a time (default 1; 2 on a 2-core machine: a side's install waits on "
                             "the network and the disk while the other's specs run)")
    arguments = parser.parse_args(argv)
    if arguments.keep and arguments.keep.exists() and any(arguments.keep.iterdir()):
        parser.error(f"--keep {arguments.keep}: the folder is not empty; name a new or empty one")
    if arguments.sources:
        missing = [str(folder) for folder in arguments.sources if not folder.is_dir()]
        if missing:
            parser.error(f"--from: no such folder: {', '.join(missing)}")
        entries = merged(arguments.sources)
        if not entries:
            parser.error(f"--from: no results in {', '.join(map(str, arguments.sources))} (each folder is a "
                         "--cache folder of history, or one of its runs/ entries)")
        written = write_page(entries, arguments.page, "python3 suite.py history")  # the page a local run writes
        print(f"history: {len(entries)} results merged; page written to {written}")
        return 0
    sides = chosen(parser, arguments.sides)
    cache = HistoryCache(arguments.cache)
    if arguments.list:
        suite = fingerprint()
        for release, side in sides:
            earlier = cache.lookup(_asked(side, suite, deployment=False))
            cached = ("cached" if cache.lookup(_asked(side, suite)) else
                      "cached, deployment not yet run" if earlier else "to run")
            session = history_deployment.with_runtimes(side, history_deployment.runtimes_of(side)).session
            print(f"{release.line:<14} {release.release:<9} {cached:<7} {side.name} (nox session {session})")
        return 0
    try:
        run(sides, cache, keep=arguments.keep, jobs=arguments.jobs,
            rerun_without_deployment=arguments.rerun_without_deployment)
    except KeyboardInterrupt:
        return 130
    if not arguments.no_page:
        written = write_page(cache.entries(), arguments.page, "python3 suite.py history")
        print(f"history: page written to {written}")
    return 0


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of sides to run at a time: give 1 or more (--jobs 2)")
    return int(text)


def _minutes(seconds: float) -> str:
    return f"{int(seconds) // 60} min {int(seconds) % 60:02d} s"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

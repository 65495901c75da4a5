import subprocess
import tempfile
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

# The fresh processes the session started (their command function: the process, its folder, its result once read).
_STARTED = pytest.StashKey[dict]()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "starts_early(command): the test reads the fresh process command(folder) describes (Popen's "
                   "arguments); it starts as soon as the tests are collected and runs beside the tests before it "
                   "(mark with pytest.mark.starts_early.with_args(command): a lone function is taken for the test)")


def pytest_collection_finish(session):
    # A fresh process spends ~3 s importing TensorFlow: started now, that overlaps the specs and tests before its
    # test.  xdist workers collect every test but run only some: there a process starts when its test asks.
    if hasattr(session.config, "workerinput"):
        return
    for item in session.items:
        for marker in item.iter_markers("starts_early"):
            _start(session.config, marker.args[0])


def _start(config, command) -> dict:
    started = config.stash.setdefault(_STARTED, {})
    if command not in started:
        folder = tempfile.TemporaryDirectory(prefix="lstm-spec-tests-")
        path = Path(folder.name)
        # Output to files, not pipes: a process nobody reads yet must not stop at a full pipe.
        with open(path / "stdout", "w") as stdout, open(path / "stderr", "w") as stderr:
            process = subprocess.Popen(**command(path), stdout=stdout, stderr=stderr, text=True)
        started[command] = {"process": process, "folder": folder, "finished": None}
    return started[command]


@pytest.fixture(scope="session")
def fresh_process(request):
    """``fresh_process(command)``: the finished run (``subprocess.CompletedProcess``, output as text) of the
    process that ``command(folder)`` describes, started at collection's end for a test marked
    ``starts_early(command)``, else now; one run per session, whichever tests read it."""

    def finished(command, timeout: float = 300) -> subprocess.CompletedProcess:
        started = _start(request.config, command)
        if started["finished"] is None:
            process, path = started["process"], Path(started["folder"].name)
            process.wait(timeout=timeout)
            started["finished"] = subprocess.CompletedProcess(
                process.args, process.returncode, (path / "stdout").read_text(), (path / "stderr").read_text())
        return started["finished"]

    return finished


def pytest_sessionfinish(session):
    for started in session.config.stash.get(_STARTED, {}).values():  # read or not (-x, Ctrl-C)
        if started["process"].poll() is None:
            started["process"].kill()
            started["process"].wait()
        started["folder"].cleanup()


@pytest.fixture(scope="module")
def recorded_once():
    """``recorded_once(pytester, record)``: the snapshot files (under ``__snapshots__``) that ``record()`` writes in
    pytester's folder, recorded by the module's first test and written as the same bytes for the others (a recording
    is a whole pytest run; every test of the module starts from the same one)."""
    kept: dict[Path, bytes] = {}

    def files(pytester, record) -> list[Path]:
        folder = pytester.path / "__snapshots__"
        if not kept:
            record()
            kept.update({path.relative_to(pytester.path): path.read_bytes()
                         for path in sorted(folder.rglob("*")) if path.is_file()})
        else:
            for relative, data in kept.items():
                (pytester.path / relative).parent.mkdir(parents=True, exist_ok=True)
                (pytester.path / relative).write_bytes(data)
        return [pytester.path / relative for relative in kept]

    return files


@pytest.fixture(scope="session")
def noxfile():
    """The checkout's noxfile.py as a module, loaded once (nox registers each session as the file runs)."""
    import importlib.util

    pytest.importorskip("nox", reason="the noxfile imports nox, which this environment's lock lacks")
    path = Path(__file__).resolve().parents[1] / "noxfile.py"
    spec = importlib.util.spec_from_file_location("noxfile_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

"""``--snapshot-update`` deletes unused snapshots only after a complete, unfiltered run that passed.

Two small spec modules record their snapshots, plus one entry each from a spec that then goes away
(an orphan: the only entry a complete run may delete).  Each way of running only part of them, or
of not finishing, must leave every file byte for byte as it was, except the entries the run
checked and found moved; and the run says why it kept what it kept.
"""

import re
import textwrap
from pathlib import Path

import pytest
from syrupy.extensions.amber.serializer import AmberDataSerializer

SPEC = """
import os

import numpy as np
import pytest

SHIFT = float(os.environ.get("SHIFT", "0"))  # SHIFT=1 moves every value: a checked entry then moves


@pytest.mark.parametrize("units", [1, 2], ids=lambda units: f"units={units}")
def test_values(snapshot, units):
    if os.environ.get("FAIL") == __name__:
        assert False, "this spec fails"
    if os.environ.get("INTERRUPT") == __name__:
        raise KeyboardInterrupt
    assert snapshot == {"output": np.arange(units, dtype=np.float32) + SHIFT}


@pytest.mark.slow
def test_text(snapshot):
    assert snapshot == f"text {SHIFT}"


if os.environ.get("ORPHAN"):  # recorded once, then gone: its entry is unused
    def test_orphan(snapshot):
        assert snapshot == "orphan"
"""
MODULES = ("test_a", "test_b")
OPTIONS = ("-p", "no:cacheprovider", "-p", "lstm_spec.checks.snapshot_cleanup",
           "--snapshot-default-extension", "lstm_spec.checks.snapshot.PinnedArraySnapshotExtension")
UPDATE = (*OPTIONS, "--snapshot-update")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def recorded(pytester, monkeypatch, recorded_once):
    """Both modules recorded with an orphan entry each; returns the files' bytes as recorded."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # for -n 2's workers
    # Under -n 2 this test runs in an xdist worker: syrupy would take the runs below for workers too
    # (it reads PYTEST_XDIST_WORKER) and leave deleting to a controller that does not exist.
    for variable in ("SHIFT", "FAIL", "INTERRUPT", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT",
                     "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(variable, raising=False)
    pytester.makeini("[pytest]\nmarkers =\n    slow: a marker to select by\n")
    pytester.makepyfile(**{module: textwrap.dedent(SPEC) for module in MODULES})

    def record():
        monkeypatch.setenv("ORPHAN", "1")
        pytester.runpytest(*UPDATE).assert_outcomes(passed=8)
        monkeypatch.delenv("ORPHAN")

    recorded_once(pytester, record)
    files = snapshot_files(pytester)
    assert 2 == len(files)
    assert all("test_orphan" in entries(path) for path in files)
    return {path: path.read_bytes() for path in files}


def snapshot_files(pytester) -> list[Path]:
    return sorted((pytester.path / "__snapshots__").rglob("*.ambr"))


def entries(path: Path) -> dict[str, str]:
    return {snapshot.name: snapshot.data for snapshot in AmberDataSerializer.read_file(str(path))}


def changed_entries(before: dict[Path, bytes], pytester) -> dict[str, set[str]]:
    """Per module, the names of entries that differ from the recording (deleted ones included)."""
    changed = {}
    for path, recorded_bytes in before.items():
        now = entries(path) if path.exists() else {}
        old = _entries_of_bytes(recorded_bytes, pytester)
        names = {name for name in old.keys() | now.keys() if old.get(name) != now.get(name)}
        if not names:
            assert recorded_bytes == path.read_bytes(), f"{path.name} changed although no entry did"
        changed[path.stem] = names
    return changed


def _entries_of_bytes(data: bytes, pytester) -> dict[str, str]:
    copy = pytester.path / "recorded.ambr"
    copy.write_bytes(data)
    try:
        return entries(copy)
    finally:
        copy.unlink()


def syrupy_deleted(output: str) -> bool:
    """Whether syrupy's report says it deleted snapshots ("2 unused snapshots deleted", "Deleted test_x")."""
    return bool(re.search(r"unused snapshots? deleted|Deleted ", output))


def test_complete_passing_update_deletes_only_the_orphans(pytester, recorded, monkeypatch):
    """A complete, unfiltered run that passes deletes the unused entries and nothing else (the control)."""
    result = pytester.runpytest(*UPDATE)
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(["*2 unused snapshots deleted*"])
    assert {"test_a": {"test_orphan"}, "test_b": {"test_orphan"}} == changed_entries(recorded, pytester)


@pytest.mark.parametrize(
    "arguments, passed, reason",
    [
        (("-k", "units"), 4, "was filtered by -k 'units'"),
        (("-m", "slow"), 2, "was filtered by -m 'slow'"),
        (("test_a.py",), 3, "ran only test_a.py"),
        (("test_a.py::test_text", "test_b.py"), 4, "ran only test_a.py::test_text, test_b.py"),
        (("--deselect", "test_b.py::test_text"), 5, "was filtered by --deselect 'test_b.py::test_text'"),
    ],
    ids=["-k", "-m", "file", "node-id", "--deselect"],
)
def test_filtered_update_keeps_unused_entries(pytester, recorded, monkeypatch, arguments, passed, reason):
    """A filtered run writes the entries it checked and moved, deletes nothing, and says why."""
    monkeypatch.setenv("SHIFT", "1")
    result = pytester.runpytest(*UPDATE, *arguments)
    result.assert_outcomes(passed=passed)
    result.stdout.fnmatch_lines([f"Unused snapshots: none looked for, none deleted, because this run {reason}. "
                                 "Only a complete, unfiltered run that passes deletes them: "
                                 "python3 suite.py test --snapshot-update"])
    assert not syrupy_deleted(result.stdout.str())
    changed = changed_entries(recorded, pytester)
    assert not any("test_orphan" in names for names in changed.values())
    assert passed == sum(map(len, changed.values()))  # every spec that ran moved its entry, no other


def test_rejected_keyword_expression_changes_nothing(pytester, recorded):
    """``-k "units=5"``, which pytest 9 rejects, leaves every file byte for byte as it was."""
    result = pytester.runpytest(*UPDATE, "-k", "units=5")
    assert pytest.ExitCode.USAGE_ERROR == result.ret
    assert {"test_a": set(), "test_b": set()} == changed_entries(recorded, pytester)
    assert not syrupy_deleted(result.stdout.str())


def test_failing_spec_stops_cleanup(pytester, recorded, monkeypatch):
    """With a failing spec the run writes what moved, deletes nothing, and names the failure as the reason."""
    monkeypatch.setenv("SHIFT", "1")
    monkeypatch.setenv("FAIL", "test_b")
    result = pytester.runpytest(*UPDATE)
    result.assert_outcomes(passed=4, failed=2)
    result.stdout.fnmatch_lines(["*Unused snapshots: none looked for, none deleted, because this run had 2 failing specs.*"])
    changed = changed_entries(recorded, pytester)
    assert {"test_a": {"test_values[units=1]", "test_values[units=2]", "test_text"},
            "test_b": {"test_text"}} == changed


def test_stop_at_first_failure_deletes_nothing(pytester, recorded, monkeypatch):
    """``-x`` after a failure: the specs that ran wrote their moved entries, the rest is untouched."""
    monkeypatch.setenv("SHIFT", "1")
    monkeypatch.setenv("FAIL", "test_b")
    result = pytester.runpytest(*UPDATE, "-x")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*none looked for, none deleted, because this run had 1 failing spec and stopped early.*"])
    assert {"test_a": {"test_values[units=1]", "test_values[units=2]", "test_text"},
            "test_b": set()} == changed_entries(recorded, pytester)


def test_interrupted_run_deletes_nothing(pytester, recorded, monkeypatch):
    """Ctrl-C (a KeyboardInterrupt in a spec) ends the run without deleting anything."""
    monkeypatch.setenv("INTERRUPT", "test_a")
    result = pytester.runpytest_inprocess(*UPDATE, no_reraise_ctrlc=True)  # the interrupt stays in that run
    assert pytest.ExitCode.INTERRUPTED == result.ret
    result.stdout.fnmatch_lines(["*none looked for, none deleted, because this run was interrupted.*"])
    assert {"test_a": set(), "test_b": set()} == changed_entries(recorded, pytester)


@pytest.mark.parametrize(
    "environment, arguments, expected, message",
    [
        ({"FAIL": "test_b", "SHIFT": "1"}, (), {"test_a": {"test_values[units=1]", "test_values[units=2]", "test_text"},
                                                 "test_b": {"test_text"}}, "*none deleted*because this run had 2 failing specs*"),
        ({}, (), {"test_a": {"test_orphan"}, "test_b": {"test_orphan"}}, "*2 unused snapshots deleted*"),
    ],
    ids=["failing-spec", "complete"],
)
def test_two_processes_follow_the_same_rule(pytester, recorded, monkeypatch, environment, arguments, expected, message):
    """With ``-n 2`` the controller applies the same rule: only a complete, passing run deletes."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    result = pytester.runpytest_inprocess(*UPDATE, "-n", "2", *arguments)
    result.stdout.fnmatch_lines([message])
    assert expected == changed_entries(recorded, pytester)


def test_collect_only_reports_no_unused_snapshots(pytester, recorded):
    """``--collect-only`` ran no assertion, so it says nothing about unused snapshots and succeeds."""
    result = pytester.runpytest(*OPTIONS, "--collect-only")
    assert pytest.ExitCode.OK == result.ret
    output = result.stdout.str()
    assert not re.search(r"snapshots? unused", output)
    assert "--snapshot-disable-unused" not in output
    assert {"test_a": set(), "test_b": set()} == changed_entries(recorded, pytester)


def test_partial_check_run_reports_no_unused_snapshots(pytester, recorded):
    """Without ``--snapshot-update`` a run of one file or node id does not count its specs' other entries as unused."""
    for arguments in (("test_a.py",), ("test_a.py::test_values[units=1]",), ("-m", "slow")):
        result = pytester.runpytest(*OPTIONS, *arguments)
        assert pytest.ExitCode.OK == result.ret, arguments
        assert not re.search(r"snapshots? unused", result.stdout.str()), arguments

"""The array snapshot extension inside a real pytest run: every failure mode, and its messages.

Each test writes a tiny spec that snapshots an array, records it with ``--snapshot-update``,
then changes the value (or the stored file) and runs again.
"""

import textwrap

import pytest

from lstm_spec.models.backend import SEEDED_FOLDER, for_this_backend

SPEC = """
import numpy as np
from lstm_spec.checks.snapshot import ArraySnapshotExtension

def test_values(snapshot):
    value = np.arange(6, dtype=np.float32).reshape(2, 3) / 7
    {change}
    assert snapshot == {{"output": value}}
"""


# As in pytest.ini and conftest.py: the extension is syrupy's default, so no amber extension runs
# beside it, and a partial or failing run does not look for unused snapshots.
OPTIONS = ("-p", "no:cacheprovider", "-p", "lstm_spec.checks.snapshot_cleanup",
           "--snapshot-default-extension", "lstm_spec.checks.snapshot.ArraySnapshotExtension")


def write_spec(pytester, change: str = "") -> None:
    pytester.makepyfile(test_spec=textwrap.dedent(SPEC.format(change=change)))


@pytest.fixture
def recorded(pytester):
    """A spec whose snapshot has been recorded; returns the snapshot file."""
    write_spec(pytester)
    pytester.runpytest(*OPTIONS, "--snapshot-update").assert_outcomes(passed=1)
    (stored,) = (pytester.path / "__snapshots__").rglob("*.ambr")
    return stored


def rerun(pytester, change: str = ""):
    write_spec(pytester, change)
    return pytester.runpytest(*OPTIONS)


def test_recorded_file_is_readable_text(recorded):
    """The stored entry names the spec and holds a header and the values as NumPy prints them."""
    text = recorded.read_text()
    assert "# name: test_values\n" in text
    assert "  output: shape=(2, 3) dtype=float32\n  [[ 0.00000000e+00  1.42857149e-01" in text
    assert for_this_backend(SEEDED_FOLDER) == recorded.parent.name


def test_unchanged_value_passes(pytester, recorded):
    """The same value matches its snapshot."""
    rerun(pytester).assert_outcomes(passed=1)


def test_change_inside_tolerance_passes(pytester, recorded):
    """A relative change of 1e-7 is float32 noise and matches."""
    rerun(pytester, "value = value * np.float32(1 + 1e-7)").assert_outcomes(passed=1)


def test_changed_value_fails_with_a_difference_table(pytester, recorded):
    """A changed element fails; the message counts it and gives index, snapshot, actual and difference."""
    result = rerun(pytester, "value[1, 2] += 0.5")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*Values differ from snapshot 'test_values' in *test_spec.ambr (rtol=1e-05, atol=1e-06):*",
        "*output: 1 of 6 elements differ*largest absolute difference 0.5*",
        "*(1, 2)*0.71428573*1.2142857*0.5*",
    ])


def test_changed_shape_fails(pytester, recorded):
    """A different shape fails, naming both shapes."""
    result = rerun(pytester, "value = value[:, :2]")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*output: shape is (2, 2), snapshot has (2, 3)*"])


def test_changed_dtype_fails(pytester, recorded):
    """A different dtype fails even when the values are equal."""
    result = rerun(pytester, "value = value.astype(np.float64)")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*output: dtype is float64, snapshot has float32*"])


def test_update_keeps_values_within_tolerance(pytester, recorded):
    """``--snapshot-update`` leaves a within-tolerance snapshot byte for byte as it was."""
    before = recorded.read_text()
    write_spec(pytester, "value = value * np.float32(1 + 1e-7)")
    pytester.runpytest(*OPTIONS, "--snapshot-update").assert_outcomes(passed=1)
    assert before == recorded.read_text()


def test_tolerance_can_be_set_per_assertion(pytester, recorded):
    """``with_tolerance`` widens the tolerance of one assertion."""
    pytester.makepyfile(test_spec=textwrap.dedent(SPEC.format(change="value = value + 1e-3")).replace(
        "assert snapshot ==", "assert snapshot(extension_class=ArraySnapshotExtension.with_tolerance(atol=1e-2)) =="
    ))
    pytester.runpytest(*OPTIONS).assert_outcomes(passed=1)


GARBLED = {
    "bad-number": (lambda data: data.replace(b"1.42857149e-01", b"1.4x857149e-01"), "a value is not a float32 number"),
    "wrong-count": (lambda data: data.replace(b"shape=(2, 3)", b"shape=(2, 4)"), "needs 8 values, the text has 6"),
    "text-before-header": (lambda data: b"this is not a snapshot\n" + data,
                           "its first line must be the header '# serializer version: 1', not 'this is not a snapshot'"),
    "not-utf-8": (lambda data: b"garbage\x00\xff\n", "it is not UTF-8 text (byte 0xff at offset 8)"),
    "truncated": (lambda data: data[:data.rindex(b"# ---")], "it is truncated: its last entry (test_values) has no closing '# ---' line"),
    "no-header": (lambda data: data.split(b"\n", 1)[1], "its first line must be the header '# serializer version: 1', not '# name: test_values'"),
    "other-version": (lambda data: data.replace(b"# serializer version: 1", b"# serializer version: 7"),
                      "its header is '# serializer version: 7', but this suite reads and writes '# serializer version: 1'"),
}
OTHER_FAILURE = """
def test_other():
    assert 1 == 2, "another spec's failure"
"""


@pytest.mark.parametrize("garble, reason", GARBLED.values(), ids=GARBLED.keys())
def test_garbled_file_fails_naming_the_file(pytester, recorded, garble, reason):
    """A snapshot file edited into garbage fails its spec with one paragraph naming the file, what is
    wrong and the fix; the run goes on and every other failure is reported as usual."""
    recorded.write_bytes(garble(recorded.read_bytes()))
    pytester.makepyfile(test_other=OTHER_FAILURE)
    result = rerun(pytester)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        f"*Cannot read snapshot 'test_values' in *test_spec.ambr: *{reason}*. Fix: restore the file from git "
        "(git checkout -- *test_spec.ambr), or review the values and rewrite it with --snapshot-update*",
    ])
    result.stdout.fnmatch_lines(["*another spec's failure*"])
    assert "Traceback" not in result.stdout.str()
    assert "INTERNALERROR" not in result.stdout.str()
    assert "unused" not in result.stdout.str()


@pytest.mark.parametrize("garble", [GARBLED["not-utf-8"][0], GARBLED["truncated"][0], GARBLED["other-version"][0]],
                         ids=["not-utf-8", "truncated", "other-version"])
def test_update_rewrites_a_garbled_file_whole(pytester, recorded, garble):
    """``--snapshot-update`` turns a garbled file back into the whole file the spec records."""
    before = recorded.read_bytes()
    recorded.write_bytes(garble(before))
    write_spec(pytester)
    pytester.runpytest(*OPTIONS, "--snapshot-update").assert_outcomes(passed=1)
    assert before == recorded.read_bytes()
    rerun(pytester).assert_outcomes(passed=1)


def test_text_snapshots_compare_exactly(pytester):
    """A string is stored as it is, and any change to it fails with a line diff."""
    spec = textwrap.dedent(SPEC.format(change="")).replace('{"output": value}', "TEXT")
    pytester.makepyfile(test_spec=spec.replace("import numpy as np", "import numpy as np\nTEXT = 'Total params: 174'"))
    pytester.runpytest(*OPTIONS, "--snapshot-update").assert_outcomes(passed=1)
    pytester.makepyfile(test_spec=spec.replace("import numpy as np", "import numpy as np\nTEXT = 'Total params: 175'"))
    result = pytester.runpytest(*OPTIONS)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Text differs from snapshot 'test_values'*", "*Total params: 17*"])

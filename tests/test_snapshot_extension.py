"""The array snapshot extension inside a real pytest run: every failure mode, and its messages.

Each test writes a tiny spec that snapshots an array, records it with ``--snapshot-update``,
then changes the value (or the stored file) and runs again.
"""

import re
import textwrap

import numpy as np
import pytest
from syrupy.extensions.amber.serializer import AmberDataSerializer

from lstm_spec.checks import arrays_text
from lstm_spec.checks.snapshot import ArraySnapshotExtension, garbled_reason, read_snapshot_file
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
def recorded(pytester, recorded_once):
    """A spec whose snapshot has been recorded; returns the snapshot file."""
    write_spec(pytester)
    recorded_once(pytester, lambda: pytester.runpytest(*OPTIONS, "--snapshot-update").assert_outcomes(passed=1))
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


TWO_SPECS = textwrap.dedent(SPEC.format(change="")) + """

def test_another_value(snapshot):
    assert snapshot == {"output": np.ones(2, dtype=np.float32)}
"""


def entry_names(stored) -> list[str]:
    return [line.split(":", 1)[1].strip() for line in stored.read_text().splitlines() if line.startswith("# name:")]


@pytest.mark.parametrize("order, names", [
    ((), ["test_another_value", "test_values"]),
    (("--snapshot-declaration-order",), ["test_values", "test_another_value"]),
], ids=["alphabetical", "--snapshot-declaration-order"])
def test_entries_are_written_in_syrupys_order(pytester, order, names):
    """A snapshot file lists its entries alphabetically, or in the order the specs are declared with
    syrupy's ``--snapshot-declaration-order``, both when recorded and when a garbled file is rewritten."""
    pytester.makepyfile(test_spec=TWO_SPECS)
    pytester.runpytest(*OPTIONS, *order, "--snapshot-update").assert_outcomes(passed=2)
    (stored,) = (pytester.path / "__snapshots__").rglob("*.ambr")
    assert names == entry_names(stored)
    stored.write_bytes(GARBLED["truncated"][0](stored.read_bytes()))
    pytester.runpytest(*OPTIONS, *order, "--snapshot-update").assert_outcomes(passed=2)
    assert names == entry_names(stored)


HEADER = b"# serializer version: 1\n"


@pytest.mark.parametrize("data, reason", [
    (b"", "it is empty"),
    (b"\n  \n", "it is empty"),
    (HEADER, None),
    (HEADER + b"# name: test_a\n  1\n# ---\n", None),
    (HEADER + b"# name: test_a\n", "it is truncated: its last entry (test_a) has no closing '# ---' line"),
    (HEADER + b"  1\n", "it is truncated: its last entry (?) has no closing '# ---' line"),
    (HEADER + b"# name: test_a[x:y]\n  1\n", "it is truncated: its last entry (test_a[x:y]) has no closing '# ---' line"),
    (b"x" * 70 + b"\n", f"its first line must be the header '# serializer version: 1', not {'x' * 60!r}"),
], ids=["empty", "blank-lines", "header-only", "whole", "name-only", "no-name", "name-with-colon", "long-first-line"])
def test_garbled_reason_names_what_is_wrong(data, reason):
    """``garbled_reason`` accepts a whole file (a header alone included) and otherwise says what is wrong,
    quoting the first 60 characters of a foreign first line and the whole name of a truncated entry."""
    assert reason == garbled_reason(data, AmberDataSerializer)


def test_entry_markers_out_of_place_garble_the_file(tmp_path):
    """A file whose header and closing line are right but which syrupy cannot read (a second header
    inside it) is garbled with syrupy's reason, and its entries hand on no text."""
    path = tmp_path / "spec.ambr"
    path.write_bytes(HEADER + b"# name: test_a\n  1\n" + HEADER + b"# ---\n")
    assert "Version must be specified at the top of the file." == read_snapshot_file(AmberDataSerializer, str(path)).garbled
    stored = ArraySnapshotExtension().read_snapshot_data_from_location(
        snapshot_location=str(path), snapshot_name="test_a", session_id="test_entry_markers_out_of_place")
    assert "" == stored
    assert "Version must be specified at the top of the file." == stored.unreadable


def plain(lines) -> list[str]:
    return [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]


def test_text_and_arrays_never_compare_as_arrays():
    """A value stored as text and given as arrays (or the other way round) does not match, and the
    difference is shown as text, naming an unknown snapshot '?' when the stored text is a plain string."""
    arrays = arrays_text.format_arrays({"output": np.zeros(2, dtype=np.float32)})
    extension = ArraySnapshotExtension()
    assert extension.matches(serialized_data=arrays, snapshot_data="Total params: 174") is False
    assert extension.matches(serialized_data="Total params: 174", snapshot_data=arrays) is False
    assert ["Text differs from snapshot '?' in ?:", "- Total params: 174", "+ Total params: 175"] == plain(
        extension.diff_lines("Total params: 175", "Total params: 174"))
    assert ["Text differs from snapshot '?' in ?:", "- Total params: 174", "+ output: shape=(2,) dtype=float32",
            "+ [ 0.00000000e+00  0.00000000e+00]"] == plain(extension.diff_lines(arrays, "Total params: 174"))


def test_with_tolerance_keeps_the_other_tolerance():
    """``with_tolerance`` changes only the tolerance it is given."""
    looser = ArraySnapshotExtension.with_tolerance(rtol=1e-4)
    assert (1e-4, arrays_text.DEFAULT_ATOL) == (looser.rtol, looser.atol)
    wider = ArraySnapshotExtension.with_tolerance(atol=1e-2)
    assert (arrays_text.DEFAULT_RTOL, 1e-2) == (wider.rtol, wider.atol)

"""The snapshot text format: it round-trips, and the comparison fails on every kind of change."""

import numpy as np
import pytest

from lstm_spec.checks.arrays_text import (
    SnapshotTextError,
    compare_arrays,
    format_arrays,
    labelled_arrays,
    looks_like_arrays,
    parse_arrays,
)

RNG = np.random.default_rng(0)
FLOATS = RNG.normal(size=(2, 9, 5)).astype(np.float32)


def roundtrip(data):
    return parse_arrays(format_arrays(data))


@pytest.mark.parametrize(
    "data",
    [
        FLOATS,
        (FLOATS[:, -1], FLOATS[:, 0]),
        {"output": FLOATS, "state_h": FLOATS[:, -1]},
        np.arange(6, dtype=np.int64).reshape(2, 3),
        np.array([True, False]),
        np.float32(1.5),
        np.zeros((0, 3), np.float32),
    ],
    ids=["float32", "tuple", "dict", "int64", "bool", "scalar", "empty"],
)
def test_format_then_parse_gives_the_arrays_back(data):
    """Every supported structure reads back with the same labels, shapes, dtypes and values."""
    assert [] == compare_arrays(labelled_arrays(data), roundtrip(data), rtol=0, atol=0)


def test_text_states_shape_and_dtype_and_never_elides():
    """The header names label, shape and dtype; a 10,000-element array is written in full."""
    big = np.ones((100, 100), np.float32)
    text = format_arrays({"output": big})
    assert text.startswith("output: shape=(100, 100) dtype=float32\n")
    assert "..." not in text
    assert 10_000 == text.count("1.00000000e+00")


def test_floats_keep_nine_significant_digits():
    """A float32 is written with 9 significant digits, the fewest that read back exactly."""
    values = np.array([1 / 3, -2e-9, 12345.678], np.float32)
    text = format_arrays(values)
    assert "[ 3.33333343e-01 -1.99999994e-09  1.23456777e+04]" == text.split("\n")[1]


def test_change_inside_tolerance_matches():
    """A relative change of 1e-7 (float32 noise) is within the default tolerance."""
    assert [] == compare_arrays(labelled_arrays(FLOATS), labelled_arrays(FLOATS * (1 + 1e-7)))


def test_changed_value_is_reported_with_counts_and_largest_differences():
    """One changed element fails, and the report counts it and shows index, snapshot, actual, difference."""
    changed = FLOATS.copy()
    changed[1, 4, 2] += 0.01
    (difference,) = compare_arrays(labelled_arrays({"out": FLOATS}), labelled_arrays({"out": changed}))
    text = "\n".join(difference.lines())
    assert "out: 1 of 90 elements differ" in text
    assert "largest absolute difference 0.01" in text
    assert "(1, 4, 2)" in text


@pytest.mark.parametrize(
    "changed, problem",
    [
        (FLOATS[:, -1], "shape is (2, 5), snapshot has (2, 9, 5)"),
        (FLOATS.astype(np.float64), "dtype is float64, snapshot has float32"),
    ],
    ids=["shape", "dtype"],
)
def test_changed_shape_or_dtype_fails_exactly(changed, problem):
    """Shape and dtype are compared exactly, whatever the tolerance."""
    (difference,) = compare_arrays(labelled_arrays(FLOATS), labelled_arrays(changed), rtol=1, atol=1)
    assert f"array: {problem}" == difference.lines()[0]


def test_integers_are_compared_exactly():
    """Integer arrays ignore the float tolerance: 1000 and 1001 differ."""
    assert compare_arrays(labelled_arrays(np.array([1000])), labelled_arrays(np.array([1001])), rtol=0.1)


def test_changed_structure_fails():
    """A different number or naming of arrays is reported as a structure change."""
    (difference,) = compare_arrays(labelled_arrays((FLOATS,)), labelled_arrays((FLOATS, FLOATS)))
    assert "structure" == difference.label


@pytest.mark.parametrize(
    "text, message",
    [
        ("output: shape=(2,) dtype=float32\n[ 1.0 abc]", "not a float32 number"),
        ("output: shape=(3,) dtype=float32\n[ 1.0 2.0]", "needs 3 values, the text has 2"),
        ("output: shape=(1,) dtype=floaty\n[1]", "unknown dtype 'floaty'"),
        ("garbage\noutput: shape=(1,) dtype=float32\n[1]", "line 1 should be an array header"),
    ],
    ids=["bad-number", "missing-values", "bad-dtype", "no-header"],
)
def test_unreadable_text_raises_a_clear_error(text, message):
    """Text that is not what it claims raises SnapshotTextError saying what is wrong."""
    with pytest.raises(SnapshotTextError, match=message):
        parse_arrays(text)


def test_plain_text_is_not_taken_for_arrays():
    """A summary table is text, not arrays."""
    assert not looks_like_arrays('Model: "functional"')
    assert looks_like_arrays(format_arrays(FLOATS))


def test_labels_name_each_array_by_its_place():
    """A single array is 'array', a tuple's are '[0]', '[1]', a dict's are its keys in order."""
    assert ["array"] == [label for label, _ in labelled_arrays(FLOATS)]
    assert ["[0]", "[1]"] == [label for label, _ in labelled_arrays([FLOATS, FLOATS])]
    assert ["state_h", "output"] == [label for label, _ in labelled_arrays({"state_h": FLOATS, "output": FLOATS})]


def test_changed_labels_are_reported_with_both_lists():
    """Renamed or reordered arrays fail as a structure change naming the stored and the asserted labels."""
    (difference,) = compare_arrays(labelled_arrays({"h": FLOATS, "c": FLOATS}), labelled_arrays({"c": FLOATS, "h": FLOATS}))
    assert ["structure: snapshot holds arrays ['h', 'c'], the value asserted has ['c', 'h']"] == difference.lines()


def test_nan_equals_nan_and_round_trips():
    """NaN and infinities are written and read back, and NaN in both places matches."""
    values = np.array([np.nan, np.inf, -np.inf, 1.0], np.float32)
    (label, back), = roundtrip({"out": values})
    assert "out" == label
    np.testing.assert_array_equal(values, back)
    assert [] == compare_arrays([("out", values)], [("out", back)], rtol=0, atol=0)


@pytest.mark.parametrize("stored, asserted", [(1.0, np.nan), (np.nan, 1.0), (0.0, np.nan)],
                         ids=["number-becomes-nan", "nan-becomes-number", "zero-becomes-nan"])
def test_nan_against_a_number_fails(stored, asserted):
    """A NaN where a number was (or the reverse) is a difference, reported without a NumPy warning."""
    import warnings

    want = np.array([stored, 2.0], np.float32)
    got = np.array([asserted, 2.0], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (difference,) = compare_arrays([("out", want)], [("out", got)])
    assert difference.problem.startswith("1 of 2 elements differ beyond rtol=1e-05, atol=1e-06")


def test_differences_report_absolute_and_relative_figures():
    """The report's largest absolute and relative differences are |actual - expected| and that over |expected|."""
    import warnings

    want = np.array([2.0, 0.0, 4.0], np.float32)
    got = np.array([2.5, 0.0, 3.0], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unchanged zero (0/0) and a changed one (1/0): no NumPy warning
        (difference,) = compare_arrays([("out", want)], [("out", got)])
        (from_zero,) = compare_arrays([("out", want[1:2])], [("out", want[1:2] + 1)])
    assert ("2 of 3 elements differ beyond rtol=1e-05, atol=1e-06; largest absolute difference 1, "
            "largest relative difference 0.25") == difference.problem
    assert from_zero.problem.endswith("largest absolute difference 1, largest relative difference inf")


def test_difference_table_has_its_heading_and_rows():
    """The table's heading names index, the expected column, actual and difference; one row per element."""
    want = np.array([1.0, 2.0], np.float32)
    (difference,) = compare_arrays([("out", want)], [("out", want + 1)])
    heading, *rows = difference.lines("oracle")[1:]
    assert "    index                      oracle           actual   difference" == heading
    assert "snapshot" == difference.lines()[1].split()[1]  # the expected column's default heading
    assert ["    (0,)                          1.0              2.0            1",
            "    (1,)                          2.0              3.0            1"] == rows


def test_large_integers_read_back_exactly():
    """int64 values beyond float64's 53 bits read back exactly (integers are never parsed as floats)."""
    values = np.array([2**60 + 1, -(2**62) - 3], np.int64)
    (_, back), = roundtrip(values)
    assert values.tolist() == back.tolist()


def test_bad_boolean_names_the_token():
    """A boolean snapshot holding anything but True or False says which token is wrong."""
    with pytest.raises(SnapshotTextError, match="'Maybe' is not True or False"):
        parse_arrays("mask: shape=(2,) dtype=bool\n[ True Maybe]")


def test_rows_wrap_at_100_characters():
    """Long rows wrap at 100 characters: wider than NumPy's default 75, and never wider."""
    lines = format_arrays(np.linspace(-1, 1, 40, dtype=np.float32)).split("\n")[1:]
    assert 75 < max(len(line) for line in lines) <= 100

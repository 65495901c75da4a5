"""Every value comparison holds exactly its stated tolerance: a change just inside passes, just outside fails.

The tolerance is ``|actual - expected| <= atol + rtol * |expected|`` everywhere (``arrays_text``,
``assert_close``, the snapshot extension; the oracle comparison with ``oracle.RTOL``/``oracle.ATOL``).
Each check is probed at 0.9 and 1.1 times that bound, at an expected value of 0 (atol alone), 1 (both)
and -1e6 (rtol alone, measured from the expected value): a tolerance ten times looser, or ten times
tighter, or taken relative to the actual value, fails here.
"""

import numpy as np
import pytest

from lstm_spec.checks.arrays_text import compare_arrays, format_arrays, labelled_arrays
from lstm_spec.checks.assertions import assert_close, assert_matches_oracle
from lstm_spec.checks.snapshot import ArraySnapshotExtension, PinnedArraySnapshotExtension

# The float32 tolerance oracle.py and the guides state (docs/guides/the-numpy-oracle.md, snapshots.md), written out
# so that a changed constant fails here.
STATED_RTOL, STATED_ATOL = 1e-5, 1e-6
EXPECTED_VALUES = (0.0, 1.0, -1e6)
INSIDE, OUTSIDE = 0.9, 1.1


def bound(expected: float, rtol: float, atol: float) -> float:
    return atol + rtol * abs(expected)


def probe(expected: float, factor: float, rtol: float, atol: float):
    """(expected, actual) float32 arrays whose one element differs by ``factor`` times the bound."""
    want = np.array([expected, 0.5], np.float32)
    got = want.copy()
    got[0] = np.float32(expected + factor * bound(expected, rtol, atol))
    return want, got


EDGES = [pytest.param(expected, factor, id=f"expected={expected:g}-{name}")
         for expected in EXPECTED_VALUES for factor, name in ((INSIDE, "inside"), (OUTSIDE, "outside"))]


@pytest.mark.parametrize("expected, factor", EDGES)
def test_compare_arrays_default_tolerance_edges(expected, factor):
    """compare_arrays matches within atol + rtol*|expected| (1e-6 + 1e-5*|expected|) and reports beyond it."""
    want, got = probe(expected, factor, STATED_RTOL, STATED_ATOL)
    differences = compare_arrays(labelled_arrays(want), labelled_arrays(got))
    assert (factor > 1) == bool(differences)


@pytest.mark.parametrize("expected, factor", EDGES)
def test_compare_arrays_given_tolerance_edges(expected, factor):
    """A tolerance passed to compare_arrays (100x the default) is the one applied."""
    rtol, atol = 1e-3, 1e-4
    want, got = probe(expected, factor, rtol, atol)
    differences = compare_arrays(labelled_arrays(want), labelled_arrays(got), rtol=rtol, atol=atol)
    assert (factor > 1) == bool(differences)


@pytest.mark.parametrize("expected, factor", EDGES)
def test_assert_close_tolerance_edges(expected, factor):
    """assert_close passes just inside the float32 tolerance and fails just outside, naming the array."""
    want, got = probe(expected, factor, STATED_RTOL, STATED_ATOL)
    if factor < 1:
        assert_close("out", got, want)
        return
    with pytest.raises(AssertionError, match="out should equal the expected values"):
        assert_close("out", got, want)


@pytest.mark.parametrize("expected, factor", EDGES)
def test_oracle_comparison_tolerance_edges(expected, factor):
    """assert_matches_oracle holds the oracle's tolerance (oracle.RTOL/ATOL) exactly: just outside fails, just inside passes."""
    want, got = probe(expected, factor, STATED_RTOL, STATED_ATOL)
    want = want.astype(np.float64)  # the oracle computes in float64
    if factor < 1:
        assert_matches_oracle([got], [want])
        return
    with pytest.raises(AssertionError, match="should equal the NumPy oracle's"):
        assert_matches_oracle([got], [want])


@pytest.mark.parametrize("extension", [ArraySnapshotExtension, PinnedArraySnapshotExtension], ids=lambda cls: cls.kind)
@pytest.mark.parametrize("expected, factor", EDGES)
def test_snapshot_extension_tolerance_edges(extension, expected, factor):
    """Both snapshot kinds match a stored value within rtol 1e-5, atol 1e-6 and refuse one just beyond."""
    want, got = probe(expected, factor, STATED_RTOL, STATED_ATOL)
    matches = extension().matches(serialized_data=format_arrays({"output": got}),
                                  snapshot_data=format_arrays({"output": want}))
    assert (factor < 1) == matches


@pytest.mark.parametrize("expected, factor", EDGES)
def test_snapshot_with_tolerance_edges(expected, factor):
    """``with_tolerance`` moves the bound to the tolerance it is given."""
    rtol, atol = 1e-3, 1e-4
    want, got = probe(expected, factor, rtol, atol)
    extension = ArraySnapshotExtension.with_tolerance(rtol=rtol, atol=atol)()
    matches = extension.matches(serialized_data=format_arrays(got), snapshot_data=format_arrays(want))
    assert (factor < 1) == matches


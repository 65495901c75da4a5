"""Typeable handles: ``-m b4`` / ``-m return_state`` for a behaviour, ``--case units=5`` for a configuration."""

from pathlib import Path

import pytest

from lstm_spec.living_docs.behaviours import find_spec_file
from lstm_spec.living_docs.selection import id_parts, unmatched_case

SPEC = '''
import pytest


@pytest.mark.parametrize("units", [5, 50], ids="LSTM(units={})".format)
@pytest.mark.parametrize("batch", [1, 2], ids="batch={}-seq=9".format)
def test_case(units, batch):
    """A case."""


def test_plain():
    """No configuration."""
'''
ROOT = Path(__file__).resolve().parents[1]
OPTIONS = ("-p", "lstm_spec.living_docs.selection", "-p", "no:cacheprovider", "--strict-markers")


@pytest.fixture
def two_behaviours(pytester):
    """A checkout with behaviours 4 (fake_state) and 12 (fake_summary), five specs each (names the
    real specs do not use: in-process runs share the modules this process imported)."""
    specs = pytester.mkdir("specs")
    for name in ("test_04_fake_state.py", "test_12_fake_summary.py"):
        (specs / name).write_text(SPEC)
    pytester.makeini("[pytest]\ntestpaths = specs\n")
    return pytester


@pytest.mark.parametrize(
    "arguments, selected",
    [
        (("-m", "b4"), "test_04_fake_state.py"),
        (("-m", "fake_state"), "test_04_fake_state.py"),
        (("-m", "b12"), "test_12_fake_summary.py"),
        (("-m", "fake_summary"), "test_12_fake_summary.py"),
    ],
    ids=["-m b4", "-m fake_state", "-m b12", "-m fake_summary"],
)
def test_a_behaviour_is_selected_by_number_or_name(two_behaviours, arguments, selected):
    """Each spec file's specs carry the markers b<number> and <short name>; either selects that file alone."""
    result = two_behaviours.runpytest(*OPTIONS, *arguments)
    result.assert_outcomes(passed=5, deselected=5)
    result.stdout.fnmatch_lines([f"specs/{selected} .....*"])


@pytest.mark.parametrize(
    "values, passed",
    [(["units=5"], 4), (["units=5,batch=1"], 2), (["units=5", "batch=2"], 2), (["LSTM"], 8)],
    ids=["units=5", "units=5,batch=1", "two options", "layer"],
)
def test_case_selects_configurations_by_their_parts(two_behaviours, values, passed):
    """``--case`` keeps the cases whose id has every part given (units=5 is not units=50); -k rejects '='."""
    result = two_behaviours.runpytest(*OPTIONS, *[f"--case={value}" for value in values])
    result.assert_outcomes(passed=passed, deselected=10 - passed)


@pytest.mark.parametrize(
    "values, told",
    [
        (["units=abc"], "--case units=abc matches no case: units is one of 5, 50"),
        (["units=5,batch=3"], "--case units=5,batch=3 matches no case: batch is one of 1, 2"),
        (["units=5", "batch=3"], "--case units=5,batch=3 matches no case: batch is one of 1, 2"),
        (["unit=5"], "--case unit=5 matches no case: no case has the axis unit (nearest: units); "
                     "the axes are batch, seq, units"),
        (["GRU"], "--case GRU matches no case: no case names GRU; layer names in ids: LSTM"),
    ],
    ids=["unknown value", "one part of two", "two options", "unknown axis", "unknown name"],
)
def test_a_case_that_matches_nothing_is_a_usage_error(two_behaviours, values, told):
    """A ``--case`` that keeps no case says which part exists nowhere and what exists instead, and exits 2."""
    result = two_behaviours.runpytest(*OPTIONS, *[f"--case={value}" for value in values])
    assert result.ret == 2
    result.stdout.fnmatch_lines([f"*{told}*", "*python3 suite.py list*"])


def test_parts_that_never_meet_are_told_so(pytester):
    """Parts that each occur, but in no case together, are named as such."""
    pytester.makepyfile(test_grid='import pytest\n\n\n@pytest.mark.parametrize("layer", ["LSTM(units=5)", '
                                  '"GRU(units=7)"], ids=str)\ndef test_case(layer):\n    """A case."""\n')
    result = pytester.runpytest(*OPTIONS, "--case", "GRU,units=5")
    assert result.ret == 2
    result.stdout.fnmatch_lines(["*--case GRU,units=5 matches no case: each part occurs, but no case has them all*"])


def test_a_case_that_matches_nothing_under_xdist(two_behaviours, monkeypatch):
    """With ``-n 1`` the worker's finding reaches the controller, which says it and exits 2 (no internal error)."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the xdist worker imports lstm_spec
    result = two_behaviours.runpytest_inprocess(*OPTIONS, "-n", "1", "--case=units=abc")
    assert result.ret == 2
    result.stdout.fnmatch_lines(["*--case units=abc matches no case: units is one of 5, 50*"])
    result.stdout.no_fnmatch_line("*INTERNALERROR*")


@pytest.mark.parametrize(
    "wanted, told",
    [
        (["LSTMM"], "no case names LSTMM (nearest: LSTM); layer names in ids: Bidirectional, LSTM"),
        (["units=9"], "units is one of 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, ... (15 values)"),
        (["activatoin=relu"], "no case has the axis activatoin (nearest: activation, LSTM.activation); the axes "
                              "are activation, units, and per-layer ones such as LSTM.activation (1 of them)"),
    ],
    ids=["nearest name", "many values", "per-layer axes"],
)
def test_what_a_case_that_matches_nothing_is_told(wanted, told):
    """The message names close matches, shortens a long list of values and folds spec 17's per-layer axes."""
    ids = [f"Bidirectional(LSTM(units={units},activation='tanh'))" for units in [*range(1, 9), *range(10, 17)]]
    message = unmatched_case(wanted, [*ids, "LSTM.activation=tanh"])
    assert f"--case {','.join(wanted)} matches no case: {told}." in message


def test_id_parts_are_layer_names_and_settings():
    """An id splits into its layer names and name=value settings, quotes dropped."""
    assert {"Bidirectional", "LSTM", "units=5", "merge_mode=concat", "batch=2", "seq=9", "features=3"} == \
        id_parts("Bidirectional(LSTM(units=5),merge_mode='concat')-batch=2-seq=9-features=3")


@pytest.mark.parametrize("handle, expected", [("4", "test_04_fake_state.py"), ("04", "test_04_fake_state.py"),
                                              ("fake_summary", "test_12_fake_summary.py"), ("99", None)])
def test_behaviour_found_by_number_or_name(two_behaviours, handle, expected):
    """``suite.py docs 4`` finds the spec file by its number or short name, and nothing for an unknown one."""
    found = find_spec_file(two_behaviours.path, handle)
    assert expected == (found.name if found else None)

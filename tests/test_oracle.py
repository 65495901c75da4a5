"""The oracle check can fail, the oracle refuses what it does not implement, and pinned snapshots have their own folder.

The negative controls compare a real Keras output with a deliberately wrong oracle (two gates
swapped) or a slightly scaled output: ``assert_matches_oracle`` must reject both, or the specs'
agreement with the oracle would prove nothing.
"""

import textwrap

import numpy as np
import pytest

from lstm_spec.checks import oracle
from lstm_spec.checks.assertions import assert_matches_oracle
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, RecurrentConfig
from lstm_spec.models.pinned import PAGE_CELLS, pinned_run
from lstm_spec.checks.snapshot import ArraySnapshotExtension, PinnedArraySnapshotExtension
from lstm_spec.models.backend import SEEDED_FOLDER, for_this_backend

LSTM_FULL = RecurrentConfig("LSTM", PAGE_UNITS, return_sequences=True, return_state=True)
GRU_FULL = RecurrentConfig("GRU", PAGE_UNITS, return_sequences=True, return_state=True)
SIMPLE_RNN_FULL = RecurrentConfig("SimpleRNN", PAGE_UNITS, return_sequences=True, return_state=True)


@pytest.fixture(scope="module")
def lstm_run():
    return pinned_run(LSTM_FULL, PAGE_DIMS)


@pytest.mark.parametrize("config", PAGE_CELLS, ids=str)
def test_true_oracle_passes(config):
    """The control for the controls: Keras' LSTM, GRU (reset_after True and False) and SimpleRNN match the correct oracle."""
    run = pinned_run(config, PAGE_DIMS)
    assert_matches_oracle(run.outputs, run.expected(), run)


def test_oracle_with_another_activation_fails(monkeypatch):
    """A SimpleRNN oracle computing sigmoid where the layer uses tanh disagrees with Keras, and the check says so."""
    run = pinned_run(SIMPLE_RNN_FULL, PAGE_DIMS)
    monkeypatch.setitem(oracle.ACTIVATIONS, "tanh", oracle.ACTIVATIONS["sigmoid"])
    with pytest.raises(AssertionError, match="(?s)should equal the NumPy oracle's.*elements differ"):
        assert_matches_oracle(run.outputs, run.expected(), run)


@pytest.mark.parametrize("config, swapped", [(LSTM_FULL, ("f", "i", "c", "o")), (LSTM_FULL, ("i", "f", "o", "c")),
                                             (GRU_FULL, ("r", "z", "h")),
                                             (GRU_FULL.with_options(reset_after=False), ("z", "h", "r"))],
                         ids=["LSTM-read-as-f,i,c,o", "LSTM-read-as-i,f,o,c", "GRU-read-as-r,z,h",
                              "GRU(reset_after=False)-read-as-z,h,r"])
def test_oracle_with_two_gates_swapped_fails(monkeypatch, config, swapped):
    """An oracle that reads two gate blocks in each other's place disagrees with Keras, and the check says so."""
    run = pinned_run(config, PAGE_DIMS)
    monkeypatch.setitem(oracle.GATE_ORDER, config.layer, swapped)
    with pytest.raises(AssertionError, match="(?s)should equal the NumPy oracle's.*elements differ"):
        assert_matches_oracle(run.outputs, run.expected(), run)


@pytest.mark.parametrize("scale", [1e-3, 1 + 1e-3], ids=["times-1e-3", "times-1.001"])
def test_scaled_output_fails(lstm_run, scale):
    """The output scaled by 1e-3, or changed by a relative 1e-3, fails the check."""
    scaled = [array * np.float32(scale) for array in lstm_run.outputs]
    with pytest.raises(AssertionError, match="output: .* elements differ"):
        assert_matches_oracle(scaled, lstm_run.expected(), lstm_run)


def test_missing_state_fails_with_a_count(lstm_run):
    """An output list without its cell state fails on the number of outputs."""
    with pytest.raises(AssertionError, match=r"len\(outputs\)=2, but should be 3"):
        assert_matches_oracle(lstm_run.outputs[:2], lstm_run.expected(), lstm_run)


def test_wrong_shape_fails_naming_both_shapes(lstm_run):
    """A last output where a sequence is expected fails on its shape, not on values."""
    with pytest.raises(AssertionError, match=r"output.shape=\(2, 5\), but should be \(2, 9, 5\)"):
        assert_matches_oracle([lstm_run.outputs[0][:, -1], *lstm_run.outputs[1:]], lstm_run.expected(), lstm_run)


@pytest.mark.parametrize("call, message", [
    (lambda w: oracle.forward("LSTM", np.zeros((1, 2, 3)), w, dropout=0.5),
     r"does not implement \['dropout'\]"),
    (lambda w: oracle.forward("LSTM", np.zeros((1, 2, 3)), w, activation="gelu"), r"no activation 'gelu'; use one of"),
    (lambda w: oracle.forward("LSTM", np.zeros((1, 2, 3)), w[:2]), r"LSTM\(use_bias=True\) has 3 weights"),
    (lambda w: oracle.forward("LSTM", np.zeros((1, 2, 3)), w, units=7), r"units=7, but the recurrent kernel is for 5"),
    (lambda w: oracle.forward("ConvLSTM1D", np.zeros((1, 2, 3)), w), r"knows \['GRU', 'LSTM', 'SimpleRNN'\]"),
    (lambda w: oracle.forward("LSTM", np.zeros((1, 2, 3)), w, mask=np.ones((2, 1))), r"mask must have shape \(batch, time\) = \(1, 2\)"),
    (lambda w: oracle.forward("LSTM", np.zeros((1, 2, 3)), w, initial_state=[np.zeros((1, 5))]), r"initial_state needs 2 arrays"),
], ids=["unimplemented-option", "unknown-activation", "missing-bias", "wrong-units", "unknown-layer", "bad-mask", "one-state"])
def test_oracle_refuses_what_it_does_not_implement(call, message):
    """Anything the oracle cannot compute is an error saying what is wrong, never a silently ignored option."""
    weights = [np.zeros((3, 20)), np.zeros((5, 20)), np.zeros(20)]
    with pytest.raises(ValueError, match=message):
        call(weights)


class _Location:
    filepath = "/suite/specs/test_18_value_snapshots.py"


def test_pinned_snapshots_have_their_own_folder():
    """Pinned-weight snapshots go to __snapshots__/pinned, seeded ones to the era's (or backend's) seeded folder."""
    assert "/suite/specs/__snapshots__/pinned" == PinnedArraySnapshotExtension.dirname(test_location=_Location)
    assert (f"/suite/specs/__snapshots__/{for_this_backend(SEEDED_FOLDER)}"
            == ArraySnapshotExtension.dirname(test_location=_Location))


SPEC = """
import numpy as np
from lstm_spec.checks.snapshot import PinnedArraySnapshotExtension

def test_values(snapshot):
    value = np.arange(6, dtype=np.float32).reshape(2, 3) / 7
    {change}
    assert snapshot(extension_class=PinnedArraySnapshotExtension) == {{"output": value}}
    assert snapshot == {{"output": value * 2}}
"""
OPTIONS = ("-p", "no:cacheprovider", "--snapshot-default-extension", "lstm_spec.checks.snapshot.ArraySnapshotExtension")


def test_both_kinds_live_side_by_side(pytester):
    """One spec can write both kinds: two files in two folders, each read back on the next run, and a changed
    pinned value fails naming the pinned file."""
    pytester.makepyfile(test_spec=textwrap.dedent(SPEC.format(change="")))
    pytester.runpytest(*OPTIONS, "--snapshot-update").assert_outcomes(passed=1)
    folders = sorted(path.parent.name for path in (pytester.path / "__snapshots__").rglob("*.ambr"))
    assert ["pinned", ArraySnapshotExtension.kind] == folders
    pytester.runpytest(*OPTIONS).assert_outcomes(passed=1)
    pytester.makepyfile(test_spec=textwrap.dedent(SPEC.format(change="value[0, 1] += 0.5")))
    result = pytester.runpytest(*OPTIONS)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Values differ from snapshot 'test_values' in *__snapshots__/pinned/test_spec.ambr*"])

"""Bidirectional: merge_mode shapes, the order of the returned states, and initial state for both directions.

``Bidirectional(LSTM(units))`` runs one LSTM forward and a second, with its own weights, backward
over time.  Its sequence output is put back in time order, so at step t the backward half has
read steps T-1 down to t: the backward final state is the *first* step of the backward half,
not the last.  With ``return_state=True`` an LSTM gives five tensors, output, forward h, forward c,
backward h, backward c; a GRU three, output, forward h, backward h.
"""

import numpy as np
import pytest

from lstm_spec.models import compat
from lstm_spec.checks.assertions import assert_close, assert_count, assert_differs, assert_shape, assert_type
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, RecurrentConfig
from lstm_spec.models.era import SEVERAL_OUTPUTS_TYPE, for_this_era
from lstm_spec.models.family import Chain, Layer, run_chain

UNITS = PAGE_UNITS
MERGED_WIDTH = {"concat": 2 * UNITS, "sum": UNITS, "mul": UNITS, "ave": UNITS}
MERGE = {
    "concat": lambda forward, backward: np.concatenate([forward, backward], axis=-1),
    "sum": lambda forward, backward: forward + backward,
    "mul": lambda forward, backward: forward * backward,
    "ave": lambda forward, backward: (forward + backward) / 2,
}
STATE_NAMES = {"LSTM": ("forward_h", "forward_c", "backward_h", "backward_c"), "GRU": ("forward_h", "backward_h")}


def bidirectional(layer: str = "LSTM", merge_mode="concat", **options) -> Chain:
    recurrent = RecurrentConfig(layer, UNITS).with_options(**options)
    return Chain((Layer.of("Bidirectional", recurrent, merge_mode=merge_mode),))


def run_with_states(layer: str):
    return run_chain(bidirectional(layer, return_sequences=True, return_state=True), PAGE_DIMS)


@pytest.mark.parametrize("merge_mode", list(MERGED_WIDTH), ids="merge_mode={}".format)
def test_merged_output_shape(merge_mode):
    """concat gives (batch, 2*units); sum, mul and ave give (batch, units)."""
    run = run_chain(bidirectional(merge_mode=merge_mode), PAGE_DIMS)
    assert_shape("out", run.outputs, (PAGE_DIMS.batch, MERGED_WIDTH[merge_mode]), run, run.repro())


def test_merge_mode_none_returns_both_directions():
    """merge_mode=None returns two arrays, the forward and the backward output, each (batch, units)."""
    run = run_chain(bidirectional(merge_mode=None), PAGE_DIMS)
    assert_count("len(outputs)", len(run.outputs), 2, run, run.repro())
    for name, output in zip(("forward", "backward"), run.outputs):
        assert_shape(name, output, (PAGE_DIMS.batch, UNITS), run, run.repro())


def test_merge_mode_left_out_is_concat():
    """``Bidirectional(LSTM(units))`` with no merge_mode concatenates: (batch, 2*units), the merge_mode="concat" output."""
    run = run_chain(Chain((Layer.of("Bidirectional", RecurrentConfig("LSTM", UNITS)),)), PAGE_DIMS)
    assert_shape("out", run.outputs, (PAGE_DIMS.batch, 2 * UNITS), run, run.repro())
    assert_close("out", run.outputs, run_chain(bidirectional(merge_mode="concat"), PAGE_DIMS).outputs, run, run.repro())


@pytest.mark.parametrize("merge_mode", list(MERGE), ids="merge_mode={}".format)
def test_merge_mode_combines_the_two_directions(merge_mode):
    """With the same seeded weights, each merge mode is its operation on merge_mode=None's two outputs."""
    run = run_chain(bidirectional(merge_mode=merge_mode), PAGE_DIMS)
    unmerged = run_chain(bidirectional(merge_mode=None), PAGE_DIMS)
    for index, (weight, other) in enumerate(zip(run.model.get_weights(), unmerged.model.get_weights())):
        assert_close(f"weights[{index}]", weight, other, "same seed, same weights")
    assert_close("out", run.outputs, MERGE[merge_mode](*unmerged.outputs), run, run.repro())


@pytest.mark.parametrize("layer", list(STATE_NAMES))
def test_return_state_gives_output_then_each_directions_states(layer):
    """return_state=True: the (batch, seq_len, 2*units) sequence, then (batch, units) states: LSTM four, GRU two."""
    run = run_with_states(layer)
    output, *states = run.outputs
    assert_count("len(outputs)", len(run.outputs), 1 + len(STATE_NAMES[layer]), run, run.repro())
    assert_shape("output", output, (PAGE_DIMS.batch, PAGE_DIMS.seq_len, 2 * UNITS), run, run.repro())
    for name, state in zip(STATE_NAMES[layer], states):
        assert_shape(name, state, (PAGE_DIMS.batch, UNITS), run, run.repro())


@pytest.mark.parametrize("layer", list(STATE_NAMES))
def test_forward_h_is_the_last_step_and_backward_h_the_first(layer):
    """Forward h is the last step of the forward half; backward h is the first step of the backward half, not the last."""
    run = run_with_states(layer)
    output, *states = run.outputs
    named = dict(zip(STATE_NAMES[layer], states))
    assert_close("forward_h", named["forward_h"], output[:, -1, :UNITS], run, run.repro())
    assert_close("backward_h", named["backward_h"], output[:, 0, UNITS:], run, run.repro())
    assert_differs("backward_h", named["backward_h"], "output[:, -1, units:]", output[:, -1, UNITS:], run, run.repro())


def test_lstm_c_states_are_not_h():
    """The second and fourth LSTM states are cell states, different from the h beside them."""
    run = run_with_states("LSTM")
    _, forward_h, forward_c, backward_h, backward_c = run.outputs
    assert_differs("forward_c", forward_c, "forward_h", forward_h, run, run.repro())
    assert_differs("backward_c", backward_c, "backward_h", backward_h, run, run.repro())


def test_initial_state_is_four_tensors_forward_first():
    """``initial_state=[forward_h, forward_c, backward_h, backward_c]``: zeros are the default; the first two set the forward half only."""
    run = run_with_states("LSTM")
    zeros = np.zeros((PAGE_DIMS.batch, UNITS), np.float32)
    ones = np.ones_like(zeros)
    default_start = run.layer(run.inputs, initial_state=compat.state_tensors([zeros, zeros, zeros, zeros]))
    assert_close("output", default_start[0], run.outputs[0], run, run.repro())
    forward_start = run.layer(run.inputs, initial_state=compat.state_tensors([ones, ones, zeros, zeros]))
    assert_shape("output", forward_start[0], (PAGE_DIMS.batch, PAGE_DIMS.seq_len, 2 * UNITS), run, run.repro())
    assert_differs("forward half", forward_start[0][:, :, :UNITS], "default", run.outputs[0][:, :, :UNITS], run)
    assert_close("backward half", forward_start[0][:, :, UNITS:], run.outputs[0][:, :, UNITS:], run, run.repro())


@pytest.mark.parametrize("layer", list(STATE_NAMES))
def test_output_and_state_values(layer, snapshot):
    """The seeded sequence and states are pinned."""
    run = run_with_states(layer)
    assert snapshot == dict(zip(("output", *STATE_NAMES[layer]), run.outputs))


@pytest.mark.parametrize("returns", ["merge_mode=None", "return_state=True"])
def test_several_outputs_come_in_this_eras_sequence_type(returns):
    """Several outputs (merge_mode=None, or return_state=True) come as a list on Keras 2 and a tuple on Keras 3."""
    run = run_chain(bidirectional(merge_mode=None), PAGE_DIMS) if returns == "merge_mode=None" else run_with_states("LSTM")
    assert_type("outputs", run.outputs, for_this_era(SEVERAL_OUTPUTS_TYPE), run, run.repro())

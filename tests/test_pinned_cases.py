"""The pinned cases the specs are parametrized with: one option varied per case, each axis of the grid in full."""

import numpy as np
import pytest

from lstm_spec.checks import oracle
from lstm_spec.checks.assertions import assert_matches_oracle
from lstm_spec.models.configs import PAGE_DIMS, InputDims, RecurrentConfig
from lstm_spec.models.pinned import PAGE_CELLS, PinnedCase, call_with_weights, grid_points, option_cases, pinned_run

EVERY_OUTPUT = "return_sequences=True,return_state=True"


@pytest.mark.parametrize("config, activations", [(PAGE_CELLS[0], "activation=relu,recurrent_activation=tanh"),
                                                 (PAGE_CELLS[3], "activation=relu")],
                         ids=["LSTM", "SimpleRNN-has-no-recurrent_activation"])
def test_option_cases_vary_one_option_each(config, activations):
    """Each option the oracle implements is varied alone (a mask three ways), in the order the specs list them."""
    layer = config.layer
    assert [
        f"{layer}(units=5,{EVERY_OUTPUT},go_backwards=True)",
        f"{layer}(units=5,{EVERY_OUTPUT},unroll=True)",
        f"{layer}(units=5,{EVERY_OUTPUT},{activations})",
        f"{layer}(units=5,{EVERY_OUTPUT},use_bias=False)",
        f"{layer}(units=5,{EVERY_OUTPUT})+initial_state",
        f"{layer}(units=5,{EVERY_OUTPUT})+masked",
        f"{layer}(units=5,{EVERY_OUTPUT},zero_output_for_mask=True)+masked",
        f"{layer}(units=5,return_state=True,zero_output_for_mask=True)+masked",
        f"{layer}(units=5,{EVERY_OUTPUT},go_backwards=True)+masked",
    ] == [str(case) for case in option_cases(config)]
    assert False is option_cases(config)[7].config.return_sequences  # not None: Keras is given a bool


def test_grid_points_cover_each_axis_once():
    """Every width on the page's input, then every other input at the config's own width."""
    config = RecurrentConfig("SimpleRNN", 5)
    assert [
        ("SimpleRNN(units=5)", "batch=2-seq=9-features=3"),
        ("SimpleRNN(units=1)", "batch=2-seq=9-features=3"),
        ("SimpleRNN(units=64)", "batch=2-seq=9-features=3"),
        ("SimpleRNN(units=5)", "batch=1-seq=9-features=3"),
        ("SimpleRNN(units=5)", "batch=2-seq=1-features=3"),
        ("SimpleRNN(units=5)", "batch=3-seq=4-features=1"),
        ("SimpleRNN(units=5)", "batch=4-seq=6-features=8"),
    ] == [(str(point), str(dims)) for point, dims in grid_points(config)]


def test_a_case_runs_its_config_with_its_call():
    """A masked case is the cached masked pinned run of its config, with a mask and no initial state."""
    config, dims = RecurrentConfig("SimpleRNN", 2), InputDims(batch=2, seq_len=3, features=2)
    run = PinnedCase(config, masked=True).run(dims)
    assert run is pinned_run(config, dims, masked=True, initial_state=False)
    assert (True, False) == (run.mask is not None, run.initial_state is not None)
    assert "SimpleRNN(units=2)+masked+initial_state" == str(PinnedCase(config, masked=True, initial_state=True))
    assert PAGE_DIMS != dims


@pytest.mark.parametrize("config, states", [(PAGE_CELLS[0], 2), (PAGE_CELLS[1], 1)], ids=["LSTM", "GRU"])
def test_a_masked_run_with_initial_states_matches_the_oracle_given_both(config, states):
    """A run with a mask and float32 initial states (two for LSTM, one for GRU) names both, and its
    ``expected()`` passes both to the oracle: without them the oracle's values differ from Keras'."""
    run = pinned_run(config, PAGE_DIMS, masked=True, initial_state=True)
    assert f"{config} on input (2, 9, 3) with masked with initial_state" == str(run)
    assert [np.dtype(np.float32)] * states == [state.dtype for state in run.initial_state]
    assert_matches_oracle(run.outputs, run.expected(), run)
    for left_out in ({"mask": None}, {"initial_state": None}):
        arguments = {"mask": run.mask, "initial_state": run.initial_state, **left_out}
        without = oracle.forward(config.layer, run.inputs, run.weights, **arguments, **config.kwargs())
        assert not np.allclose(run.expected()[0], without[0]), f"the oracle without {left_out}"


def test_weights_given_as_a_list_are_set_as_they_are():
    """``call_with_weights`` takes the weights as a list too, and calls on read-only inputs: the list a
    pinned run read back gives that run's outputs again."""
    run = pinned_run(PAGE_CELLS[3], PAGE_DIMS)
    inputs, _, outputs = call_with_weights(PAGE_CELLS[3], PAGE_DIMS, list(run.weights))
    assert not inputs.flags.writeable
    for name, got, want in zip(("output", "h"), outputs, run.outputs):
        np.testing.assert_array_equal(want, got, err_msg=name)

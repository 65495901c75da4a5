"""go_backwards=True: the layer reads the sequence from its last step to its first, and returns it in that order.

Its sequence output is in reading order, not put back in time order: step i of the output is the
state after reading input steps T-1 down to T-1-i.  So it equals the forward layer, with the same
weights, on the time-reversed input; and its final output is the state after reading step 0.
"""

from lstm_spec.checks.assertions import assert_close, assert_differs
from lstm_spec.models.builders import call_seeded, run_recurrent
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, LSTMConfig

FORWARD = LSTMConfig(PAGE_UNITS, return_sequences=True)
BACKWARDS = FORWARD.with_options(go_backwards=True)


def test_equals_the_forward_layer_on_the_reversed_input():
    """go_backwards on x equals the forward LSTM, same seeded weights, on x[:, ::-1], step for step."""
    backwards, forward = run_recurrent(BACKWARDS, PAGE_DIMS), run_recurrent(FORWARD, PAGE_DIMS)
    for index, (weight, other) in enumerate(zip(backwards.weights, forward.weights)):
        assert_close(f"weights[{index}]", weight, other, "same seed, same weights")
    reversed_input = backwards.inputs[:, ::-1]
    on_reversed = call_seeded(forward.model, FORWARD, reversed_input)
    assert_close("out", backwards.outputs, on_reversed, backwards, backwards.repro())


def test_sequence_output_is_not_put_back_in_time_order():
    """The forward layer's output on reversed input, reversed again, is not what go_backwards returns."""
    backwards, forward = run_recurrent(BACKWARDS, PAGE_DIMS), run_recurrent(FORWARD, PAGE_DIMS)
    time_ordered = call_seeded(forward.model, FORWARD, backwards.inputs[:, ::-1])[:, ::-1]
    assert_differs("out", backwards.outputs, "time-ordered output", time_ordered, backwards, backwards.repro())


def test_final_output_differs_from_the_forward_one():
    """The default (last) output of go_backwards is the state after reading step 0: not the forward output."""
    backwards = run_recurrent(BACKWARDS.defaults.with_options(go_backwards=True), PAGE_DIMS)
    forward = run_recurrent(FORWARD.defaults, PAGE_DIMS)
    sequence = run_recurrent(BACKWARDS, PAGE_DIMS).outputs
    assert_close("out", backwards.outputs, sequence[:, -1], backwards, backwards.repro())
    assert_differs("out", backwards.outputs, "forward output", forward.outputs, backwards, backwards.repro())


def test_backwards_sequence_values(snapshot):
    """The seeded go_backwards sequence output is pinned."""
    assert snapshot == run_recurrent(BACKWARDS, PAGE_DIMS).outputs

"""Stacked recurrent layers: return_sequences=True on the first is what lets the second take its output.

A recurrent layer reads 3D (batch, seq_len, features).  The first LSTM's default output is 2D
(batch, units), which the second rejects (the error is pinned in ``test_31_errors.py``); with
``return_sequences=True`` it is (batch, seq_len, units), a sequence whose features are the first
layer's units.
"""

from lstm_spec.checks.assertions import assert_close, assert_layer_table, assert_shape
from lstm_spec.models.configs import PAGE_DIMS, LSTMConfig
from lstm_spec.models.family import Chain, run_chain

FIRST, SECOND = LSTMConfig(5, return_sequences=True), LSTMConfig(4)
STACK = Chain((FIRST, SECOND))


def test_layer_shapes_and_parameters():
    """LSTM(5, return_sequences=True) -> LSTM(4): (None, 9, 5) with 180 parameters, then (None, 4) with 4*4*(5+4+1) = 160."""
    run = run_chain(STACK, PAGE_DIMS)
    assert_layer_table(run.model, [
        ("InputLayer", (None, 9, 3), 0),
        ("LSTM", (None, 9, 5), 4 * 5 * (3 + 5 + 1)),
        ("LSTM", (None, 4), 4 * 4 * (5 + 4 + 1)),
    ], run)


def test_second_layer_reads_the_first_layers_units_as_features():
    """The second LSTM's kernel is (first units, 4*second units): its input features are the first layer's units."""
    run = run_chain(STACK, PAGE_DIMS)
    kernel = run.layer.get_weights()[0]
    assert_shape("second kernel", kernel, (FIRST.units, 4 * SECOND.units), run, run.repro())


def test_stack_output_is_the_second_layer_on_the_first_layers_sequence():
    """The stack's output is the second layer applied to the first layer's whole sequence output."""
    run = run_chain(STACK, PAGE_DIMS)
    first, second = run.model.layers[1:]
    sequence = first(run.inputs)
    assert_shape("first output", sequence, (PAGE_DIMS.batch, PAGE_DIMS.seq_len, FIRST.units), run, run.repro())
    assert_close("out", second(sequence), run.outputs, run, run.repro())


def test_stack_output_values(snapshot):
    """The seeded output of the stack is pinned."""
    assert snapshot == run_chain(STACK, PAGE_DIMS).outputs

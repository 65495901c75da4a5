"""TimeDistributed(Dense) after return_sequences=True is the same as Dense on the 3D output: same shapes, same values.

Keras' ``Dense`` on a 3D input multiplies the last axis by its kernel at every (batch, step)
position, which is exactly what wrapping it in ``TimeDistributed`` does step by step.
"""

import pytest

from lstm_spec.checks.assertions import assert_close, assert_layer_table
from lstm_spec.models.configs import PAGE_DIMS, LSTMConfig
from lstm_spec.models.family import Chain, Layer, run_chain

SEQUENCE = LSTMConfig(5, return_sequences=True)
DENSE = Layer.of("Dense", 4)
HEADS = {
    "TimeDistributed(Dense)": Chain((SEQUENCE, Layer.of("TimeDistributed", DENSE))),
    "Dense": Chain((SEQUENCE, DENSE)),
}


@pytest.mark.parametrize("head", list(HEADS))
def test_head_shapes_and_parameters(head):
    """Both heads give (None, 9, 4) with the Dense layer's 5*4 + 4 = 24 parameters."""
    run = run_chain(HEADS[head], PAGE_DIMS)
    assert_layer_table(run.model, [
        ("InputLayer", (None, 9, 3), 0),
        ("LSTM", (None, 9, 5), 180),
        (head.split("(")[0], (None, 9, 4), 5 * 4 + 4),
    ], run)


def test_same_weights_same_values():
    """Built with the same seed, the two models have the same weights and give the same output."""
    wrapped, plain = (run_chain(chain, PAGE_DIMS) for chain in HEADS.values())
    for index, (weight, other) in enumerate(zip(wrapped.model.get_weights(), plain.model.get_weights())):
        assert_close(f"weights[{index}]", weight, other, "same seed, same weights")
    assert_close("TimeDistributed(Dense) output", wrapped.outputs, plain.outputs, wrapped, wrapped.repro())


def test_output_values(snapshot):
    """The seeded (batch, seq_len, 4) output is pinned."""
    assert snapshot == run_chain(HEADS["Dense"], PAGE_DIMS).outputs

"""unroll=True computes the same values; dropout and recurrent_dropout act only under training=True.

``unroll`` trades memory for speed by writing the loop out step by step: same weights, same
output.  ``dropout`` (on the inputs) and ``recurrent_dropout`` (on h) are training-time noise:
``predict()`` and ``training=False`` calls use every unit, so they give the undropped output.
"""

import pytest

from lstm_spec.checks.assertions import assert_close, assert_differs
from lstm_spec.models.builders import run_recurrent
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, LSTMConfig, RecurrentConfig

DROPOUT = LSTMConfig(PAGE_UNITS, dropout=0.5, recurrent_dropout=0.5)


def assert_same_weights(run, other):
    for index, (weight, other_weight) in enumerate(zip(run.weights, other.weights)):
        assert_close(f"weights[{index}]", weight, other_weight, "same seed, same weights")


@pytest.mark.parametrize("layer", ["LSTM", "GRU"])
def test_unroll_gives_the_same_values(layer):
    """An unrolled layer with the same seeded weights gives the looped layer's sequence output."""
    looped = run_recurrent(RecurrentConfig(layer, PAGE_UNITS, return_sequences=True), PAGE_DIMS)
    unrolled = run_recurrent(looped.config.with_options(unroll=True), PAGE_DIMS)
    assert_same_weights(unrolled, looped)
    assert_close("out", unrolled.outputs, looped.outputs, unrolled, unrolled.repro())


def test_dropout_changes_nothing_under_predict():
    """``predict()`` of an LSTM with dropout=0.5, recurrent_dropout=0.5 equals the same LSTM without dropout."""
    dropped, plain = run_recurrent(DROPOUT, PAGE_DIMS), run_recurrent(DROPOUT.defaults, PAGE_DIMS)
    assert_same_weights(dropped, plain)
    assert_close("predict()", dropped.model.predict(dropped.inputs, verbose=0), plain.outputs, dropped, dropped.repro())


def test_dropout_changes_the_output_under_training():
    """Called with training=True, the dropout LSTM differs from the undropped output, and from one call to the next."""
    dropped, plain = run_recurrent(DROPOUT, PAGE_DIMS), run_recurrent(DROPOUT.defaults, PAGE_DIMS)
    first = dropped.model(dropped.inputs, training=True)
    second = dropped.model(dropped.inputs, training=True)
    assert_differs("training=True output", first, "undropped output", plain.outputs, dropped, dropped.repro())
    assert_differs("second training=True output", second, "first", first, dropped, dropped.repro())

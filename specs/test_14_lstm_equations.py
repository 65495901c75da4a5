"""14. The LSTM computes c_t = f*c_{t-1} + i*g and h_t = o*act(c_t), gates i, f, c, o in that order.

Gates ``i, f, o = sigmoid(x_t U + h_{t-1} W + b)`` of their blocks, candidate ``g = tanh(...)`` of
the ``c`` block. Every configuration of the page's grid and every option the oracle implements
gives the oracle's numbers (``lstm_spec.checks.oracle``, float64) within its one float32 tolerance.
"""

from dataclasses import replace

import numpy as np
import pytest

from lstm_spec.checks import oracle
from lstm_spec.checks.assertions import assert_close, assert_mask_masks, assert_matches_oracle, assert_run_matches_oracle
from lstm_spec.models.builders import to_numpy
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, UNITS_GRID, LSTMConfig
from lstm_spec.models.pinned import option_cases, pinned_run

FULL = LSTMConfig(PAGE_UNITS, return_sequences=True, return_state=True)


def test_seeded_lstm_matches_oracle(lstm_run):
    """The seeded LSTM of every grid point and return option pair gives the oracle's output and states."""
    expected = oracle.forward("LSTM", lstm_run.inputs, lstm_run.weights, **lstm_run.config.kwargs())
    assert_matches_oracle(lstm_run.outputs, expected, lstm_run, lstm_run.repro())


@pytest.mark.parametrize("config", [FULL.with_options(units=units) for units in UNITS_GRID], ids=str)
def test_pinned_lstm_matches_oracle(config):
    """With pinned, non-zero biases too, the LSTM gives the oracle's sequence and states."""
    run = pinned_run(config, PAGE_DIMS)
    assert_run_matches_oracle(run)


@pytest.mark.parametrize("case", option_cases(FULL), ids=str)
def test_lstm_options_match_oracle(case):
    """go_backwards, unroll, activations, use_bias, initial_state and masks change the values exactly as the oracle says."""
    run = case.run(PAGE_DIMS)
    assert_run_matches_oracle(run)


@pytest.mark.parametrize("case", [case for case in option_cases(FULL) if case.masked], ids=str)
def test_lstm_masked_cases_mask(case):
    """Each masked case hides some step, and its output differs from the same call without the mask."""
    assert_mask_masks(case.run(PAGE_DIMS), replace(case, masked=False).run(PAGE_DIMS))


def test_predict_matches_oracle():
    """``model.predict(x)``, the page's call, gives the oracle's values (the other specs call ``model(x)``, 5x cheaper)."""
    from lstm_spec.models.keras_under_test import keras

    run = pinned_run(FULL, PAGE_DIMS)
    inputs = keras.Input(shape=(PAGE_DIMS.seq_len, PAGE_DIMS.features))
    layer = keras.layers.LSTM(**FULL.kwargs())
    model = keras.Model(inputs, layer(inputs))
    layer.set_weights(list(run.weights))
    assert_matches_oracle(to_numpy(model.predict(run.inputs, verbose=0)), run.expected(), run, run.repro())


def test_masked_last_step_with_zero_output_for_mask_returns_zeros():
    """With zero_output_for_mask=True a sample whose last step is masked outputs zeros, while state_h keeps its last h."""
    config = FULL.with_options(return_sequences=False, zero_output_for_mask=True)
    run = pinned_run(config, PAGE_DIMS, masked=True)
    output, state_h, _ = run.outputs
    (sample,) = np.flatnonzero(~run.mask[:, -1])  # the page's batch of 2: sample 0 ends on a masked step
    assert_close("output[sample]", output[sample], np.zeros(PAGE_UNITS, np.float32), run, run.repro())
    assert_close("output[other]", output[1 - sample], state_h[1 - sample], run, run.repro())
    sequence = pinned_run(FULL, PAGE_DIMS, masked=True).outputs[0]
    last_kept = np.flatnonzero(run.mask[sample])[-1]
    assert_close("state_h[sample]", state_h[sample], sequence[sample, last_kept], run, run.repro())

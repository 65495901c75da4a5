"""13. The page's formula h_t = act(x_t U + h_{t-1} W + b) is the SimpleRNN cell; the LSTM adds gates around it.

The page writes the recurrence as ``h_t = tanh(b + W h_{t-1} + U x_t)`` under the LSTM's weights.
That formula is exactly ``keras.layers.SimpleRNN`` (kernel U, recurrent kernel W, bias b). The
LSTM computes four such blocks side by side and uses three of them as gates on the fourth.

Values come from pinned weights (``lstm_spec.models.pinned``) and are compared with the NumPy oracle
(``lstm_spec.checks.oracle``) within its one float32 tolerance.
"""

from dataclasses import replace

import numpy as np
import pytest

from lstm_spec.checks.assertions import assert_close, assert_mask_masks, assert_run_matches_oracle
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, RecurrentConfig
from lstm_spec.models.builders import make_inputs, to_numpy
from lstm_spec.models.pinned import grid_points, option_cases, pinned_run, pinned_weights

FULL = RecurrentConfig("SimpleRNN", PAGE_UNITS, return_sequences=True, return_state=True)
RETURN_PAIRS = [FULL.with_options(return_sequences=sequences, return_state=state)
                for sequences, state in ((False, False), (False, True), (True, False))]


def test_simple_rnn_is_the_page_formula():
    """Each step of SimpleRNN(5, return_sequences=True) is h_t = tanh(x_t U + h_{t-1} W + b), written out here."""
    run = pinned_run(FULL, PAGE_DIMS)
    U, W, b = run.weights
    h = np.zeros((PAGE_DIMS.batch, PAGE_UNITS))
    expected = []
    for x_t in np.moveaxis(run.inputs.astype(np.float64), 1, 0):
        h = np.tanh(x_t @ U + h @ W + b)
        expected.append(h)
    assert_close("output", run.outputs[0], np.stack(expected, axis=1).astype(np.float32), run, run.repro())


@pytest.mark.parametrize("config, dims", grid_points(FULL), ids=str)
def test_simple_rnn_matches_oracle(config, dims):
    """SimpleRNN's output sequence and final state equal the oracle's at every width and input shape of the grid."""
    run = pinned_run(config, dims)
    assert_run_matches_oracle(run)


@pytest.mark.parametrize("config", RETURN_PAIRS, ids=str)
def test_simple_rnn_return_options_match_oracle(config):
    """The other return_sequences/return_state pairs give the oracle's last output and state."""
    run = pinned_run(config, PAGE_DIMS)
    assert_run_matches_oracle(run)


@pytest.mark.parametrize("case", option_cases(FULL), ids=str)
def test_simple_rnn_options_match_oracle(case):
    """go_backwards, unroll, activation, use_bias, initial_state and masks change the values exactly as the oracle says."""
    run = case.run(PAGE_DIMS)
    assert_run_matches_oracle(run)


@pytest.mark.parametrize("case", [case for case in option_cases(FULL) if case.masked], ids=str)
def test_simple_rnn_masked_cases_mask(case):
    """Each masked case hides some step, and its output differs from the same call without the mask."""
    assert_mask_masks(case.run(PAGE_DIMS), replace(case, masked=False).run(PAGE_DIMS))


# sigmoid(+-30) is 1 and 1e-13 in float32: these biases hold a gate open or shut.
OPEN, SHUT = 30.0, -30.0


def test_lstm_is_simple_rnn_with_gates():
    """An LSTM with input and output gates held open and forget gate shut is the SimpleRNN of its candidate block.

    With relu (relu(relu(z)) = relu(z)): c_t = relu(x_t U_c + h_{t-1} W_c + b_c) and h_t = relu(c_t).
    """
    from lstm_spec.models.keras_under_test import keras

    features, units = PAGE_DIMS.features, PAGE_UNITS
    weights = pinned_weights([(features, 4 * units), (units, 4 * units), (4 * units,)])
    kernel, recurrent_kernel, bias = (np.split(weight, 4, axis=-1) for weight in weights)
    gate_bias = [np.full(units, OPEN), np.full(units, SHUT), bias[2], np.full(units, OPEN)]  # i, f, c, o

    inputs = keras.Input(shape=(PAGE_DIMS.seq_len, features))
    gated = keras.layers.LSTM(units, return_sequences=True, activation="relu")
    plain = keras.layers.SimpleRNN(units, return_sequences=True, activation="relu")
    model = keras.Model(inputs, [gated(inputs), plain(inputs)])
    gated.set_weights([np.concatenate(kernel, -1), np.concatenate(recurrent_kernel, -1),
                       np.concatenate(gate_bias).astype(np.float32)])
    plain.set_weights([kernel[2], recurrent_kernel[2], bias[2]])
    lstm_out, simple_rnn_out = to_numpy(model(make_inputs(PAGE_DIMS), training=False))
    assert_close("LSTM output", lstm_out, simple_rnn_out,
                 "LSTM(relu) with i, o open and f shut vs SimpleRNN(relu) with the LSTM's candidate block")

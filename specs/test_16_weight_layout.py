"""16. Weight layout: kernel, recurrent kernel and bias hold one block of units columns per gate, LSTM i, f, c, o and GRU z, r, h.

``get_weights()`` is ``[kernel (features, n*units), recurrent_kernel (units, n*units), bias]``
with the n gate blocks side by side in that order; GRU's ``reset_after=True`` bias has two rows
(input bias, recurrent bias). The default bias is zeros, except the LSTM's forget block, which
``unit_forget_bias=True`` sets to exactly 1.0.
"""

import itertools

import numpy as np
import pytest

from lstm_spec.checks import oracle
from lstm_spec.checks.assertions import assert_close, assert_differs, assert_shape
from lstm_spec.models.builders import run_recurrent
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, LSTMConfig, RecurrentConfig
from lstm_spec.models.keras_under_test import keras
from lstm_spec.models.pinned import PAGE_CELLS, call_with_weights, pinned_run, pinned_weights

CELLS = PAGE_CELLS
GATED = CELLS[:3]
# sigmoid(+-30) is 1 and 1e-13 in float32: such a bias holds a gate open or shut.
OPEN, SHUT = 30.0, -30.0


def built(config: RecurrentConfig, features: int = PAGE_DIMS.features):
    """The layer of ``config`` with its initial weights (built, never called)."""
    layer = getattr(keras.layers, config.layer)(**config.kwargs())
    layer.build((None, PAGE_DIMS.seq_len, features))
    return layer


@pytest.mark.parametrize("config", CELLS, ids=str)
def test_weights_hold_one_block_per_gate(config):
    """Each weight has one block of ``units`` columns per gate: (features, n*units), (units, n*units), bias (n*units,) or (2, n*units)."""
    gates = len(oracle.GATE_ORDER[config.layer])
    kernel, recurrent_kernel, bias = built(config).get_weights()
    width = gates * config.units
    bias_shape = (2, width) if dict(config.extra).get("reset_after") else (width,)
    for name, weight, shape in (("kernel", kernel, (PAGE_DIMS.features, width)),
                                ("recurrent_kernel", recurrent_kernel, (config.units, width)), ("bias", bias, bias_shape)):
        assert_shape(name, weight, shape, f"{config}: {gates} gate blocks of {config.units} units")


@pytest.mark.parametrize("config", GATED, ids=str)
def test_only_the_documented_gate_order_reproduces_the_output(config):
    """Of every order the gate blocks could be read in, only the documented one (LSTM i,f,c,o; GRU z,r,h) gives the layer's output."""
    run = pinned_run(config, PAGE_DIMS)
    documented = oracle.GATE_ORDER[config.layer]
    matching = []
    for order in itertools.permutations(documented):
        position = [documented.index(gate) for gate in order]  # the block read as gate k
        weights = [np.concatenate([np.split(weight, len(order), axis=-1)[index] for index in position], axis=-1)
                   for weight in run.weights]
        expected = oracle.forward(config.layer, run.inputs, weights, **config.kwargs())
        if np.allclose(np.asarray(expected[0]), run.outputs[0], rtol=oracle.RTOL, atol=oracle.ATOL):
            matching.append(order)
    assert [documented] == matching, f"gate orders reproducing {run}: {matching}"


def gate_held(config: RecurrentConfig, gate: str, bias: float):
    """``config`` on the page's input with pinned weights, except that ``gate``'s bias block is ``bias``."""
    def weights(shapes):
        drawn = pinned_weights(shapes)
        blocks = np.split(drawn[2], len(oracle.GATE_ORDER[config.layer]), axis=-1)
        blocks[oracle.GATE_ORDER[config.layer].index(gate)][...] = bias
        drawn[2] = np.concatenate(blocks, axis=-1)
        return drawn

    return call_with_weights(config, PAGE_DIMS, weights)[2]


def test_lstm_block_0_is_the_input_gate():
    """Shutting block 0 (i) keeps anything from entering the cell: c, and so h, stay 0."""
    output, _, state_c = gate_held(CELLS[0], "i", SHUT)
    assert_close("state_c", state_c, np.zeros_like(state_c), "LSTM with the bias of block 0 at -30")
    assert_close("output", output, np.zeros_like(output), "LSTM with the bias of block 0 at -30")


def test_lstm_block_3_is_the_output_gate():
    """Shutting block 3 (o) hides the cell: h is 0 while c is not."""
    output, _, state_c = gate_held(CELLS[0], "o", SHUT)
    assert_close("output", output, np.zeros_like(output), "LSTM with the bias of block 3 at -30")
    assert_differs("state_c", state_c, "zeros", np.zeros_like(state_c), "LSTM with the bias of block 3 at -30")


@pytest.mark.parametrize("config", GATED[1:], ids=str)
def test_gru_block_0_is_the_update_gate(config):
    """Holding block 0 (z) open keeps h at its initial zeros: h_t = z*h_{t-1} + (1-z)*hh = h_{t-1}."""
    output, _ = gate_held(config, "z", OPEN)
    assert_close("output", output, np.zeros_like(output), f"{config} with the bias of block 0 at +30")


def test_default_lstm_bias_is_one_in_the_forget_block():
    """The seeded LSTM(5)'s initial bias is exactly 1.0 in block 1 (f) and 0.0 in blocks i, c, o (unit_forget_bias=True)."""
    bias = run_recurrent(LSTMConfig(PAGE_UNITS), PAGE_DIMS).weights[2]
    expected = np.concatenate([np.zeros(PAGE_UNITS), np.ones(PAGE_UNITS), np.zeros(2 * PAGE_UNITS)]).astype(np.float32)
    assert expected.tolist() == bias.tolist()


def test_unit_forget_bias_false_leaves_the_bias_zero():
    """With unit_forget_bias=False the LSTM's initial bias is all zeros."""
    bias = built(LSTMConfig(PAGE_UNITS, unit_forget_bias=False)).get_weights()[2]
    assert np.zeros(4 * PAGE_UNITS).tolist() == bias.tolist()


@pytest.mark.parametrize("config", CELLS[1:], ids=str)
def test_default_gru_and_simple_rnn_bias_is_zero(config):
    """GRU and SimpleRNN start from an all-zero bias (there is no forget gate to open)."""
    bias = built(config).get_weights()[2]
    assert np.zeros(bias.shape).tolist() == bias.tolist()


def moved_into_input_row(bias: np.ndarray, gates: str) -> np.ndarray:
    """A reset_after=True GRU bias with the recurrent-row blocks of ``gates`` added into the input row."""
    rows = [oracle.gate_blocks(row, "GRU") for row in bias]
    for gate in gates:
        rows[0][gate], rows[1][gate] = rows[0][gate] + rows[1][gate], 0.0 * rows[1][gate]
    return np.stack([np.concatenate([row[gate] for gate in "zrh"]) for row in rows]).astype(np.float32)


@pytest.mark.parametrize("gates, changes", [("zr", False), ("h", True)], ids=["z,r-blocks", "h-block"])
def test_gru_reset_multiplies_the_recurrent_bias_of_the_candidate(gates, changes):
    """With reset_after=True, bias row 1 of z and r simply adds to row 0; that of h sits inside r*(h W_h + b'_h), so moving it changes the output."""
    config = GATED[1]
    run = pinned_run(config, PAGE_DIMS)
    kernel, recurrent_kernel, bias = run.weights
    moved = [kernel, recurrent_kernel, moved_into_input_row(bias, gates)]
    output = call_with_weights(config, PAGE_DIMS, moved)[2][0]
    context = f"{config} with the recurrent bias of the {gates} block(s) moved into the input bias"
    if changes:
        assert_differs("output", output, "the unmoved output", run.outputs[0], context)
    else:
        assert_close("output", output, run.outputs[0], context)

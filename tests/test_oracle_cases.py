"""The oracle's sequence handling and weight unpacking against hand-computed cases, without Keras.

``run_cell`` is driven by a running sum (``h_t = h_{t-1} + x_t``), whose every output can be worked
out by hand: it pins the step order of ``go_backwards``, what a masked step keeps, and what
``return_sequences`` and ``return_state`` return. ``use_bias=False`` must compute what an explicit
zero bias computes, for each cell. The specs compare the same options with Keras (13-15, 27, 28);
these cases keep the oracle's own logic measured by ``tests/`` alone (docs/mutation.md).
"""

import re

import numpy as np
import pytest

from lstm_spec.checks import oracle

# Two samples, three steps, one feature: sample 0 sums 1, 2, 4; sample 1 sums 8, 16, 32.
X = np.array([[1.0, 2.0, 4.0], [8.0, 16.0, 32.0]])[:, :, None]
# Sample 0 skips its middle step, sample 1 its first.
MASK = np.array([[True, False, True], [False, True, True]])


def running_sum(x, states):
    (h,) = states
    h = h + x
    return h, (h,)


def run_sum(**options):
    return oracle.run_cell(running_sum, (1,), X, **options)


def column(*rows):
    """Per-sample sequences of one-wide outputs: ``column([1, 3], [8, 24])`` has shape (2, 2, 1)."""
    return np.array(rows, dtype=float)[:, :, None]


@pytest.mark.parametrize("options, expected", [
    ({}, np.array([[7.0], [56.0]])),
    ({"return_sequences": True}, column([1, 3, 7], [8, 24, 56])),
    ({"return_sequences": True, "go_backwards": True}, column([4, 6, 7], [32, 48, 56])),
    ({"return_sequences": True, "mask": MASK}, column([1, 1, 5], [0, 16, 48])),
    ({"return_sequences": True, "mask": MASK, "zero_output_for_mask": True}, column([1, 0, 5], [0, 16, 48])),
    ({"return_sequences": True, "mask": MASK, "go_backwards": True}, column([4, 4, 5], [32, 48, 48])),
    ({"mask": MASK}, np.array([[5.0], [48.0]])),
    ({"return_sequences": True, "initial_state": [np.array([[100.0], [-100.0]])]}, column([101, 103, 107], [-92, -76, -44])),
], ids=["last-output", "return_sequences", "go_backwards", "mask", "mask+zero_output_for_mask",
        "mask+go_backwards", "mask+last-output", "initial_state"])
def test_run_cell_steps_as_keras_documents(options, expected):
    """Outputs come in processing order (last step first with go_backwards); a masked step carries the
    state over and repeats the previous output (zeros with zero_output_for_mask, and before any step)."""
    actual = run_sum(**options)
    assert expected.shape == actual.shape
    np.testing.assert_array_equal(expected, actual)


def test_run_cell_returns_the_final_states_with_return_state():
    """``return_state`` appends the final state, which a masked last step would have kept."""
    output, state = run_sum(return_state=True, mask=MASK)
    np.testing.assert_array_equal(np.array([[5.0], [48.0]]), output)
    np.testing.assert_array_equal(np.array([[5.0], [48.0]]), state)


RNG = np.random.default_rng(7)
FEATURES, UNITS = 3, 2
INPUTS = RNG.normal(size=(3, 4, FEATURES))  # a batch of 3: no (2, units) bias can broadcast into it
# Each layer's kernel, recurrent kernel and bias (shapes as get_weights() gives them), and its options.
CELLS = {
    "SimpleRNN": ([(FEATURES, UNITS), (UNITS, UNITS), (UNITS,)], {}),
    "LSTM": ([(FEATURES, 4 * UNITS), (UNITS, 4 * UNITS), (4 * UNITS,)], {}),
    "GRU(reset_after=True)": ([(FEATURES, 3 * UNITS), (UNITS, 3 * UNITS), (2, 3 * UNITS)], {"reset_after": True}),
    "GRU(reset_after=False)": ([(FEATURES, 3 * UNITS), (UNITS, 3 * UNITS), (3 * UNITS,)], {"reset_after": False}),
}


def weights_of(shapes):
    return [RNG.normal(size=shape) for shape in shapes]


@pytest.mark.parametrize("cell", CELLS)
def test_use_bias_false_computes_with_a_zero_bias(cell):
    """A cell without a bias gives what the same cell gives with a zero bias of its layer's bias shape."""
    shapes, options = CELLS[cell]
    layer = cell.split("(")[0]
    kernel, recurrent_kernel, bias = weights_of(shapes)
    without = oracle.forward(layer, INPUTS, [kernel, recurrent_kernel], use_bias=False, return_sequences=True,
                             **options)
    with_zero = oracle.forward(layer, INPUTS, [kernel, recurrent_kernel, np.zeros_like(bias)],
                               return_sequences=True, **options)
    assert (3, 4, UNITS) == without.shape
    np.testing.assert_array_equal(with_zero, without)
    with_bias = oracle.forward(layer, INPUTS, [kernel, recurrent_kernel, bias], return_sequences=True, **options)
    assert not np.allclose(with_bias, without)


def test_gru_resets_after_the_matmul_by_default():
    """GRU's default is reset_after=True, as in Keras: its (2, 3*units) bias needs no option."""
    weights = weights_of(CELLS["GRU(reset_after=True)"][0])
    np.testing.assert_array_equal(oracle.forward("GRU", INPUTS, weights, reset_after=True),
                                  oracle.forward("GRU", INPUTS, weights))


def test_value_neutral_options_change_nothing():
    """``unroll`` and ``use_cudnn`` are accepted and leave the values as they are."""
    weights = weights_of(CELLS["LSTM"][0])
    np.testing.assert_array_equal(oracle.forward("LSTM", INPUTS, weights),
                                  oracle.forward("LSTM", INPUTS, weights, unroll=True, use_cudnn=False))


@pytest.mark.parametrize("layer, weights, message", [
    ("SimpleRNN", [np.zeros((3, 2)), np.zeros((2, 2))],
     "SimpleRNN(use_bias=True) has 3 weights [kernel, recurrent_kernel, bias], got 2"),
    ("GRU", [np.zeros((3, 6)), np.zeros((2, 6))], "GRU(use_bias=True) has 3 weights [kernel, recurrent_kernel, bias], got 2"),
    ("LSTM", [np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(8)],
     "LSTM(use_bias=False) has 2 weights [kernel, recurrent_kernel], got 3"),
    ("LSTM", [np.zeros((3, 7)), np.zeros((2, 8)), np.zeros(8)],
     "LSTM weights have 4 gate blocks, but the last axis of a (3, 7) array does not split into 4 equal parts"),
    ("GRU", [np.zeros((3, 6)), np.zeros((2, 6)), np.zeros(6)],
     "GRU(reset_after=True) has a bias of shape (2, 3*units), got (6,)"),
    ("SimpleRNN", [np.zeros((3, 2)), np.zeros((2, 2)), np.zeros(2)], "units=7, but the recurrent kernel is for 2 units"),
], ids=["SimpleRNN-missing-bias", "GRU-missing-bias", "LSTM-extra-bias", "LSTM-uneven-gates", "GRU-flat-bias",
        "SimpleRNN-wrong-units"])
def test_wrong_weights_are_refused_with_the_whole_reason(layer, weights, message):
    """Weights that do not fit the layer are refused with a message naming the layer and what it needs."""
    options = {"use_bias": False} if "use_bias=False" in message else {}
    options.update({"units": 7} if "units=7" in message else {})
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        oracle.forward(layer, INPUTS, weights, **options)


def test_unimplemented_option_lists_what_is_implemented():
    """The refusal of an option lists every option the oracle's layer does implement, and only those."""
    weights = weights_of(CELLS["SimpleRNN"][0])
    implemented = ["activation_name", "go_backwards", "return_sequences", "return_state", "unroll", "use_bias",
                   "use_cudnn", "zero_output_for_mask"]
    with pytest.raises(ValueError, match=re.escape(f"does not implement ['dropout']; it implements {implemented} ")):
        oracle.forward("SimpleRNN", INPUTS, weights, dropout=0.5)

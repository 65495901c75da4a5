"""The Keras <-> PyTorch converter's NumPy side: gate blocks, biases and layouts, without PyTorch installed."""

import numpy as np
import pytest

from lstm_spec.pytorch import SKIP_REASON
from lstm_spec.pytorch.convert import (GATES, TORCH_GATES, StackLayout, cell_from_torch, cell_to_torch,
                                       reorder_blocks)

UNITS, FEATURES = 2, 3


def keras_cell(layer: str, seed: int = 0) -> list[np.ndarray]:
    """Distinct float32 values in a Keras cell's weight shapes (GRU: reset_after=True bias)."""
    rng = np.random.default_rng(seed)
    width = len(GATES[layer]) * UNITS
    bias = (2, width) if layer == "GRU" else (width,)
    return [rng.normal(size=shape).astype(np.float32) for shape in ((FEATURES, width), (UNITS, width), bias)]


def test_reorder_moves_whole_blocks():
    """Blocks z, r, h become r, z, h: the first two blocks swap, each keeping its columns."""
    matrix = np.arange(12).reshape(2, 6)
    assert [[2, 3, 0, 1, 4, 5], [8, 9, 6, 7, 10, 11]] == reorder_blocks(matrix, "zrh", "rzh").tolist()


@pytest.mark.parametrize("layer", ["LSTM", "GRU"])
def test_cell_round_trip_is_exact(layer):
    """A Keras cell's weights through PyTorch's parameters come back bit for bit."""
    weights = keras_cell(layer)
    back = cell_from_torch(layer, cell_to_torch(layer, weights, "_l0"), "_l0", bias=True)
    for original, restored in zip(weights, back):
        assert original.shape == restored.shape and np.array_equal(original, restored)


def test_gru_update_gate_goes_to_torch_block_one():
    """Keras' GRU z block (columns 0:units) is PyTorch's rows units:2*units; r goes to rows 0:units."""
    kernel = keras_cell("GRU")[0]
    weight_ih = cell_to_torch("GRU", keras_cell("GRU"), "_l0")["weight_ih_l0"]
    assert np.array_equal(kernel[:, :UNITS].T, weight_ih[UNITS:2 * UNITS])
    assert np.array_equal(kernel[:, UNITS:2 * UNITS].T, weight_ih[:UNITS])
    assert ("r", "z", "h") == TORCH_GATES["GRU"]


def test_lstm_biases_split_then_sum():
    """Keras' LSTM bias goes to bias_ih with zeros in bias_hh; from PyTorch the two are summed."""
    weights = keras_cell("LSTM")
    state = cell_to_torch("LSTM", weights, "_l0")
    assert np.array_equal(weights[2], state["bias_ih_l0"]) and not state["bias_hh_l0"].any()
    state["bias_hh_l0"] = np.ones_like(state["bias_hh_l0"])
    assert np.array_equal(weights[2] + 1, cell_from_torch("LSTM", state, "_l0", bias=True)[2])


def test_layout_lists_every_parameter_of_a_stacked_bidirectional_module():
    """Two bidirectional layers: 16 parameters, the second layer reading both directions of the first."""
    shapes = StackLayout("LSTM", FEATURES, UNITS, 2, True, True).expected_shapes()
    assert 16 == len(shapes)
    assert (8, FEATURES) == shapes["weight_ih_l0_reverse"]
    assert (8, 2 * UNITS) == shapes["weight_ih_l1"]
    assert (8, UNITS) == shapes["weight_hh_l1_reverse"]


def test_skip_reason_names_the_command():
    """Where PyTorch is missing, the specs' skip reason names the command that runs them."""
    assert "PyTorch is not installed: run `python3 suite.py matrix torch`" == SKIP_REASON

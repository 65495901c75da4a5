"""35. Weights between Keras and PyTorch: gate order, transposes, two biases, and the exact round trip.

Keras stores ``kernel (features, gates*units)``; PyTorch ``weight_ih_l0 (gates*units, features)``,
the transpose, and likewise ``recurrent_kernel`` and ``weight_hh_l0``.  The gate blocks of an LSTM
are in the same order on both sides (Keras i, f, c, o; PyTorch i, f, g, o).  A GRU's are not: Keras
z, r, h and PyTorch r, z, n, so z and r swap places.  PyTorch's LSTM has two biases
(``bias_ih``, ``bias_hh``) where Keras has one: converting from Keras puts the bias in ``bias_ih``
and zeros in ``bias_hh``, converting back sums them, so an LSTM has 4*units more parameters in
PyTorch.  Keras' ``GRU(reset_after=True)`` already has both biases (a ``(2, 3*units)`` bias) and the
same count.  Keras -> PyTorch -> Keras gives back every weight bit for bit.
"""

import numpy as np
import pytest

from lstm_spec.pytorch import SKIP_REASON

torch = pytest.importorskip("torch", reason=SKIP_REASON)

from lstm_spec.checks.assertions import assert_close, assert_count  # noqa: E402
from lstm_spec.pytorch import convert  # noqa: E402
from lstm_spec.pytorch.stacks import STACKS, built_keras_layers, keras_to_torch_run, stack_points, torch_to_keras_run  # noqa: E402

DOCUMENTED_ON = "docs/keras-vs-pytorch.md"

POINTS = [point for stack in STACKS for point in stack_points(stack)]
# Where each Keras gate block (Keras' column order, spec 16) sits among PyTorch's row blocks.
TORCH_BLOCK = {"LSTM": {"i": 0, "f": 1, "c": 2, "o": 3}, "GRU": {"z": 1, "r": 0, "h": 2}}
KERAS_BLOCK = {"LSTM": ("i", "f", "c", "o"), "GRU": ("z", "r", "h")}
EXACT = dict(rtol=0.0, atol=0.0)


def point_id(point) -> str:
    stack, dims = point
    return f"{stack}-{dims}"


def cell_suffixes(stack):
    return [f"_l{level}" + ("_reverse" if direction else "")
            for level in range(stack.num_layers) for direction in range(stack.directions)]


@pytest.mark.parametrize("point", POINTS, ids=point_id)
def test_gate_blocks_land_transposed_in_torch_order(point):
    """Keras' gate block g of kernel/recurrent_kernel/bias is PyTorch's row block TORCH_BLOCK[g], transposed."""
    run = keras_to_torch_run(*point)
    stack, units = run.stack, run.stack.units
    state = {name: value.numpy() for name, value in run.module.state_dict().items()}
    for suffix, (kernel, recurrent_kernel, bias) in zip(cell_suffixes(stack), run.cell_weights):
        input_bias = bias if stack.layer == "LSTM" else bias[0]
        recurrent_bias = np.zeros_like(bias) if stack.layer == "LSTM" else bias[1]
        sides = (("weight_ih", kernel.T), ("weight_hh", recurrent_kernel.T),
                 ("bias_ih", input_bias), ("bias_hh", recurrent_bias))
        for keras_index, gate in enumerate(KERAS_BLOCK[stack.layer]):
            torch_rows = slice(TORCH_BLOCK[stack.layer][gate] * units, (TORCH_BLOCK[stack.layer][gate] + 1) * units)
            keras_rows = slice(keras_index * units, (keras_index + 1) * units)
            for name, keras_side in sides:
                assert_close(f"{name}{suffix}[{gate} block]", state[f"{name}{suffix}"][torch_rows],
                             keras_side[keras_rows], run, run.repro(), **EXACT)


@pytest.mark.parametrize("point", POINTS, ids=point_id)
def test_keras_to_torch_to_keras_restores_every_weight_exactly(point):
    """Keras weights converted to a state_dict and into freshly built Keras layers are the original ones, bit for bit."""
    run = keras_to_torch_run(*point)
    layers = built_keras_layers(*point)
    convert.state_dict_to_keras(run.module.state_dict(), layers)
    cells = [cell for layer in layers for cell in convert.directional_layers(layer)]
    assert_count("cells", len(cells), len(run.cell_weights), run)
    for index, (cell, original) in enumerate(zip(cells, run.cell_weights)):
        for name, restored, weight in zip(("kernel", "recurrent_kernel", "bias"), cell.get_weights(), original):
            assert_close(f"cell {index} {name}", restored, weight, run, run.repro(), **EXACT)


@pytest.mark.parametrize("point", POINTS, ids=point_id)
def test_torch_to_keras_to_torch_keeps_weights_and_the_bias_sum(point):
    """PyTorch weights through Keras come back exactly; an LSTM's two biases come back as their sum plus zeros."""
    run = torch_to_keras_run(*point)
    layers = built_keras_layers(*point)
    convert.state_dict_to_keras(run.module.state_dict(), layers)
    _, returned = convert.keras_to_state_dict(layers)
    original = {name: value.numpy() for name, value in run.module.state_dict().items()}
    assert_count("len(state_dict)", len(returned), len(original), run)
    for name, value in original.items():
        if run.stack.layer == "LSTM" and name.startswith("bias_"):
            continue
        assert_close(name, returned[name], value, run, run.repro(), **EXACT)
    if run.stack.layer == "LSTM":
        for suffix in cell_suffixes(run.stack):
            summed = original[f"bias_ih{suffix}"] + original[f"bias_hh{suffix}"]
            assert_close(f"bias_ih{suffix}", returned[f"bias_ih{suffix}"], summed, run, run.repro(), **EXACT)
            assert_close(f"bias_hh{suffix}", returned[f"bias_hh{suffix}"], np.zeros_like(summed), run, run.repro(), **EXACT)


EXTRA_BIAS_PER_CELL = {"LSTM": 4, "GRU": 0}  # times units: PyTorch's second bias, which Keras' LSTM lacks


@pytest.mark.parametrize("point", POINTS, ids=point_id)
def test_parameter_counts(point):
    """PyTorch counts gates*units*(input + units + 2) per layer and direction: Keras' LSTM count plus 4*units, GRU's equal."""
    run = keras_to_torch_run(*point)
    stack, units = run.stack, run.stack.units
    gates = len(KERAS_BLOCK[stack.layer])
    widths = [run.dims.features] + [stack.directions * units] * (stack.num_layers - 1)
    formula = sum(gates * units * (width + units + 2) for width in widths) * stack.directions
    torch_count = sum(parameter.numel() for parameter in run.module.parameters())
    keras_count = sum(int(np.prod(shape)) for _, shape in run.keras_weights)
    assert_count("PyTorch parameters", torch_count, formula, run)
    assert_count("PyTorch - Keras parameters", torch_count - keras_count,
                 EXTRA_BIAS_PER_CELL[stack.layer] * units * stack.cell_count(), run)

"""Weights of the family: kernel, recurrent kernel and bias per layer, and each layer's parameter-count formula.

Each recurrent layer computes blocks of ``units`` columns side by side: the LSTM four (input,
forget, candidate, output gates), the GRU three (update, reset, candidate), the SimpleRNN one.
The GRU's default ``reset_after=True`` keeps two biases, one for the input and one for the
recurrent projection, so its bias is (2, 3*units) and it has 3*units more parameters.
"""

import pytest

from lstm_spec.checks.assertions import assert_count, assert_shape
from lstm_spec.models.configs import UNITS_GRID, RecurrentConfig
from lstm_spec.models.family import FAMILY_DIMS, built_layer
from lstm_spec.models.fixtures import input_dims_fixture

# layer -> (shapes of [kernel, recurrent_kernel, bias], parameter count) for u units and f features
FAMILY = {
    RecurrentConfig("LSTM", 5): (lambda u, f: [(f, 4 * u), (u, 4 * u), (4 * u,)], lambda u, f: 4 * u * (f + u + 1)),
    RecurrentConfig("GRU", 5): (lambda u, f: [(f, 3 * u), (u, 3 * u), (2, 3 * u)], lambda u, f: 3 * u * (f + u + 2)),
    RecurrentConfig("GRU", 5, extra=(("reset_after", False),)): (
        lambda u, f: [(f, 3 * u), (u, 3 * u), (3 * u,)], lambda u, f: 3 * u * (f + u + 1)),
    RecurrentConfig("SimpleRNN", 5): (lambda u, f: [(f, u), (u, u), (u,)], lambda u, f: u * (f + u + 1)),
}

input_dims = input_dims_fixture(*FAMILY_DIMS)


@pytest.fixture(params=list(FAMILY), ids=str)
def layer_config(request):
    """One layer of the family."""
    return request.param


@pytest.mark.parametrize("units", UNITS_GRID, ids="units={}".format)
def test_weight_shapes(layer_config, units, input_dims):
    """``get_weights()`` is [kernel (features, k*units), recurrent_kernel (units, k*units), bias], k the layer's blocks."""
    config = layer_config.with_options(units=units)
    weights = built_layer(config, input_dims).get_weights()
    expected = FAMILY[layer_config][0](units, input_dims.features)
    context = f"{config} on input {input_dims.shape}"
    assert_count("len(get_weights())", len(weights), len(expected), context)
    for name, weight, shape in zip(("kernel", "recurrent_kernel", "bias"), weights, expected):
        assert_shape(name, weight, shape, context)


@pytest.mark.parametrize("units", UNITS_GRID, ids="units={}".format)
def test_parameter_count_formula(layer_config, units, input_dims):
    """LSTM 4u(f+u+1), GRU 3u(f+u+2) (3u(f+u+1) with reset_after=False), SimpleRNN u(f+u+1) parameters."""
    config = layer_config.with_options(units=units)
    expected = FAMILY[layer_config][1](units, input_dims.features)
    actual = built_layer(config, input_dims).count_params()
    assert_count("layer.count_params()", actual, expected, f"{config} on input {input_dims.shape}")

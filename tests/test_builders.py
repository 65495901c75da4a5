"""The seeded builders: the page's float32 inputs, runs whose arrays no spec can change for the next one, and
the one seeded layer per configuration that every run of it shares."""

import numpy as np
import pytest

from lstm_spec.models.builders import DATA_SEED, SEED, make_inputs, run_recurrent, seeded_layer
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, InputDims, LSTMConfig


def test_inputs_are_the_pages_float32_standard_normal_draw():
    """``make_inputs`` is ``default_rng(0).normal(size=shape)`` as float32, the draw every repro snippet prints."""
    dims = InputDims(batch=3, seq_len=4, features=2)
    inputs = make_inputs(dims)
    assert (np.dtype(np.float32), (3, 4, 2)) == (inputs.dtype, inputs.shape)
    np.testing.assert_array_equal(np.random.default_rng(DATA_SEED).normal(size=(3, 4, 2)).astype(np.float32), inputs)


def test_a_cached_runs_arrays_are_read_only():
    """A run's outputs and weights are read-only: a spec that wrote into them would change what later specs see."""
    run = run_recurrent(LSTMConfig(PAGE_UNITS), PAGE_DIMS)
    assert [False] * (1 + len(run.weights)) == [array.flags.writeable for array in (run.outputs, *run.weights)]


def test_seeded_layer_is_the_runs_layer_for_any_batch_and_length():
    """One layer per configuration and feature count, with run_recurrent's weights, takes any batch and length."""
    config = LSTMConfig(PAGE_UNITS)
    layer = seeded_layer(config, PAGE_DIMS.features)
    assert layer is seeded_layer(config, PAGE_DIMS.features)
    run = run_recurrent(config, PAGE_DIMS)
    assert [True] * len(run.weights) == [np.array_equal(mine, theirs)
                                         for mine, theirs in zip(layer.get_weights(), run.weights)]
    shapes = [tuple(layer(make_inputs(InputDims(batch, seq_len, PAGE_DIMS.features))).shape)
              for batch, seq_len in ((1, 4), (5, 2))]
    assert [(1, PAGE_UNITS), (5, PAGE_UNITS)] == shapes


def test_seeded_layer_draws_its_weights_from_its_seed():
    """Another seed gives the same shapes and other weights."""
    config = LSTMConfig(PAGE_UNITS)
    default, other = seeded_layer(config, PAGE_DIMS.features), seeded_layer(config, PAGE_DIMS.features, SEED + 1)
    assert [w.shape for w in default.get_weights()] == [w.shape for w in other.get_weights()]
    assert not np.array_equal(default.get_weights()[0], other.get_weights()[0])


def test_seeded_layer_refuses_a_stateful_configuration():
    """A stateful layer's batch is fixed, so one layer cannot serve every input: refused, naming the builder to use."""
    config = LSTMConfig(PAGE_UNITS, stateful=True)
    with pytest.raises(ValueError) as raised:
        seeded_layer(config, PAGE_DIMS.features)
    assert (f"{config} is stateful: its batch size is fixed, so one layer cannot serve every input shape; build it "
            "for one input with lstm_spec.models.family.chain_model") == str(raised.value)

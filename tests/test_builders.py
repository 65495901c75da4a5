"""The seeded builders: the page's float32 inputs, runs whose arrays no spec can change for the next one, and
the one seeded layer per configuration that every run of it shares."""

import numpy as np
import pytest

from lstm_spec.models.builders import DATA_SEED, SEED, call_seeded, make_inputs, run_recurrent, seeded_layer
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


class CountingModel:
    """A stand-in model that doubles its input and counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, data, training):
        self.calls += 1
        return data * 2


def test_call_seeded_runs_equal_data_once_per_configuration_and_seed():
    """Equal data (another array, same shape and bytes) is served from the first call; other data, another
    configuration or seed is called again; the outputs are read-only."""
    model, config, data = CountingModel(), LSTMConfig(PAGE_UNITS), make_inputs(InputDims(2, 3, 1))
    first = call_seeded(model, config, data)
    assert first is call_seeded(model, config, data.copy())
    assert 1 == model.calls
    call_seeded(model, config, data[:1])
    call_seeded(model, config.with_options(units=1), data)
    call_seeded(model, config, data, SEED + 1)
    call_seeded(model, config, data.reshape(3, 2, 1))
    assert (5, False) == (model.calls, first.flags.writeable)
    np.testing.assert_array_equal(data * 2, first)


def test_a_runs_first_sample_alone_is_the_shorter_batchs_run():
    """The first sample of a run's input is the whole input of the same draw with batch 1, so its call is that run's."""
    config = LSTMConfig(PAGE_UNITS)
    page, single = run_recurrent(config, PAGE_DIMS), run_recurrent(config, InputDims(1, PAGE_DIMS.seq_len, PAGE_DIMS.features))
    assert single.outputs is call_seeded(page.model, config, page.inputs[:1])

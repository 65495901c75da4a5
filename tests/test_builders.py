"""The seeded builders: the page's float32 inputs, and runs whose arrays no spec can change for the next one."""

import numpy as np

from lstm_spec.models.builders import DATA_SEED, make_inputs, run_recurrent
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

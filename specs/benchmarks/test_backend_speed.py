"""Speed across Keras 3 backends: on each grid point, predict(), the eager call and the backend's own
compiled path (``tf.function(jit_compile=True)``, ``jax.jit``, ``torch.compile``), timed warm.

Run on every backend by ``python -m lstm_spec.bench.backend_speed run`` (which sets
``KERAS_BACKEND``, the environment and ``LSTM_SPEC_BACKEND_SPEED=1``); without that variable it skips,
so ``python3 suite.py bench`` times only the TensorFlow paths.  Nothing here
asserts a time: a slow machine passes.  A compiled path the backend cannot build skips, saying why.
"""

import os

import pytest

from lstm_spec.bench import backend_speed
from lstm_spec.checks.assertions import assert_shape
from lstm_spec.models.backend import KERAS_BACKEND
from lstm_spec.models.builders import make_inputs, recurrent_model

pytestmark = pytest.mark.skipif(
    not os.environ.get(backend_speed.ENABLED), reason=f"the cross-backend comparison runs when {backend_speed.ENABLED}=1, "
    "as `python -m lstm_spec.bench.backend_speed run` sets it")


@pytest.mark.parametrize("backend_path", list(backend_speed.PATHS))
def test_backend_latency(benchmark, point, backend_path):
    """One path run warm on one grid point of this backend returns the (batch, units) output."""
    config, dims = point
    model = recurrent_model(config, dims)
    infer = backend_speed.inference_path(backend_path, KERAS_BACKEND, model, make_inputs(dims))
    try:
        infer()  # the first call traces and compiles
    except Exception as error:  # noqa: BLE001 - a compiler's failure is the skip reason
        if backend_path != "compiled":
            raise
        pytest.skip(f"{backend_speed.FAST_PATH[KERAS_BACKEND]} does not run {config} on the {KERAS_BACKEND} "
                    f"backend: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
    benchmark.group = f"{config}-{dims}"
    benchmark.extra_info.update(backend=KERAS_BACKEND, backend_path=backend_path, layer=config.layer,
                                units=config.units, batch=dims.batch, seq_len=dims.seq_len, features=dims.features)
    output = benchmark(infer)
    assert_shape("output", output, (dims.batch, config.units), f"{config} on {dims.shape} via {backend_path}")

"""40. Backends: the same LSTM on TensorFlow, JAX and PyTorch, what differs by design, and cuDNN.

Every spec of the suite runs on each Keras 3 backend (``python3 suite.py matrix jax``, ``matrix
torch``) and the pinned snapshots hold on all three unchanged.  What differs by backend is stated in
tables keyed by ``KERAS_BACKEND`` (``lstm_spec.models.backend``), each checked here or in the spec
it concerns:

- ``USE_CUDNN_TRUE_WITHOUT_GPU``: ``use_cudnn=True`` where no GPU is visible.  TensorFlow refuses it
  for both layers; JAX refuses it for LSTM but runs its own fused GRU; PyTorch runs its own fused
  LSTM and GRU loops (``_fallback_lstm``/``_fallback_gru``) and never refuses.  Where it runs, the
  values are the oracle's.
- ``CUDNN_CONDITIONS``: when the cuDNN kernel runs on a GPU (Keras 3.15.1's
  ``keras/src/backend/<backend>/rnn.py`` and ``layers/rnn/lstm.py``).  Where a GPU is visible to
  the backend, the kernel's numbers must be the oracle's within its tolerance; CI has none, so
  those cases skip with the conditions as their reason.
- ``NUMPY_OF_A_TRACKED_CALL``: ``np.asarray(layer(x))`` while gradients are tracked.  PyTorch
  refuses (its tensor requires grad); the specs call models eagerly under ``torch.no_grad()``, as
  ``predict()`` does (``conftest.py``, ``lstm_spec.models.backend.inference``).
- ``TOLD`` in ``specs/test_31``: errors raised inside the engine name the engine's own exception.
"""

import os

import numpy as np
import pytest

from lstm_spec.checks.assertions import assert_raises, assert_run_matches_oracle
from lstm_spec.models.backend import (BACKENDS, KERAS_BACKEND, SEEDED_FOLDER, for_this_backend, inference,
                                      tracking_gradients, visible_gpus)
from lstm_spec.models.builders import make_inputs
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, RecurrentConfig
from lstm_spec.models.era import KERAS_ERA
from lstm_spec.models.pinned import pinned_run

RUNS = "runs: the backend's own kernel, no cuDNN"
REFUSED = (ValueError, "use_cudnn=True was specified, but cuDNN is not supported for this layer configuration "
                       "with this backend.")
# Per backend and layer: what use_cudnn=True does where no GPU is visible.
USE_CUDNN_TRUE_WITHOUT_GPU = {
    "tensorflow": {"LSTM": REFUSED, "GRU": REFUSED},
    "jax": {"LSTM": REFUSED, "GRU": RUNS},
    "torch": {"LSTM": RUNS, "GRU": RUNS},
}
_ALL = ("use_cudnn='auto' or True; activation tanh; recurrent_activation sigmoid; unroll=False; use_bias=True; "
        "recurrent_dropout=0; GRU only with reset_after=True")
# Per backend: when Keras takes the cuDNN kernel (otherwise it runs the generic loop, or torch's fused one).
CUDNN_CONDITIONS = {
    "tensorflow": f"{_ALL}; a GPU TensorFlow sees; a mask only if it is right-padded (no fully masked sample)",
    "jax": f"{_ALL}; jax.default_backend() == 'gpu'; no mask; LSTM only (jax.experimental.rnn), "
           "GRU runs JAX's own fused scan",
    "torch": f"{_ALL}; torch.cuda and cuDNN available, input on CUDA; no mask; not under torch.compile "
             "or tracing (then torch's fused loop runs instead)",
}
CELLS = (RecurrentConfig("LSTM", PAGE_UNITS), RecurrentConfig("GRU", PAGE_UNITS).with_options(reset_after=True))
EVERYTHING = dict(return_sequences=True, return_state=True, use_cudnn=True)
GPUS = visible_gpus()
NO_USE_CUDNN_ON_KERAS2 = pytest.mark.skipif(
    KERAS_ERA == 2, reason="Keras 2 has no use_cudnn argument (it refuses it): it picks the cuDNN kernel by itself")
CONVERTS = "converts"
# Per backend: what np.asarray does with an eager layer call's output while gradients are tracked.
NUMPY_OF_A_TRACKED_CALL = {
    "tensorflow": CONVERTS,
    "jax": CONVERTS,
    "torch": (RuntimeError, "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."),
}


def test_the_run_is_on_the_backend_keras_backend_names():
    """Keras runs on the backend the ``KERAS_BACKEND`` variable names (TensorFlow without it), one of the three."""
    assert os.environ.get("KERAS_BACKEND", "tensorflow") == KERAS_BACKEND
    assert KERAS_BACKEND in BACKENDS


def test_every_backend_table_names_every_backend():
    """Each backend-keyed table has an entry for TensorFlow, JAX and PyTorch, and seeded folders differ."""
    for table in (USE_CUDNN_TRUE_WITHOUT_GPU, CUDNN_CONDITIONS, NUMPY_OF_A_TRACKED_CALL, SEEDED_FOLDER):
        assert sorted(BACKENDS) == sorted(table)
    assert len(BACKENDS) == len(set(SEEDED_FOLDER.values()))


@NO_USE_CUDNN_ON_KERAS2
@pytest.mark.skipif(bool(GPUS), reason=f"the {KERAS_BACKEND} backend sees a GPU ({GPUS}): cuDNN can run there")
@pytest.mark.parametrize("config", CELLS, ids=str)
def test_use_cudnn_true_without_a_gpu(config):
    """Without a GPU, ``use_cudnn=True`` is refused or runs the backend's own kernel, per backend, giving the oracle's values."""
    expected = for_this_backend(USE_CUDNN_TRUE_WITHOUT_GPU)[config.layer]
    wanted = config.with_options(**EVERYTHING)
    if expected == RUNS:
        assert_run_matches_oracle(pinned_run(wanted, PAGE_DIMS))
        return
    error_type, message = expected
    with assert_raises(error_type, message, f"{wanted} on the {KERAS_BACKEND} backend without a GPU"):
        pinned_run(wanted, PAGE_DIMS)


@NO_USE_CUDNN_ON_KERAS2
@pytest.mark.skipif(not GPUS, reason=(
    f"no GPU is visible to the {KERAS_BACKEND} backend; on one, the cuDNN kernel runs when: "
    f"{CUDNN_CONDITIONS[KERAS_BACKEND] if KERAS_BACKEND in CUDNN_CONDITIONS else '?'}"))
@pytest.mark.parametrize("config", CELLS, ids=str)
def test_cudnn_kernel_gives_the_oracle_values_on_a_gpu(config):
    """On a GPU, ``use_cudnn=True`` (every cuDNN condition met) gives the oracle's outputs and states within its tolerance."""
    assert_run_matches_oracle(pinned_run(config.with_options(**EVERYTHING), PAGE_DIMS))


def test_numpy_of_an_eager_call_while_gradients_are_tracked():
    """``np.asarray(layer(x))`` converts on TensorFlow and JAX; on PyTorch it is refused unless gradients are off, as the specs run."""
    from lstm_spec.models.keras_under_test import keras

    layer, inputs = keras.layers.LSTM(PAGE_UNITS), make_inputs(PAGE_DIMS)
    expected = for_this_backend(NUMPY_OF_A_TRACKED_CALL)
    with tracking_gradients():
        output = layer(inputs)
        if expected == CONVERTS:
            assert (PAGE_DIMS.batch, PAGE_UNITS) == np.asarray(output).shape
        else:
            error_type, message = expected
            with assert_raises(error_type, message, f"np.asarray(LSTM output) on the {KERAS_BACKEND} backend"):
                np.asarray(output)
    with inference():
        assert (PAGE_DIMS.batch, PAGE_UNITS) == np.asarray(layer(inputs)).shape

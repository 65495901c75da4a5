"""Which Keras 3 backend runs the specs: TensorFlow, JAX or PyTorch (``KERAS_BACKEND``).

Keras 3 runs the same ``keras.layers.LSTM`` on three engines; Keras 2 has TensorFlow only.  The
backend is Keras' own answer (``keras.backend.backend()``, which follows the ``KERAS_BACKEND``
environment variable), so it is what really ran.  Where backends differ by design, a spec states
every side in a table keyed by ``KERAS_BACKEND``, the way ``era.py`` keys Keras 2 and 3; a spec
that needs TensorFlow itself is skipped elsewhere by ``needs_tensorflow`` with a reason naming the
backend.  The nox sessions ``jax`` and ``torch`` (``python3 suite.py matrix jax``) set the variable.
"""

from __future__ import annotations

import contextlib

import pytest

from lstm_spec.models.era import KERAS_ERA, TF_KERAS, era_key
from lstm_spec.models.quiet_start import filtered_stderr

# The first import of Keras may be this one (in the xdist controller, through the snapshot
# extension's seeded folder): it starts TensorFlow, whose C++ start-up lines are dropped.
with filtered_stderr():
    from lstm_spec.models.keras_under_test import keras

BACKENDS = ("tensorflow", "jax", "torch")
KERAS_BACKEND = keras.backend.backend()

# On TensorFlow, each Keras era draws its own random stream.  tf-keras 2.21 draws Keras 2.15's seeded
# weights bit for bit (the same Keras 2 initializers on TensorFlow's stateful random ops), and its outputs
# on TensorFlow 2.21 differ from those stored by at most 1.5e-7 (TensorFlow's own float32 rounding, within
# the snapshots' tolerance; the pinned/ values are bit-identical to Keras 3's on the same TensorFlow): so
# it shares Keras 2's folder.
TENSORFLOW_SEEDED_FOLDER = {2: "seeded-keras2", 3: "seeded-keras3", TF_KERAS: "seeded-keras2"}
# What a seeded snapshot's folder is named after: each backend draws its own random stream.
SEEDED_FOLDER = {"tensorflow": TENSORFLOW_SEEDED_FOLDER.get(era_key(TENSORFLOW_SEEDED_FOLDER),
                                                           f"seeded-keras{KERAS_ERA}"),
                 "jax": "seeded-jax", "torch": "seeded-torch"}



def for_this_backend(table: dict):
    """``table[KERAS_BACKEND]``, or an error naming the backends the table knows."""
    try:
        return table[KERAS_BACKEND]
    except KeyError:
        raise RuntimeError(
            f"this table knows the backends {sorted(table)}, not {KERAS_BACKEND!r}; "
            f"run with KERAS_BACKEND set to one of {', '.join(BACKENDS)}"
        ) from None


def column_for_this_run(row: dict):
    """The key of ``row``'s cell for this run, in a table keyed by Keras era whose rows name a backend
    where that backend differs (``{2: ..., 3: ..., "torch": ...}``, ``specs/test_31``): the backend on
    JAX or PyTorch when the row names it, else the era's key (``"tf-keras"`` under tf-keras when the row
    has that cell, else the Keras era: Keras 3 alike on every backend), or None when the row has neither."""
    if KERAS_BACKEND != "tensorflow" and KERAS_BACKEND in row:
        return KERAS_BACKEND
    key = era_key(row)
    return key if key in row else None


def inference():
    """A context in which eager calls run as inference, the way ``predict()`` runs them:
    ``torch.no_grad()`` on PyTorch (whose tensors otherwise track gradients and refuse
    ``np.asarray``: ``specs/test_40``), nothing on the other backends."""
    if KERAS_BACKEND == "torch":
        import torch

        return torch.no_grad()
    return contextlib.nullcontext()


def tracking_gradients():
    """The opposite of ``inference()``: ``torch.enable_grad()`` on PyTorch, nothing elsewhere."""
    if KERAS_BACKEND == "torch":
        import torch

        return torch.enable_grad()
    return contextlib.nullcontext()


def needs_tensorflow(what: str):
    """Skips a spec about TensorFlow itself (``what``) on another backend, saying which."""
    return pytest.mark.skipif(KERAS_BACKEND != "tensorflow", reason=tensorflow_only(what))


def tensorflow_only(what: str) -> str:
    """Why ``what`` is skipped on a backend other than TensorFlow."""
    return f"{what} needs the TensorFlow backend; this run is on the {KERAS_BACKEND} backend"


def _tensorflow_gpus() -> list[str]:
    import tensorflow as tf

    return [device.name for device in tf.config.list_physical_devices("GPU")]


def _jax_gpus() -> list[str]:
    import jax

    # What Keras' JAX backend asks before it takes the cuDNN path.
    return [str(device) for device in jax.devices()] if jax.default_backend() == "gpu" else []


def _torch_gpus() -> list[str]:
    import torch

    # What Keras' torch backend asks: CUDA and cuDNN both available.
    if not (torch.cuda.is_available() and torch.backends.cudnn.is_available()):
        return []
    return [torch.cuda.get_device_name(index) for index in range(torch.cuda.device_count())]


_GPUS = {"tensorflow": _tensorflow_gpus, "jax": _jax_gpus, "torch": _torch_gpus}


def visible_gpus() -> list[str]:
    """The GPUs this backend would run the LSTM on (empty on a CPU-only machine)."""
    return for_this_backend(_GPUS)()

"""Which Keras 3 backend runs the specs: TensorFlow, JAX or PyTorch (``KERAS_BACKEND``).

Keras 3 runs the same ``keras.layers.LSTM`` on three engines; Keras 2 has TensorFlow only.  The
backend is Keras' own answer (``keras.backend.backend()``, which follows the ``KERAS_BACKEND``
environment variable), so it is what really ran.  Where backends differ by design, a spec states
every side in a table keyed by ``KERAS_BACKEND``, the way ``era.py`` keys Keras 2 and 3; a spec
that needs TensorFlow itself is skipped elsewhere by ``needs_tensorflow`` with a reason naming the
backend.  The nox sessions ``jax`` and ``torch`` (``python3 suite.py matrix jax``) set the variable.
"""

from __future__ import annotations

import keras
import pytest

from lstm_spec.models.era import KERAS_ERA

BACKENDS = ("tensorflow", "jax", "torch")
KERAS_BACKEND = keras.backend.backend()

# What a seeded snapshot's folder is named after: each backend draws its own random stream
# (Keras 2 and Keras 3 on TensorFlow keep their era folders).
SEEDED_FOLDER = {"tensorflow": f"seeded-keras{KERAS_ERA}", "jax": "seeded-jax", "torch": "seeded-torch"}

# The column of an error table (``specs/test_31``): the Keras era on TensorFlow, else the backend,
# because an error raised inside the engine names the engine's own exception and message.
ERROR_COLUMN = KERAS_ERA if KERAS_BACKEND == "tensorflow" else KERAS_BACKEND


def for_this_backend(table: dict):
    """``table[KERAS_BACKEND]``, or an error naming the backends the table knows."""
    try:
        return table[KERAS_BACKEND]
    except KeyError:
        raise RuntimeError(
            f"this table knows the backends {sorted(table)}, not {KERAS_BACKEND!r}; "
            f"run with KERAS_BACKEND set to one of {', '.join(BACKENDS)}"
        ) from None


def needs_tensorflow(what: str):
    """Skips a spec about TensorFlow itself (``what``) on another backend, saying which."""
    return pytest.mark.skipif(
        KERAS_BACKEND != "tensorflow",
        reason=f"{what} needs the TensorFlow backend; this run is on the {KERAS_BACKEND} backend",
    )

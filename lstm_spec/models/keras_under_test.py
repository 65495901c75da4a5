"""The one place that names the Keras under test; specs and machinery import ``keras`` from here.

Keras 2 users on TensorFlow >= 2.16 stay on tf-keras with ``TF_USE_LEGACY_KERAS=1``: then the page's own
imports (``from tensorflow.keras.layers import LSTM``) reach tf-keras, while a plain ``import keras`` is
still the Keras 3 that TensorFlow installs beside it.  The suite tests what the page's imports reach.
"""

from __future__ import annotations

import os

# TensorFlow's own test (tensorflow/python/util/lazy_loader.py, 2.16 on): these spellings and no others.
LEGACY_KERAS = os.environ.get("TF_USE_LEGACY_KERAS") in ("true", "True", "1")

if LEGACY_KERAS:
    import tf_keras as keras  # noqa: F401  (tf.keras is this module under TF_USE_LEGACY_KERAS)
else:
    import keras  # noqa: F401

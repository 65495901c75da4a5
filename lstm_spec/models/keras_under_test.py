"""The one place that names the Keras under test; specs and machinery import ``keras`` from here.

Keras 2 users on TensorFlow >= 2.16 stay on tf-keras with ``TF_USE_LEGACY_KERAS=1``: then the page's own
imports (``from tensorflow.keras.layers import LSTM``) reach tf-keras, while a plain ``import keras`` is
still the Keras 3 that TensorFlow installs beside it.  The suite tests what the page's imports reach.
"""

from __future__ import annotations

from lstm_spec.models.era import LEGACY_KERAS

if LEGACY_KERAS:
    try:
        import tf_keras as keras  # noqa: F401  (tf.keras is this module under TF_USE_LEGACY_KERAS)
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "TF_USE_LEGACY_KERAS=1 asks for tf-keras (Keras 2 on TensorFlow >= 2.16), which is not installed here: "
            "run `python3 suite.py matrix tf-keras`, or unset TF_USE_LEGACY_KERAS to test Keras 3") from None
else:
    import keras  # noqa: F401

"""The ways to bring a Keras 2 model file to Keras 3, each a small function whose source is the recipe.

``docs/saved-models.md`` shows each function's source (``inspect``) and what it gives on the committed
Keras 2 files; ``specs/test_44_saved_migrations.py`` runs each one.  Every recipe takes the path of a file
(or folder) Keras 2 wrote; ``rebuild_and_load_weights`` also takes the function that builds the same
architecture in Keras 3 code.  ``tf_keras_load_model`` is the one recipe for Keras 2 itself on TensorFlow
2.16 or later (tf-keras, ``TF_USE_LEGACY_KERAS=1``); the others are for Keras 3.

``time_major_load_model`` is the correct migration of a model saved with ``time_major=True``: Keras 3 has no
such argument and always reads a layer's axis 0 as the batch, so the layer transposes its time-major input
to batch-major for the recurrence (and a sequence output back), keeping the Keras 2 model's contract:
(time, batch, features) in, Keras 2's outputs out.  ``popular_shim_load_model`` drops the argument instead,
which is right for ``time_major=False`` only.
"""

from __future__ import annotations

from lstm_spec.models.keras_under_test import keras


def plain_load_model(path):
    """What a Keras 3 user tries first: the Keras 2 file loaded as it is."""
    return keras.models.load_model(path)


def rebuild_and_load_weights(build, weights_path):
    """The architecture rebuilt in Keras 3 code, then the weights Keras 2's ``save_weights("w.h5")`` wrote."""
    model = build()
    model.load_weights(weights_path)
    return model


def keras_2_hard_sigmoid(x):
    """Keras 2's ``hard_sigmoid`` (slope 0.2), the recurrent activation Keras 2's ConvLSTM layers default to; Keras 3's
    function of that name has slope 1/6 (``relu6(x + 3) / 6``), and its ConvLSTM layers default to ``sigmoid``."""
    return keras.ops.clip(0.2 * x + 0.5, 0.0, 1.0)


def serving_layer(saved_model_dir):
    """Keras 2's SavedModel folder (``model.save("dir")``) as a Keras 3 layer; calling it gives a dict of outputs."""
    return keras.layers.TFSMLayer(saved_model_dir, call_endpoint="serving_default")


def tf_keras_load_model(path):
    """Keras 2 kept on TensorFlow 2.16+: ``pip install tf_keras``, ``TF_USE_LEGACY_KERAS=1`` before TensorFlow
    is imported, and ``tf.keras`` is tf-keras."""
    import tensorflow as tf

    return tf.keras.models.load_model(path)


def popular_shim_load_model(path):
    """The workaround many projects copy: an LSTM that swallows ``time_major``, whatever its value."""

    class LSTM(keras.layers.LSTM):
        def __init__(self, *args, time_major=False, **kwargs):
            super().__init__(*args, **kwargs)

    return keras.models.load_model(path, custom_objects={"LSTM": LSTM})


class TimeMajorLSTM(keras.layers.LSTM):
    """Keras 2's ``LSTM(time_major=True)`` on Keras 3: (time, batch, features) in, time-major sequences out.

    ``predict()`` cuts its input along axis 0, which is time here: call the model, or predict with ``batch_size`` at
    least the number of time steps (with ``batch_size=1`` the page's 2 steps give h of shape (6, 5), not (3, 5))."""

    def __init__(self, *args, time_major=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_major = time_major

    def _batch_major(self, shape):
        return (shape[1], shape[0], *shape[2:]) if self.time_major else tuple(shape)

    def build(self, sequences_shape, initial_state_shape=None):
        super().build(self._batch_major(sequences_shape), initial_state_shape)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shapes = super().compute_output_shape(self._batch_major(sequences_shape), initial_state_shape)
        if not (self.time_major and self.return_sequences):
            return shapes
        if self.return_state:
            return (self._batch_major(shapes[0]), *shapes[1:])
        return self._batch_major(shapes)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if self.time_major:
            sequences = keras.ops.transpose(sequences, (1, 0, 2))
        outputs = super().call(sequences, initial_state=initial_state, mask=mask, training=training)
        if not (self.time_major and self.return_sequences):
            return outputs
        if self.return_state:
            return (keras.ops.transpose(outputs[0], (1, 0, 2)), *outputs[1:])
        return keras.ops.transpose(outputs, (1, 0, 2))

    def get_config(self):
        return {**super().get_config(), "time_major": self.time_major}


def time_major_load_model(path):
    """The correct migration: ``time_major`` kept, the layer reading (time, batch, features) as Keras 2 did."""
    return keras.models.load_model(path, custom_objects={"LSTM": TimeMajorLSTM})


# The recipes in the order the page gives them.
RECIPES = (plain_load_model, rebuild_and_load_weights, serving_layer, tf_keras_load_model,
           popular_shim_load_model, time_major_load_model)

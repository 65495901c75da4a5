"""The one function a migrated file may need: Keras 2's ``hard_sigmoid``, as ``lstm_spec>keras_2_hard_sigmoid``.

``import lstm_spec.own_model.registered`` before ``keras.models.load_model`` loads a file that ``migrate
--keep-hard-sigmoid`` wrote; without this project, pass ``custom_objects={"keras_2_hard_sigmoid": f}`` with ``f``
the two lines of ``lstm_spec.saving.migrations.keras_2_hard_sigmoid``.
"""

import keras

from lstm_spec.saving.migrations import keras_2_hard_sigmoid

keras.saving.register_keras_serializable(package="lstm_spec", name="keras_2_hard_sigmoid")(keras_2_hard_sigmoid)

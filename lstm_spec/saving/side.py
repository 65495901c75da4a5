"""Which Keras writes and reads the saved files in this run: its era and its column in the saving tables.

tf-keras (``TF_USE_LEGACY_KERAS=1``) is Keras 2 on a Keras 3 era TensorFlow: its files are Keras 2 files,
so its era here is 2, while ``lstm_spec.models.era.KERAS_ERA`` reads the ``keras`` distribution (3).
A table row may name ``"tf-keras"`` where tf-keras differs from Keras 2.15, as it names ``"jax"`` or
``"torch"`` where a backend differs (``lstm_spec.models.backend.column_for_this_run``).
"""

from __future__ import annotations

import os

from lstm_spec.models import builders
from lstm_spec.models.backend import column_for_this_run
from lstm_spec.models.era import KERAS_ERA
from lstm_spec.models.keras_under_test import LEGACY_KERAS, keras

SAVING_ERA = 2 if LEGACY_KERAS else KERAS_ERA
# LSTM_SPEC_SAVED_ALL=1: the saving specs (41, 43) run their whole case x format matrix, not the default selection
# that keeps every stated outcome but costs a fraction of the run (the budget: +25 % to the spec run).
WHOLE_MATRIX = os.environ.get("LSTM_SPEC_SAVED_ALL") == "1"
SIDE = "tf-keras" if LEGACY_KERAS else f"keras{KERAS_ERA}"
# The builders of lstm_spec.models build with the Keras they import; until they import the Keras under
# test (keras_under_test), a tf-keras run would save Keras 3 models with tf-keras and compare nothing real.
BUILDERS_BUILD_THE_KERAS_UNDER_TEST = builders.keras is keras
NOT_UNDER_TEST = (f"lstm_spec.models builds {builders.keras.__name__} {builders.keras.__version__} models, not the "
                  f"Keras under test ({keras.__name__} {keras.__version__}): the saving specs need both the same")


def column(row: dict):
    """The key of ``row``'s cell for this run: ``"tf-keras"`` under tf-keras when the row names it, else the
    saving era (2 under tf-keras), else the backend or era as ``column_for_this_run`` chooses."""
    if LEGACY_KERAS:
        return "tf-keras" if "tf-keras" in row else (2 if 2 in row else None)
    return column_for_this_run(row)


def cell(row: dict, default=None):
    """``row[column(row)]``, or ``default`` when the row has no cell for this run."""
    key = column(row)
    return default if key is None else row[key]

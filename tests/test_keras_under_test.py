"""The Keras under test is the one the page's imports reach, and the era tables name it (``lstm_spec.models.era``)."""

import pytest

from lstm_spec.models import era
from lstm_spec.models.backend import needs_tensorflow
from lstm_spec.models.keras_under_test import keras


@needs_tensorflow("the page's `from tensorflow.keras.layers import LSTM`")
def test_the_keras_under_test_is_the_one_the_pages_imports_reach():
    """``from tensorflow.keras.layers import LSTM`` is the suite's ``keras.layers.LSTM``: tf-keras's under
    TF_USE_LEGACY_KERAS=1, else Keras' own."""
    from tensorflow.keras.layers import LSTM

    assert keras.layers.LSTM is LSTM
    assert ("tf_keras" if era.LEGACY_KERAS else "keras") == LSTM.__module__.split(".")[0]


def test_the_era_names_the_keras_under_test():
    """KERAS_DISTRIBUTION, KERAS_VERSION and KERAS_ERA describe the imported Keras, tf-keras under TF_USE_LEGACY_KERAS."""
    assert era.LEGACY_KERAS == (era.KERAS_DISTRIBUTION == era.TF_KERAS) == (keras.__name__ == "tf_keras")
    assert keras.__version__ == era.KERAS_VERSION == era.installed_version(era.KERAS_DISTRIBUTION)
    assert int(keras.__version__.split(".")[0]) == era.KERAS_ERA
    assert (f"tf-keras {keras.__version__}" if era.LEGACY_KERAS else f"Keras {era.KERAS_ERA}") == era.KERAS_NAME


@pytest.mark.parametrize("flavour, expected", [(2, "Keras 2.15"), (3, "Keras 3"), ("tf-keras", "tf-keras 2.21")],
                         ids=["keras2", "keras3", "tf-keras"])
def test_a_tf_keras_cell_is_read_only_under_tf_keras(monkeypatch, flavour, expected):
    """A table keyed by era gives tf-keras its own cell where it has one, and the Keras 2 cell where it has none."""
    monkeypatch.setattr(era, "KERAS_ERA", 3 if flavour == 3 else 2)
    monkeypatch.setattr(era, "KERAS_FLAVOUR", flavour)
    assert expected == era.for_this_era({2: "Keras 2.15", 3: "Keras 3", era.TF_KERAS: "tf-keras 2.21"})
    assert {3: "Keras 3"}.get(era.KERAS_ERA, "Keras 2") == era.for_this_era({2: "Keras 2", 3: "Keras 3"})

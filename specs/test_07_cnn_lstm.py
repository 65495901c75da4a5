"""7. CNN -> LSTM: a Conv1D and a MaxPooling1D shorten and reshape the sequence before the LSTM."""

import pytest

from lstm_spec.models.architectures import call_model, cnn_lstm
from lstm_spec.checks.assertions import assert_count, assert_layer_table, assert_shape
from lstm_spec.models.builders import make_inputs
from lstm_spec.models.configs import PAGE_DIMS

# (layer, output shape, parameters), as the page's summary shows them.
CNN_LSTM_LAYERS = [
    ("InputLayer", (None, 9, 3), 0),
    ("Conv1D", (None, 9, 2), 14),  # 2 filters * (kernel 2 * 3 channels) + 2 biases
    ("MaxPooling1D", (None, 5, 2), 0),  # pool 2, padding="same": ceil(9 / 2) = 5
    ("LSTM", (None, 5), 160),  # 4 * 5 * (2 + 5 + 1)
]


@pytest.fixture(scope="module")
def model():
    return cnn_lstm()


def test_layer_shapes_and_parameters(model):
    """Conv1D gives (None, 9, 2) with 14 parameters, pooling (None, 5, 2), the LSTM (None, 5) with 160."""
    assert_layer_table(model, CNN_LSTM_LAYERS, "cnn_lstm()")


def test_total_parameters(model):
    """The model has 174 parameters in all."""
    assert_count("model.count_params()", model.count_params(), 174, "cnn_lstm()")


def test_prediction_is_batch_by_units(model):
    """On the page's (2, 9, 3) data the model predicts (2, 5)."""
    assert_shape("out", call_model("cnn_lstm()", model, make_inputs(PAGE_DIMS)), (2, 5), "cnn_lstm()")

"""9. LSTM -> 1D CNN: return_sequences=True hands the whole sequence to a Conv1D."""

import pytest

from lstm_spec.models.architectures import call_model, lstm_cnn
from lstm_spec.checks.assertions import assert_count, assert_layer_table, assert_shape
from lstm_spec.models.builders import make_inputs
from lstm_spec.models.configs import INPUT_GRID, InputDims

LSTM_CNN_LAYERS = [
    ("InputLayer", (None, 9, 3), 0),
    ("LSTM", (None, 9, 5), 180),  # 4 * 5 * (3 + 5 + 1)
    ("Conv1D", (None, 8, 64), 704),  # kernel 2, padding "valid": 9 - 2 + 1 = 8; 64 * (2 * 5) + 64
    ("MaxPooling1D", (None, 4, 64), 0),  # pool 2: 8 // 2 = 4
    ("Flatten", (None, 256), 0),  # 4 * 64
]


@pytest.fixture(scope="module")
def model():
    return lstm_cnn()


def test_layer_shapes_and_parameters(model):
    """LSTM (None, 9, 5), Conv1D (None, 8, 64), MaxPooling1D (None, 4, 64), Flatten (None, 256)."""
    assert_layer_table(model, LSTM_CNN_LAYERS, "lstm_cnn()")


def test_total_parameters(model):
    """The model has 884 parameters in all."""
    assert_count("model.count_params()", model.count_params(), 884, "lstm_cnn()")


@pytest.mark.parametrize("batch", sorted({dims.batch for dims in INPUT_GRID}), ids="batch={}".format)
def test_prediction_is_batch_by_256(model, batch):
    """``model.predict(data)`` gives (batch, 256) for any batch size, (2, 256) on the page's data."""
    data = make_inputs(InputDims(batch=batch, seq_len=9, features=3))
    out = call_model("lstm_cnn()", model, data, predict=True)
    assert_shape("out", out, (batch, 256), f"lstm_cnn() on batch={batch}")

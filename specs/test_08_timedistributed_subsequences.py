"""8. TimeDistributed CNN -> LSTM: the sequence cut into sub-sequences, one CNN applied to each."""

import pytest

from lstm_spec.models.architectures import call_model, subsequence_lstm
from lstm_spec.checks.assertions import assert_count, assert_layer_table, assert_shape
from lstm_spec.models.builders import make_inputs
from lstm_spec.models.configs import PAGE_DIMS

# 9 steps = 3 sub-sequences of 3 steps; TimeDistributed applies its layer to each sub-sequence.
SUBSEQUENCE_LSTM_LAYERS = [
    ("InputLayer", (None, 9, 3), 0),
    ("Reshape", (None, 3, 3, 3), 0),
    ("TimeDistributed", (None, 3, 3, 2), 14),  # one Conv1D, its 14 weights shared by the sub-sequences
    ("TimeDistributed", (None, 3, 2, 2), 0),  # MaxPooling1D(padding="same"): ceil(3 / 2) = 2
    ("TimeDistributed", (None, 3, 4), 0),  # Flatten: 2 * 2 = 4 features per sub-sequence
    ("LSTM", (None, 5), 200),  # 4 * 5 * (4 + 5 + 1)
]


@pytest.fixture(scope="module")
def model():
    return subsequence_lstm()


def test_layer_shapes_and_parameters(model):
    """Reshape (None, 3, 3, 3), Conv1D (None, 3, 3, 2), pooling (None, 3, 2, 2), Flatten (None, 3, 4), LSTM 200 parameters."""
    assert_layer_table(model, SUBSEQUENCE_LSTM_LAYERS, "subsequence_lstm()")


def test_total_parameters(model):
    """The model has 214 parameters in all."""
    assert_count("model.count_params()", model.count_params(), 214, "subsequence_lstm()")


def test_prediction_is_batch_by_units(model):
    """On the page's (2, 9, 3) data the model predicts (2, 5): one LSTM step per sub-sequence."""
    assert_shape("out", call_model("subsequence_lstm()", model, make_inputs(PAGE_DIMS)), (2, 5), "subsequence_lstm()")

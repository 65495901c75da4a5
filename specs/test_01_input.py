"""1. Input to LSTM: the input is 3D, (batch_size, sequence_length, num_inputs)."""

import numpy as np

from lstm_spec.checks.assertions import assert_count, assert_shape
from lstm_spec.models.builders import make_inputs
from lstm_spec.models.fixtures import lstm_fixture

lstm = lstm_fixture(return_sequences=False, return_state=False)


def test_model_has_one_input_of_none_seq_len_features(lstm_run):
    """``Model(...).inputs`` is one symbolic tensor of shape (None, seq_len, features): the batch is left open."""
    dims = lstm_run.dims
    assert_count("len(model.inputs)", len(lstm_run.model.inputs), 1, lstm_run)
    assert_shape("model.inputs[0]", lstm_run.model.inputs[0], (None, dims.seq_len, dims.features), lstm_run)


def test_data_is_batch_seq_len_features(input_dims):
    """The data fed to the model is (batch, seq_len, features), the page's (2, 9, 3) among them."""
    assert_shape("data", make_inputs(input_dims), input_dims.shape, input_dims)
    assert np.float32 == make_inputs(input_dims).dtype

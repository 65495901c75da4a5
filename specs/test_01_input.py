"""1. Input to LSTM: the input is 3D, (batch_size, sequence_length, num_inputs)."""

from lstm_spec.checks.assertions import assert_close, assert_count, assert_shape
from lstm_spec.models.builders import call_seeded
from lstm_spec.models.fixtures import lstm_fixture

lstm = lstm_fixture(return_sequences=False, return_state=False)


def test_model_has_one_input_of_none_seq_len_features(lstm_run):
    """``Model(...).inputs`` is one symbolic tensor of shape (None, seq_len, features): the batch is left open."""
    dims = lstm_run.dims
    assert_count("len(model.inputs)", len(lstm_run.model.inputs), 1, lstm_run)
    assert_shape("model.inputs[0]", lstm_run.model.inputs[0], (None, dims.seq_len, dims.features), lstm_run)


def test_axis_0_of_the_data_is_the_batch(lstm_run):
    """Data (batch, seq_len, features) is read with axis 0 as the batch: each sample's output is that sample's output alone."""
    for sample in range(lstm_run.dims.batch):
        alone = call_seeded(lstm_run.model, lstm_run.config, lstm_run.inputs[sample:sample + 1])
        assert_close(f"out[{sample}]", lstm_run.outputs[sample], alone[0], lstm_run, lstm_run.repro())

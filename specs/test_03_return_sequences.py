"""3. return_sequences=True: the hidden state (= output) at every time step, (batch, seq_len, units)."""

from lstm_spec.checks.assertions import assert_close, assert_shape
from lstm_spec.models.builders import run_recurrent
from lstm_spec.models.fixtures import lstm_fixture

lstm = lstm_fixture(return_sequences=True, return_state=False)


def test_sequence_output_is_batch_seq_len_units(lstm_run):
    """``return_sequences=True`` returns one array of shape (batch, seq_len, units)."""
    dims = lstm_run.dims
    assert_shape("out", lstm_run.outputs, (dims.batch, dims.seq_len, lstm_run.config.units), lstm_run, lstm_run.repro())


def test_last_step_is_the_default_output(lstm_run):
    """The last time step of the sequence equals the default output of an LSTM with the same weights."""
    default = run_recurrent(lstm_run.config.defaults, lstm_run.dims)
    for index, (weight, default_weight) in enumerate(zip(lstm_run.weights, default.weights)):
        assert_close(f"weights[{index}]", weight, default_weight, "same seed, same weights")
    assert_close("out[:, -1, :]", lstm_run.outputs[:, -1, :], default.outputs, lstm_run, lstm_run.repro())


def test_sequence_output_values(lstm_run, snapshot):
    """The seeded sequence output is pinned."""
    assert snapshot == lstm_run.outputs

"""5. return_sequences=True and return_state=True: the whole sequence, then h and c of the last step."""

from lstm_spec.checks.assertions import assert_close, assert_count, assert_differs, assert_shape
from lstm_spec.models.fixtures import lstm_fixture

lstm = lstm_fixture(return_sequences=True, return_state=True)


def test_sequence_then_h_and_c(lstm_run):
    """Three arrays: the sequence (batch, seq_len, units), then h and c, each (batch, units)."""
    dims, units = lstm_run.dims, lstm_run.config.units
    assert_count("len(outputs)", len(lstm_run.outputs), 3, lstm_run, lstm_run.repro())
    sequence, state_h, state_c = lstm_run.outputs
    assert_shape("sequence", sequence, (dims.batch, dims.seq_len, units), lstm_run, lstm_run.repro())
    assert_shape("state_h", state_h, (dims.batch, units), lstm_run, lstm_run.repro())
    assert_shape("state_c", state_c, (dims.batch, units), lstm_run, lstm_run.repro())


def test_h_is_the_last_step_and_c_is_not(lstm_run):
    """state_h equals the sequence's last step; state_c, the cell state, does not."""
    sequence, state_h, state_c = lstm_run.outputs
    assert_close("sequence[:, -1, :]", sequence[:, -1, :], state_h, lstm_run, lstm_run.repro())
    assert_differs("state_c", state_c, "state_h", state_h, lstm_run, lstm_run.repro())


def test_sequence_h_c_values(lstm_run, snapshot):
    """The seeded sequence, h and c are pinned."""
    sequence, state_h, state_c = lstm_run.outputs
    assert snapshot == {"sequence": sequence, "state_h": state_h, "state_c": state_c}

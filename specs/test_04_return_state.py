"""4. return_state=True: three arrays [output, h, c], each (batch, units); output is h, c is the cell state."""

from lstm_spec.checks.assertions import assert_close, assert_count, assert_differs, assert_shape, assert_type
from lstm_spec.models.era import SEVERAL_OUTPUTS_TYPE, for_this_era
from lstm_spec.models.fixtures import lstm_fixture

lstm = lstm_fixture(return_sequences=False, return_state=True)


def test_returns_output_h_and_c_each_batch_by_units(lstm_run):
    """``lstm1, state_h, state_c = LSTM(units, return_state=True)(inputs)``: three arrays of shape (batch, units)."""
    assert_count("len(outputs)", len(lstm_run.outputs), 3, lstm_run, lstm_run.repro())
    expected = (lstm_run.dims.batch, lstm_run.config.units)
    for name, array in zip(("output", "state_h", "state_c"), lstm_run.outputs):
        assert_shape(name, array, expected, lstm_run, lstm_run.repro())


def test_output_equals_h(lstm_run):
    """The output is the last hidden state: output and state_h hold the same values."""
    output, state_h, _ = lstm_run.outputs
    assert_close("output", output, state_h, lstm_run, lstm_run.repro())


def test_c_is_not_h(lstm_run):
    """state_c is the cell state, a different quantity from the hidden state state_h."""
    _, state_h, state_c = lstm_run.outputs
    assert_differs("state_c", state_c, "state_h", state_h, lstm_run, lstm_run.repro())


def test_output_h_c_values(lstm_run, snapshot):
    """The seeded output, h and c are pinned."""
    output, state_h, state_c = lstm_run.outputs
    assert snapshot == {"output": output, "state_h": state_h, "state_c": state_c}


def test_outputs_come_in_this_eras_sequence_type(lstm_run):
    """The three arrays come as a list on Keras 2 and as a tuple on Keras 3 (unpacking works on both)."""
    assert_type("outputs", lstm_run.outputs, for_this_era(SEVERAL_OUTPUTS_TYPE), lstm_run, lstm_run.repro())

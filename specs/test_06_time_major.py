"""6. time_major: what it really means, and how to feed time-major data on Keras 3.

The page says ``time_major=True`` means "the last dimension represents time and the second last
the input features".  That is wrong.  On Keras 2, ``time_major=True`` reads axis 0 as time and
axis 1 as the batch: input (time, batch, features).  The page fed data of shape (2, 3, 9) and got
h of shape (3, 5) because its axis 1 (size 3, its feature count) was taken as the batch.
Keras 3 removed the argument; time-major data is transposed to batch-major before the call.
"""

import numpy as np
import pytest

from lstm_spec.assertions import assert_close, assert_shape
from lstm_spec.builders import make_inputs, run_recurrent
from lstm_spec.configs import PAGE_DIMS, PAGE_UNITS, InputDims, LSTMConfig
from lstm_spec.era import KERAS_ERA
from lstm_spec.fixtures import lstm_fixture

# What each Keras era does with LSTM(units, time_major=...); the Keras 2 side is specified by
# the version-matrix run (TensorFlow <= 2.15).
TIME_MAJOR_ARGUMENT = {
    3: (ValueError, "Unrecognized keyword arguments passed to LSTM: {{'time_major': {value}}}"),
}

lstm = lstm_fixture(return_sequences=False, return_state=False)


@pytest.mark.skipif(KERAS_ERA not in TIME_MAJOR_ARGUMENT, reason=f"Keras {KERAS_ERA} accepts time_major")
@pytest.mark.parametrize("value", [True, False])
def test_time_major_argument_is_rejected(value):
    """Keras 3 rejects ``time_major`` (either value) with a ValueError naming the argument."""
    import keras

    error_type, message = TIME_MAJOR_ARGUMENT[KERAS_ERA]
    with pytest.raises(error_type) as raised:
        keras.layers.LSTM(PAGE_UNITS, time_major=value)
    assert message.format(value=value) == str(raised.value)


def test_time_major_data_is_transposed_to_batch_major(lstm_run):
    """Time-major data (seq_len, batch, features), transposed with (1, 0, 2), gives the batch-major output."""
    dims = lstm_run.dims
    time_major_data = np.transpose(lstm_run.inputs, (1, 0, 2))
    assert_shape("time_major_data", time_major_data, (dims.seq_len, dims.batch, dims.features))
    batch_major = np.transpose(time_major_data, (1, 0, 2))
    output = lstm_run.model(batch_major, training=False)
    assert_shape("out", output, (dims.batch, lstm_run.config.units), lstm_run, lstm_run.repro())
    assert_close("out", output, lstm_run.outputs, lstm_run, lstm_run.repro())


def test_untransposed_time_major_data_is_read_with_time_as_the_batch():
    """Fed as is, time-major data is not rejected: axis 0 (time) is silently read as the batch."""
    page = PAGE_DIMS
    time_major_data = np.transpose(make_inputs(page), (1, 0, 2))  # (9, 2, 3)
    misread = InputDims(batch=page.seq_len, seq_len=page.batch, features=page.features)
    run = run_recurrent(LSTMConfig(units=PAGE_UNITS), misread)
    output = run.model(time_major_data, training=False)
    assert_shape("out", output, (page.seq_len, PAGE_UNITS), run, run.repro())


def test_page_time_major_output_has_its_feature_axis_as_batch():
    """The page's (2, 3, 9) data gave h of shape (3, 5): axis 1, of size 3, was read as the batch."""
    page_data = np.moveaxis(make_inputs(PAGE_DIMS), [1, 2], [2, 1])
    assert_shape("page_data", page_data, (2, 3, 9))
    # Keras 2's time_major=True reads (time=2, batch=3, features=9); Keras 3 takes that batch-major.
    as_keras_2_reads_it = np.transpose(page_data, (1, 0, 2))
    run = run_recurrent(LSTMConfig(units=PAGE_UNITS), InputDims(batch=3, seq_len=2, features=9))
    output = run.model(as_keras_2_reads_it, training=False)
    assert_shape("h", output, (page_data.shape[1], PAGE_UNITS), run, run.repro())

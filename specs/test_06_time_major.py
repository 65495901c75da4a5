"""6. time_major: what it really means, and how to feed time-major data on Keras 3.

The page says ``time_major=True`` means "the last dimension represents time and the second last
the input features".  That is wrong.  On Keras 2, ``time_major=True`` reads axis 0 as time and
axis 1 as the batch: input (time, batch, features).  The page fed data of shape (2, 3, 9) and got
h of shape (3, 5) because its axis 1 (size 3, its feature count) was taken as the batch.
On Keras 2 the time-major layer equals the batch-major one on ``transpose(x, (1, 0, 2))``, and with
``return_sequences`` its output is time-major too: (time, batch, units).
Keras 3 removed the argument; time-major data is transposed to batch-major before the call.
"""

import numpy as np
import pytest

from lstm_spec.checks import oracle
from lstm_spec.checks.assertions import assert_close, assert_count, assert_matches_oracle, assert_shape
from lstm_spec.models.builders import call_seeded, fresh_keras, make_inputs, run_recurrent
from lstm_spec.models.configs import INPUT_GRID, PAGE_DIMS, PAGE_UNITS, LSTMConfig
from lstm_spec.models.era import KERAS_NAME, for_this_era
from lstm_spec.models.fixtures import lstm_fixture
from lstm_spec.models.keras_under_test import keras

# What each Keras era does with LSTM(units, time_major=...): Keras 2 (TensorFlow <= 2.15) reads
# time-major input, Keras 3 rejects the argument.
READS_TIME_BATCH_FEATURES = "reads input as (time, batch, features)"
TIME_MAJOR_ARGUMENT = {
    2: READS_TIME_BATCH_FEATURES,
    3: (ValueError, "Unrecognized keyword arguments passed to LSTM: {{'time_major': {value}}}"),
}
ACCEPTED = for_this_era(TIME_MAJOR_ARGUMENT) == READS_TIME_BATCH_FEATURES
only_where_accepted = pytest.mark.skipif(
    not ACCEPTED, reason=f"{KERAS_NAME} has no time_major argument (it rejects it: see the test above)")

lstm = lstm_fixture(return_sequences=False, return_state=False)


def time_major_twin(run):
    """``run``'s layer rebuilt with time_major=True and given the same weights (Keras 2)."""
    fresh_keras()
    layer = keras.layers.LSTM(**run.config.with_options(time_major=True).kwargs())
    layer.build((run.dims.seq_len, run.dims.batch, run.dims.features))
    layer.set_weights(list(run.weights))
    return layer


@pytest.mark.skipif(ACCEPTED, reason=f"{KERAS_NAME} accepts time_major (specified by the tests below)")
@pytest.mark.parametrize("value", [True, False])
def test_time_major_argument_is_rejected(value):
    """Keras 3 rejects ``time_major`` (either value) with a ValueError naming the argument."""
    error_type, message = for_this_era(TIME_MAJOR_ARGUMENT)
    with pytest.raises(error_type) as raised:
        keras.layers.LSTM(PAGE_UNITS, time_major=value)
    assert message.format(value=value) == str(raised.value)


def test_time_major_data_is_transposed_to_batch_major(lstm_run):
    """Time-major data (seq_len, batch, features), transposed with (1, 0, 2), gives the recurrence stepped along its axis 0."""
    dims = lstm_run.dims
    time_major_data = np.ascontiguousarray(np.transpose(lstm_run.inputs, (1, 0, 2)))  # the run's data, time-major
    step, state_widths = oracle.lstm_step(lstm_run.weights)
    states = tuple(np.zeros((dims.batch, width)) for width in state_widths)
    for x_t in time_major_data:  # time-major: step t is time_major_data[t], the whole batch at once
        h, states = step(x_t, states)
    output = call_seeded(lstm_run.model, lstm_run.config, np.transpose(time_major_data, (1, 0, 2)))
    assert_matches_oracle(output, h, lstm_run, lstm_run.repro())


def test_untransposed_time_major_data_is_read_with_time_as_the_batch():
    """Fed as is to a layer built for no shape, time-major data is not rejected: axis 0 (time) is silently read as the batch."""
    page = PAGE_DIMS
    time_major_data = np.transpose(make_inputs(page), (1, 0, 2))  # (9, 2, 3)
    fresh_keras()
    output = keras.layers.LSTM(PAGE_UNITS)(time_major_data)
    assert_shape("out", output, (page.seq_len, PAGE_UNITS), "LSTM(5) called on time-major data (9, 2, 3)")


def test_page_data_without_time_major_keeps_axis_0_as_batch():
    """Without time_major, the page's (2, 3, 9) data gives h of shape (2, 5), not the page's (3, 5): only Keras 2's time_major read axis 1 as the batch."""
    page_data = np.moveaxis(make_inputs(PAGE_DIMS), [1, 2], [2, 1])
    assert_shape("page_data", page_data, (2, 3, 9))
    fresh_keras()
    outputs = keras.layers.LSTM(PAGE_UNITS, return_state=True)(page_data)
    assert_count("len(outputs)", len(outputs), 3, "the page's call without time_major")
    for name, array in zip(("output", "state_h", "state_c"), outputs):
        assert_shape(name, array, (page_data.shape[0], PAGE_UNITS), "LSTM(5, return_state=True) on (2, 3, 9)")


@only_where_accepted
@pytest.mark.parametrize("dims", [PAGE_DIMS, INPUT_GRID[-1]], ids=str)
@pytest.mark.parametrize("return_sequences", [False, True], ids=lambda flag: f"return_sequences={flag}")
def test_time_major_layer_equals_batch_major_on_transposed_data(dims, return_sequences):
    """Keras 2: LSTM(time_major=True) on (time, batch, features) equals the batch-major LSTM; a sequence output is (time, batch, units)."""
    run = run_recurrent(LSTMConfig(PAGE_UNITS, return_sequences=return_sequences), dims)
    dims, units = run.dims, run.config.units
    output = time_major_twin(run)(np.transpose(run.inputs, (1, 0, 2)), training=False)
    if return_sequences:
        assert_shape("out", output, (dims.seq_len, dims.batch, units), run, run.repro())
        assert_close("out", np.transpose(output, (1, 0, 2)), run.outputs, run, run.repro())
    else:
        assert_shape("out", output, (dims.batch, units), run, run.repro())
        assert_close("out", output, run.outputs, run, run.repro())


@only_where_accepted
def test_page_time_major_call_reads_its_feature_axis_as_batch():
    """Keras 2: the page's LSTM(5, time_major=True, return_state=True) on (2, 3, 9) gives h of shape (3, 5), as the page printed."""
    page_data = np.moveaxis(make_inputs(PAGE_DIMS), [1, 2], [2, 1])
    fresh_keras()
    outputs = keras.layers.LSTM(PAGE_UNITS, time_major=True, return_state=True)(page_data)
    assert_count("len(outputs)", len(outputs), 3, "the page's time-major call")
    for name, array in zip(("output", "state_h", "state_c"), outputs):
        assert_shape(name, array, (3, PAGE_UNITS), "the page's time-major call on (2, 3, 9)")

"""2. Output from LSTM: by default one 2D array, (batch_size, units): the last hidden state."""

import numpy as np
import pytest

from lstm_spec.checks.assertions import assert_close, assert_shape
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, LSTMConfig
from lstm_spec.models.fixtures import lstm_fixture

lstm = lstm_fixture(return_sequences=False, return_state=False)


def test_default_output_is_batch_by_units(lstm_run):
    """With default options the LSTM returns a single array of shape (batch, units)."""
    assert isinstance(lstm_run.outputs, np.ndarray), f"one array expected, got {type(lstm_run.outputs)}"
    assert_shape("out", lstm_run.outputs, (lstm_run.dims.batch, lstm_run.config.units), lstm_run, lstm_run.repro())


@pytest.mark.parametrize("lstm", [LSTMConfig(units=PAGE_UNITS)], ids=str)
@pytest.mark.parametrize("input_dims", [PAGE_DIMS], ids=str)
def test_predict_returns_what_calling_the_model_returns(lstm_run):
    """``model.predict(data)`` (the page's call) gives the same array as ``model(data)``, which the other specs use."""
    predicted = lstm_run.model.predict(lstm_run.inputs, verbose=0)
    assert_close("model.predict(data)", predicted, lstm_run.outputs, lstm_run, lstm_run.repro())


def test_default_output_values(lstm_run, snapshot):
    """The seeded default output is pinned (seeded weights, seeded data)."""
    assert snapshot == lstm_run.outputs

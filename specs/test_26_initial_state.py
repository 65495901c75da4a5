"""initial_state: one (batch, units) tensor per state (LSTM h and c, GRU and SimpleRNN h), zeros by default.

``layer(x, initial_state=[h0, c0])`` starts the recurrence from the given state instead of zeros.
Feeding the final states of one call as the initial state of the next continues the sequence:
two calls on the halves give what one call on the whole gives.  For an LSTM a wrong count or
shape fails (pinned in ``test_31_errors.py``); a GRU silently ignores extra tensors on Keras 3,
where Keras 2 refused them (``EXTRA_GRU_STATE``).
"""

from functools import lru_cache

import numpy as np
import pytest

from lstm_spec.models import compat
from lstm_spec.checks.assertions import assert_close, assert_differs, assert_raises, assert_shape
from lstm_spec.models.builders import run_recurrent, to_numpy
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, RecurrentConfig
from lstm_spec.models.era import KERAS_NAME, for_this_era

STATE_COUNT = {"LSTM": 2, "GRU": 1, "SimpleRNN": 1}
SPLIT = 4  # the first call reads steps 0..3, the second steps 4..8
# What a GRU given [h0, extra] does, per Keras era.
IGNORED = "silently ignores the extra tensor"
EXTRA_GRU_STATE = {
    2: (ValueError, "Layer has 1 states but was passed 2 initial states."),
    3: IGNORED,
}


@pytest.fixture(params=list(STATE_COUNT))
def run(request):
    """The layer with return_state=True, seeded, on the page's input."""
    return run_recurrent(RecurrentConfig(request.param, PAGE_UNITS, return_state=True), PAGE_DIMS)


def start(run, value: float) -> list:
    """An initial state filled with ``value``: one (batch, units) tensor per state of the layer."""
    shape = (PAGE_DIMS.batch, PAGE_UNITS)
    return compat.state_tensors([np.full(shape, value, np.float32) for _ in range(STATE_COUNT[run.config.layer])])


def started_at(run, value: float) -> tuple:
    """``run.layer`` on ``run.inputs`` from ``start(run, value)``, as NumPy (called once for the specs that read it)."""
    return _started_at(run.config, value)


@lru_cache(maxsize=None)
def _started_at(config: RecurrentConfig, value: float) -> tuple:
    run = run_recurrent(config, PAGE_DIMS)
    return to_numpy(run.layer(run.inputs, initial_state=start(run, value)))


def test_zero_initial_state_is_the_default(run):
    """Zeros of shape (batch, units), one per state, give exactly the output of a call without initial_state."""
    outputs = run.layer(run.inputs, initial_state=start(run, 0.0))
    for index, (output, default) in enumerate(zip(outputs, run.outputs)):
        assert_close(f"outputs[{index}]", output, default, run, run.repro())


def test_initial_state_changes_the_output(run):
    """A non-zero initial state gives another output of the same shape."""
    output = started_at(run, 0.5)[0]
    assert_shape("output", output, (PAGE_DIMS.batch, PAGE_UNITS), run, run.repro())
    assert_differs("output", output, "default output", run.outputs[0], run, run.repro())


def test_final_state_as_initial_state_continues_the_sequence(run):
    """The states after steps 0..3, passed as initial_state for steps 4..8, give the whole sequence's output and states."""
    first = run.layer(run.inputs[:, :SPLIT])
    second = run.layer(run.inputs[:, SPLIT:], initial_state=list(first[1:]))
    for index, (output, whole) in enumerate(zip(second, run.outputs)):
        assert_close(f"outputs[{index}]", output, whole, run, run.repro())


def test_output_from_initial_state_values(run, snapshot):
    """The seeded output and states from an initial state of 0.5 everywhere are pinned."""
    outputs = started_at(run, 0.5)
    assert snapshot == {f"outputs[{index}]": np.asarray(output) for index, output in enumerate(outputs)}


@pytest.mark.skipif(for_this_era(EXTRA_GRU_STATE) != IGNORED, reason=f"{KERAS_NAME} refuses extra GRU states (next test)")
def test_extra_initial_state_tensors_for_a_gru_are_silently_ignored():
    """Keras 3: a GRU given [h0, extra] raises nothing: it starts from h0 and ignores the extra tensor (a silent mistake)."""
    run = run_recurrent(RecurrentConfig("GRU", PAGE_UNITS, return_state=True), PAGE_DIMS)
    h0 = start(run, 0.5)
    with_extra = run.layer(run.inputs, initial_state=h0 + start(run, -0.5))
    for index, (output, expected) in enumerate(zip(with_extra, started_at(run, 0.5))):
        assert_close(f"outputs[{index}]", output, expected, run, run.repro())


@pytest.mark.skipif(for_this_era(EXTRA_GRU_STATE) == IGNORED, reason=f"{KERAS_NAME} ignores extra GRU states (test above)")
def test_extra_initial_state_tensors_for_a_gru_are_refused():
    """Keras 2: a GRU given [h0, extra] raises a ValueError counting the states it has and was given."""
    run = run_recurrent(RecurrentConfig("GRU", PAGE_UNITS, return_state=True), PAGE_DIMS)
    error_type, fragment = for_this_era(EXTRA_GRU_STATE)
    with assert_raises(error_type, fragment, run):
        run.layer(run.inputs, initial_state=start(run, 0.5) + start(run, -0.5))

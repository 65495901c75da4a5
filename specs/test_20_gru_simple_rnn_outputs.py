"""GRU and SimpleRNN outputs: every return_sequences/return_state pair; one state h where LSTM has h and c.

``GRU(units, return_state=True)`` returns ``[output, h]``, not the LSTM's ``[output, h, c]``: a
GRU or SimpleRNN cell has no separate cell state.  Otherwise the options mean what they mean for
the LSTM: the output is the last h, ``return_sequences`` gives h at every step.
"""

import pytest

from lstm_spec.checks.assertions import assert_close, assert_count, assert_shape
from lstm_spec.models.builders import run_recurrent
from lstm_spec.models.configs import OPTION_SETS, PAGE_DIMS, PAGE_UNITS, RecurrentConfig
from lstm_spec.models.family import FAMILY_DIMS
from lstm_spec.models.fixtures import input_dims_fixture

CONFIGS = [RecurrentConfig(layer, PAGE_UNITS).with_options(**options)
           for layer in ("GRU", "SimpleRNN") for options in OPTION_SETS]
WITH_STATE = [config for config in CONFIGS if config.return_state]
WITH_SEQUENCES = [config for config in CONFIGS if config.return_sequences and not config.return_state]
# The states each layer returns after its output with return_state=True.
STATES = {"LSTM": ("state_h", "state_c"), "GRU": ("state_h",), "SimpleRNN": ("state_h",)}

input_dims = input_dims_fixture(*FAMILY_DIMS)


@pytest.fixture(params=CONFIGS, ids=str)
def config(request):
    """A GRU or SimpleRNN configuration: every return_sequences/return_state pair."""
    return request.param


@pytest.fixture
def run(config, input_dims):
    return run_recurrent(config, input_dims)


def test_output_shapes(run):
    """Output (batch, units), or (batch, seq_len, units) with return_sequences; return_state adds one h (batch, units)."""
    dims, config = run.dims, run.config
    output_shape = (dims.batch, dims.seq_len, config.units) if config.return_sequences else (dims.batch, config.units)
    if not config.return_state:
        assert_shape("out", run.outputs, output_shape, run, run.repro())
        return
    assert_count("len(outputs)", len(run.outputs), 2, run, run.repro())
    output, state_h = run.outputs
    assert_shape("output", output, output_shape, run, run.repro())
    assert_shape("state_h", state_h, (dims.batch, config.units), run, run.repro())


@pytest.mark.parametrize("config", WITH_STATE, ids=str)
def test_state_is_the_last_output(run):
    """The returned h is the output of the last step: the output itself, or the sequence's last step."""
    output, state_h = run.outputs
    last = output[:, -1, :] if run.config.return_sequences else output
    assert_close("state_h", state_h, last, run, run.repro())


@pytest.mark.parametrize("config", WITH_SEQUENCES, ids=str)
def test_last_step_is_the_default_output(run):
    """The sequence's last step equals the default output of the same layer with the same seeded weights."""
    default = run_recurrent(run.config.defaults, run.dims)
    assert_count("len(weights)", len(run.weights), len(default.weights), run)
    for name, weight, default_weight in zip(("kernel", "recurrent_kernel", "bias"), run.weights, default.weights):
        assert_close(name, weight, default_weight, f"the same seed gives the default layer the same weights [{run}]")
    assert_close("out[:, -1, :]", run.outputs[:, -1, :], default.outputs, run, run.repro())


@pytest.mark.parametrize("input_dims", [PAGE_DIMS], ids=str)
@pytest.mark.parametrize("config", [RecurrentConfig(layer, PAGE_UNITS, return_state=True) for layer in STATES], ids=str)
def test_lstm_returns_two_states_gru_and_simple_rnn_one(run):
    """With return_state=True an LSTM returns [output, h, c]; a GRU or SimpleRNN returns [output, h]."""
    expected = 1 + len(STATES[run.config.layer])
    assert_count("len(outputs)", len(run.outputs), expected, run, run.repro())


def test_output_values(run, snapshot):
    """The seeded outputs are pinned."""
    names = ("output", *STATES[run.config.layer]) if run.config.return_state else ("output",)
    outputs = run.outputs if run.config.return_state else (run.outputs,)
    assert snapshot == dict(zip(names, outputs))

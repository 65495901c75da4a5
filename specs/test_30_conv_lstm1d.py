"""ConvLSTM1D: input (batch, time, rows, channels); output and states (batch, new_rows, filters), sequences add time.

A ConvLSTM1D is an LSTM whose gates are 1D convolutions over the rows instead of matrix products:
``filters`` plays the role of units, and with ``padding="valid"`` a kernel of size k leaves
rows - k + 1 rows.  The return options mean what they mean for the LSTM: h is the output
(or the sequence's last step) and c is the cell state.
"""

import pytest

from lstm_spec.checks.assertions import assert_close, assert_count, assert_differs, assert_shape
from lstm_spec.models.configs import OPTION_SETS
from lstm_spec.models.family import Chain, Layer, ShapeDims, run_chain

FILTERS, KERNEL = 4, 3
DIMS = ShapeDims((2, 9, 6, 3), ("batch", "time", "rows", "channels"))
BATCH, TIME, ROWS, CHANNELS = DIMS.shape
NEW_ROWS = ROWS - KERNEL + 1


def conv_lstm(**options) -> Chain:
    return Chain((Layer.of("ConvLSTM1D", filters=FILTERS, kernel_size=KERNEL, **options),))


@pytest.fixture(params=OPTION_SETS, ids=lambda options: str(conv_lstm(**options)))
def run(request):
    """ConvLSTM1D(filters=4, kernel_size=3) with one return_sequences/return_state pair, seeded."""
    return run_chain(conv_lstm(**request.param), DIMS)


def options(run) -> dict:
    return dict(run.chain.layers[0].kwargs)


def test_output_shapes(run):
    """Output (batch, new_rows, filters), (batch, time, new_rows, filters) with sequences; return_state adds h and c (batch, new_rows, filters)."""
    sequences, state = options(run)["return_sequences"], options(run)["return_state"]
    output_shape = (BATCH, TIME, NEW_ROWS, FILTERS) if sequences else (BATCH, NEW_ROWS, FILTERS)
    outputs = run.outputs if state else (run.outputs,)
    assert_count("len(outputs)", len(outputs), 3 if state else 1, run, run.repro())
    assert_shape("output", outputs[0], output_shape, run, run.repro())
    for name, array in zip(("state_h", "state_c"), outputs[1:]):
        assert_shape(name, array, (BATCH, NEW_ROWS, FILTERS), run, run.repro())


@pytest.mark.parametrize("run", [{"return_sequences": sequences, "return_state": True} for sequences in (False, True)],
                         ids=lambda options: str(conv_lstm(**options)), indirect=True)
def test_h_is_the_last_output_and_c_is_not(run):
    """h equals the output (or the sequence's last step); c, the cell state, differs from it."""
    output, state_h, state_c = run.outputs
    last = output[:, -1] if options(run)["return_sequences"] else output
    assert_close("state_h", state_h, last, run, run.repro())
    assert_differs("state_c", state_c, "state_h", state_h, run, run.repro())


def test_return_options_left_out_are_false():
    """``ConvLSTM1D(filters=4, kernel_size=3)`` with no return option gives the return_sequences=False, return_state=False output."""
    run = run_chain(conv_lstm(), DIMS)
    assert_shape("output", run.outputs, (BATCH, NEW_ROWS, FILTERS), run, run.repro())
    explicit = run_chain(conv_lstm(return_sequences=False, return_state=False), DIMS)
    assert_close("output", run.outputs, explicit.outputs, run, run.repro())


def test_weights_and_parameter_count(run):
    """kernel (k, channels, 4*filters), recurrent_kernel (k, filters, 4*filters), bias (4*filters,): 4f(k*channels + k*f + 1) parameters."""
    kernel, recurrent_kernel, bias = run.layer.get_weights()
    assert_shape("kernel", kernel, (KERNEL, CHANNELS, 4 * FILTERS), run, run.repro())
    assert_shape("recurrent_kernel", recurrent_kernel, (KERNEL, FILTERS, 4 * FILTERS), run, run.repro())
    assert_shape("bias", bias, (4 * FILTERS,), run, run.repro())
    expected = 4 * FILTERS * (KERNEL * CHANNELS + KERNEL * FILTERS + 1)
    assert_count("layer.count_params()", run.layer.count_params(), expected, run, run.repro())


@pytest.mark.parametrize("run", [{"return_sequences": True, "return_state": True}],
                         ids=lambda options: str(conv_lstm(**options)), indirect=True)
def test_sequence_and_state_values(run, snapshot):
    """The seeded sequence, h and c are pinned."""
    assert snapshot == dict(zip(("sequence", "state_h", "state_c"), run.outputs))

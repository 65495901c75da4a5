"""34. PyTorch's default `batch_first=False` is the time-major reading: `(seq_len, batch, features)`.

The page's ``time_major`` confusion is PyTorch's default: ``nn.LSTM(features, units)`` reads its
input as ``(seq_len, batch, features)`` and returns ``(seq_len, batch, ...)``.  The same module with
``batch_first=True`` reads Keras' batch-major ``(batch, seq_len, features)``; the numbers are the
same, transposed.  Batch-major data given to a default module is not refused: it is read with the
batch as time, so the states come out with ``seq_len`` rows where the batch should be.  A Keras
layer and a PyTorch module with the same weights agree when the PyTorch side is given
``x.transpose(0, 1)`` (or ``batch_first=True``).
"""

import pytest

from lstm_spec.pytorch import SKIP_REASON

torch = pytest.importorskip("torch", reason=SKIP_REASON)

from lstm_spec.checks.assertions import assert_close, assert_differs, assert_shape  # noqa: E402
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS  # noqa: E402
from lstm_spec.pytorch import convert  # noqa: E402
from lstm_spec.pytorch.stacks import STACKS, Stack, assert_outputs_agree, keras_to_torch_run, stack_points, torch_outputs  # noqa: E402
from lstm_spec.pytorch.torch_runs import TorchCase, run_torch  # noqa: E402

DOCUMENTED_ON = "docs/keras-vs-pytorch.md"

POINTS = [point for stack in STACKS for point in stack_points(stack)]


def point_id(point) -> str:
    stack, dims = point
    return f"{stack}-{dims}"


@pytest.mark.parametrize("point", POINTS, ids=point_id)
def test_default_module_on_transposed_data_equals_batch_first(point):
    """nn.LSTM(x.transpose(0, 1)) transposed back equals nn.LSTM(batch_first=True)(x); h_n is the same."""
    stack, dims = point
    time_major, batch_first = (run_torch(TorchCase(stack, dims, batch_first=flag)) for flag in (False, True))
    assert_close("output.transpose(0, 1)", time_major.output.transpose(1, 0, 2), batch_first.output,
                 time_major, time_major.repro())
    for index, (state, other) in enumerate(zip(time_major.states, batch_first.states)):
        assert_close(("h_n", "c_n")[index], state, other, time_major, time_major.repro())


@pytest.mark.parametrize("layer", ["LSTM", "GRU"])
def test_batch_major_data_in_a_default_module_reads_the_batch_as_time(layer):
    """Data (2, 9, 3) in a default module runs 2 steps over 9 samples: h_n is (1, 9, 5), not (1, 2, 5)."""
    stack = Stack(layer, PAGE_UNITS)
    case = TorchCase(stack, PAGE_DIMS, batch_first=False)
    right = run_torch(case)
    module = right.module
    with torch.no_grad():
        output, hidden = module(torch.from_numpy(right.inputs.transpose(1, 0, 2).copy()))
    h_n = (hidden[0] if isinstance(hidden, tuple) else hidden).numpy()
    batch, steps, _ = PAGE_DIMS.shape
    assert_shape("h_n", h_n, (1, steps, stack.units), case, case.repro())
    assert_shape("output", output, (batch, steps, stack.units), case, case.repro())
    assert_differs("output.transpose(0, 1)", output.numpy().transpose(1, 0, 2), "the time-major reading",
                   right.output, case, case.repro())


@pytest.mark.parametrize("point", POINTS, ids=point_id)
def test_keras_batch_major_equals_torch_time_major(point):
    """Keras' layers on x equal the converted default (time-major) module on x.transpose(0, 1), transposed back."""
    run = keras_to_torch_run(*point)
    layout = convert.torch_layout(run.module)
    time_major = convert.torch_module(layout, batch_first=False)
    time_major.load_state_dict(run.module.state_dict())
    outputs, _ = torch_outputs(time_major.eval(), run.inputs, batch_first=False)
    assert_outputs_agree(outputs, run.keras, run, run.repro())

"""32. PyTorch `nn.LSTM` and `nn.GRU`: output and state shapes (`batch_first`, `num_layers`, `bidirectional`, `proj_size`).

``torch.nn.LSTM(features, hidden_size)`` returns ``output, (h_n, c_n)`` and ``torch.nn.GRU``
``output, h_n``, always both: there is no ``return_sequences`` or ``return_state``.  ``output``
is every step of the last layer, ``(seq_len, batch, directions*H_out)`` by default and
``(batch, seq_len, directions*H_out)`` with ``batch_first=True``; ``h_n`` (and LSTM's ``c_n``) hold
the final state of every layer and direction, ``(num_layers*directions, batch, ...)`` whatever
``batch_first`` says.  ``H_out`` is ``hidden_size``, or ``proj_size`` for an LSTM with a
projection, which shrinks ``output`` and ``h_n`` but not ``c_n``.  Keras' default output
``(batch, units)`` is ``output[:, -1]`` of a one-directional module read batch-first.
"""

import pytest

from lstm_spec.pytorch import SKIP_REASON

torch = pytest.importorskip("torch", reason=SKIP_REASON)

from lstm_spec.checks.assertions import assert_close, assert_count, assert_raises, assert_shape  # noqa: E402
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS  # noqa: E402
from lstm_spec.pytorch.stacks import STATE_COUNT, STACKS, Stack, stack_points  # noqa: E402
from lstm_spec.pytorch.torch_runs import TorchCase, run_torch  # noqa: E402

DOCUMENTED_ON = "docs/keras-vs-pytorch.md"

CASES = [TorchCase(stack, dims, batch_first) for batch_first in (False, True)
         for base in STACKS for stack, dims in stack_points(base)]
PROJECTED = [TorchCase(stack, dims, batch_first, proj_size=3) for batch_first in (False, True)
             for base in STACKS if base.layer == "LSTM"
             for stack, dims in stack_points(base) if stack.units > 3]


def expected_output_shape(case: TorchCase) -> tuple[int, int, int]:
    steps, batch = case.dims.seq_len, case.dims.batch
    leading = (batch, steps) if case.batch_first else (steps, batch)
    return (*leading, case.stack.directions * case.output_width)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_output_shape(case):
    """output is (seq_len, batch, directions*hidden_size) by default, (batch, seq_len, ...) with batch_first=True."""
    run = run_torch(case)
    assert_shape("output", run.output, expected_output_shape(case), run, run.repro())


@pytest.mark.parametrize("case", CASES, ids=str)
def test_state_shapes(case):
    """h_n (and c_n) are (num_layers*directions, batch, hidden_size), batch_first or not."""
    run = run_torch(case)
    expected = (case.stack.cell_count(), case.dims.batch, case.stack.units)
    for name, state in zip(("h_n", "c_n"), run.states):
        assert_shape(name, state, expected, run, run.repro())
    assert_count("len(states)", len(run.states), STATE_COUNT[case.stack.layer], run, run.repro())


@pytest.mark.parametrize("case", PROJECTED, ids=str)
def test_proj_size_shrinks_output_and_h_but_not_c(case):
    """LSTM(proj_size=3): output and h_n end in 3 (times directions for output), c_n keeps hidden_size."""
    run = run_torch(case)
    h_n, c_n = run.states
    cells = (case.stack.cell_count(), case.dims.batch)
    assert_shape("output", run.output, expected_output_shape(case), run, run.repro())
    assert_shape("h_n", h_n, (*cells, case.proj_size), run, run.repro())
    assert_shape("c_n", c_n, (*cells, case.stack.units), run, run.repro())


@pytest.mark.parametrize("layer", ["LSTM", "GRU"])
def test_keras_default_output_is_the_last_step(layer):
    """Keras' default output (batch, units) is output[:, -1] of a batch_first module, which h_n[-1] also holds."""
    run = run_torch(TorchCase(Stack(layer, PAGE_UNITS), PAGE_DIMS, batch_first=True))
    assert_shape("output[:, -1]", run.output[:, -1], (PAGE_DIMS.batch, PAGE_UNITS), run, run.repro())
    assert_close("h_n[-1]", run.h_n[-1], run.output[:, -1], run, run.repro())


def test_gru_has_no_proj_size():
    """nn.GRU refuses proj_size: only the LSTM has a projection."""
    with assert_raises(ValueError, "proj_size argument is only supported for LSTM, not RNN or GRU", "nn.GRU(3, 5, proj_size=3)"):
        torch.nn.GRU(3, 5, proj_size=3)


def test_proj_size_must_be_smaller_than_hidden_size():
    """nn.LSTM(3, 5, proj_size=5) is refused: the projection must shrink h."""
    with assert_raises(ValueError, "proj_size has to be smaller than hidden_size", "nn.LSTM(3, 5, proj_size=5)"):
        torch.nn.LSTM(3, 5, proj_size=5)

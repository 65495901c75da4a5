"""33. PyTorch's `h_n` and `c_n`: one row per layer and direction, `layer*directions + direction`.

A stacked or bidirectional ``nn.LSTM``/``nn.GRU`` returns the final states of all its parts in one
tensor: rows ``0 .. directions-1`` belong to the first layer (forward, then backward), the next
rows to the second layer, and so on.  The last layer's forward row is the output's last step; its
backward row is the output's *first* step, second half (the backward direction ends at t=0),
as for Keras' ``Bidirectional`` (spec 22).  Keras returns the same states as separate tensors,
one layer at a time: ``[output, h_fwd, c_fwd, h_bwd, c_bwd]``.
"""

import pytest

from lstm_spec.pytorch import SKIP_REASON

torch = pytest.importorskip("torch", reason=SKIP_REASON)

from lstm_spec.checks.assertions import assert_close, assert_shape  # noqa: E402
from lstm_spec.models.configs import INPUT_GRID  # noqa: E402
from lstm_spec.pytorch.stacks import STACKS, Stack, seeded_torch_module, torch_outputs  # noqa: E402
from lstm_spec.pytorch.torch_runs import TorchCase, run_torch  # noqa: E402

DOCUMENTED_ON = "docs/keras-vs-pytorch.md"

CASES = [TorchCase(stack, dims, batch_first=True) for stack in STACKS for dims in INPUT_GRID]
STACKED = [case for case in CASES if case.stack.num_layers > 1]
BIDIRECTIONAL = [case for case in CASES if case.stack.bidirectional]


def one_layer(run, level: int):
    """A one-layer module holding layer ``level`` of the run's module (parameters ``_l{level}`` renamed ``_l0``)."""
    stack = run.case.stack
    width = run.case.dims.features if level == 0 else stack.directions * stack.units
    single = seeded_torch_module(Stack(stack.layer, stack.units, 1, stack.bidirectional), width)
    suffix = f"_l{level}"
    single.load_state_dict({name.replace(suffix, "_l0"): value for name, value in run.module.state_dict().items()
                            if suffix in name})
    return single


@pytest.mark.parametrize("case", CASES, ids=str)
def test_last_layer_forward_state_is_the_last_step(case):
    """h_n[directions*(num_layers-1)], the last layer's forward row, equals output[:, -1, :units]."""
    run = run_torch(case)
    units = case.stack.units
    row = case.stack.directions * (case.stack.num_layers - 1)
    assert_close(f"h_n[{row}]", run.h_n[row], run.output[:, -1, :units], run, run.repro())


@pytest.mark.parametrize("case", BIDIRECTIONAL, ids=str)
def test_last_layer_backward_state_is_the_first_step(case):
    """h_n[-1], the last layer's backward row, equals output[:, 0, units:]: the backward pass ends at t=0."""
    run = run_torch(case)
    assert_close("h_n[-1]", run.h_n[-1], run.output[:, 0, case.stack.units:], run, run.repro())


@pytest.mark.parametrize("case", STACKED, ids=str)
def test_rows_go_layer_by_layer(case):
    """Running the layers one at a time gives the rows of h_n (and c_n) in order: layer 0's first, then layer 1's."""
    run = run_torch(case)
    directions = case.stack.directions
    sequence = run.inputs
    for level in range(case.stack.num_layers):
        part, _ = torch_outputs(one_layer(run, level), sequence)
        rows = slice(level * directions, (level + 1) * directions)
        for name, state, expected in zip(("h_n", "c_n"), run.states, part.arrays()[1:]):
            assert_shape(f"{name}[{rows.start}:{rows.stop}]", state[rows], expected.shape, run, run.repro())
            assert_close(f"{name}[{rows.start}:{rows.stop}]", state[rows], expected, run, run.repro())
        sequence = part.sequence
    assert_close("output", run.output, sequence, f"{run}: the last layer run alone", run.repro())

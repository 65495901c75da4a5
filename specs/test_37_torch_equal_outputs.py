"""37. Converted weights compute the same numbers: Keras, PyTorch and the NumPy oracle agree three ways.

On every grid point (each width on the page's input, the page's width on each input), for LSTM
and GRU, one layer, two stacked, bidirectional and both: Keras' pinned weights converted to
PyTorch, and PyTorch's own seeded weights converted to Keras, give the same output sequence and
the same final states (``h_n``, and ``c_n`` for an LSTM, in PyTorch's layer-by-layer order) on
both sides, within the suite's tolerance (``oracle.RTOL``, ``oracle.ATOL``).  The NumPy oracle,
run layer by layer and direction by direction on the Keras weights, agrees with both.
"""

import pytest

from lstm_spec.pytorch import SKIP_REASON

torch = pytest.importorskip("torch", reason=SKIP_REASON)

from lstm_spec.checks.assertions import assert_matches_oracle  # noqa: E402
from lstm_spec.pytorch.stacks import STACKS, assert_outputs_agree, keras_to_torch_run, stack_points, torch_to_keras_run  # noqa: E402

DOCUMENTED_ON = "docs/keras-vs-pytorch.md"

POINTS = [point for stack in STACKS for point in stack_points(stack)]
RUNS = {"Keras-to-PyTorch": keras_to_torch_run, "PyTorch-to-Keras": torch_to_keras_run}


def point_id(point) -> str:
    stack, dims = point
    return f"{stack}-{dims}"


@pytest.fixture(params=list(RUNS))
def pair_run(request):
    """Which side's weights are converted to the other."""
    return RUNS[request.param]


@pytest.mark.parametrize("point", POINTS, ids=point_id)
def test_converted_model_gives_the_same_outputs_and_states(pair_run, point):
    """The converted side gives the source side's output sequence, h_n and c_n."""
    run = pair_run(*point)
    source, target = (run.keras, run.torch) if run.source == "Keras" else (run.torch, run.keras)
    assert_outputs_agree(target, source, run, run.repro())


@pytest.mark.parametrize("point", POINTS, ids=point_id)
def test_oracle_agrees_with_torch(pair_run, point):
    """PyTorch gives what the NumPy oracle computes from the same weights."""
    run = pair_run(*point)
    assert_matches_oracle(run.torch.arrays(), run.expected().arrays(), run, run.repro())


@pytest.mark.parametrize("point", POINTS, ids=point_id)
def test_oracle_agrees_with_keras(pair_run, point):
    """Keras' stack gives what the NumPy oracle computes from the same weights."""
    run = pair_run(*point)
    assert_matches_oracle(run.keras.arrays(), run.expected().arrays(), run, run.repro())

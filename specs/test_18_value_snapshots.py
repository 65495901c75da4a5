"""18. Values: pinned weights give the same numbers on every version; seeded weights follow Keras' random stream.

Each cell is run twice on the page's input (2, 9, 3) with ``return_sequences=True,
return_state=True``. With pinned weights (``lstm_spec.models.pinned``: NumPy Generator, ``set_weights``)
the values depend only on the math and are stored in ``__snapshots__/pinned/``: a diff there is a
change in the computation. With Keras' seeded initializers (``keras.utils.set_random_seed``, what
the page printed) they are stored in ``__snapshots__/seeded-keras<N>/``: a diff there alone means
Keras drew different random weights.
"""

import pytest

from lstm_spec.checks.assertions import OUTPUT_NAMES
from lstm_spec.models.builders import run_recurrent
from lstm_spec.models.configs import PAGE_DIMS
from lstm_spec.models.pinned import PAGE_CELLS, pinned_run

CELLS = PAGE_CELLS


def named(outputs) -> dict:
    return dict(zip(OUTPUT_NAMES, outputs))


def test_pinned_inputs_and_weights(pinned_snapshot):
    """The fixed input and the pinned LSTM weights themselves are pinned: a diff here is NumPy's Generator, not Keras."""
    run = pinned_run(CELLS[0], PAGE_DIMS)
    kernel, recurrent_kernel, bias = run.weights
    assert pinned_snapshot == {"inputs": run.inputs, "kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias": bias}


@pytest.mark.parametrize("config", CELLS, ids=str)
def test_pinned_values(config, pinned_snapshot):
    """With pinned weights the output sequence and final states are the same on every TensorFlow/Keras version."""
    assert pinned_snapshot == named(pinned_run(config, PAGE_DIMS).outputs)


@pytest.mark.parametrize("config", CELLS, ids=str)
def test_seeded_values(config, snapshot):
    """With Keras' seeded initializers the values are those of this Keras era's random stream."""
    assert snapshot == named(run_recurrent(config, PAGE_DIMS).outputs)

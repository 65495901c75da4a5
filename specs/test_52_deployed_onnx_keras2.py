"""deployed to ONNX from Keras 2: tf2onnx.convert.from_keras runs in onnxruntime, an LSTM or GRU node or a Loop.

A Keras 2 model (TF 2.15.1's Keras 2, and tf-keras 2.21 on TF 2.21) converted with
``tf2onnx.convert.from_keras(model, input_signature=..., opset=OPSET)``, the signature the model's own inputs
(``model.input_names``, shapes and dtypes), and run by onnxruntime: the graph's tensors (``FIRST_AXES``,
``DYNAMIC_TIME``), the op the recurrence became (``RECURRENCE``), its values and which resizes run (``RESIZES``).
Both Keras 2 environments give the same graphs.

The inputs keep the Input layers' names and the outputs take the output layers' names (``model.output_names``:
``lstm``, ``lstm_1``, ...; Keras 3's export, spec 49, names them ``Identity:0``, ...).  The batch axis is dynamic
and every other input axis fixed, so a shorter sequence is refused; a stateful model is fixed to its batch.  An
LSTM (alone, stacked, in ``Bidirectional``, with ``initial_state`` inputs, time-major) becomes ONNX's ``LSTM``
node and ``GRU(reset_after=True)`` a ``GRU`` node (a Loop on Keras 3); ``GRU(reset_after=False)``, SimpleRNN,
ConvLSTM1D and the masked LSTMs stay a ``Loop``.  Runs in ``python3 suite.py matrix deploy-keras2`` and
``matrix deploy-tf-keras``, which install onnx, onnxruntime and tf2onnx beside Keras 2; by default cases of
distinct kinds run, ``LSTM_SPEC_DEPLOY_ALL=1`` runs every catalog case.
"""

from dataclasses import dataclass

import pytest

from lstm_spec.deploy import observed, onnx_steps
from lstm_spec.deploy.artifacts import WHOLE_MATRIX, Tensor, not_installed, one_more_sample, shorter_sequences
from lstm_spec.deploy.outcomes import Fails, assert_tensors
from lstm_spec.models.keras_under_test import LEGACY_KERAS
from lstm_spec.saving.catalog import buildable_cases, built
from lstm_spec.saving.formats import flat_outputs
from lstm_spec.saving.side import BUILDERS_BUILD_THE_KERAS_UNDER_TEST, NOT_UNDER_TEST, SAVING_ERA

PATH = "tf2onnx-from_keras"  # the cells' path (lstm_spec.deploy.observed)
OPSET = 15  # tf2onnx 1.17.0's preferred opset, the one Keras 3's export (spec 49) gets by default
SESSION = "deploy-tf-keras" if LEGACY_KERAS else "deploy-keras2"

LOOP = "Loop"
FUSED = "LSTM"
# tf2onnx's rewriters fuse the LSTM and Keras 2's GRU(reset_after=True); every other recurrence stays the
# TensorFlow while loop.
RECURRENCE = {"gru_reset_after": "GRU", "gru_reset_before": LOOP, "simple_rnn": LOOP, "conv_lstm1d": LOOP,
              "masking": LOOP, "embedding_mask_zero": LOOP}


@dataclass(frozen=True)
class FirstAxes:
    """The graph's inputs' and outputs' first axis where not the dynamic batch (None: dynamic)."""

    inputs: int | None
    outputs: int | None
    why: str


STATEFUL_BATCH = 2
TIME_MAJOR_BATCH = 3  # page_time_major's (time, batch, features) = (2, 3, 9)
FIRST_AXES = {
    "stateful": FirstAxes(STATEFUL_BATCH, STATEFUL_BATCH, why="the stateful Input's batch_shape is the signature's"),
    "page_time_major": FirstAxes(None, TIME_MAJOR_BATCH,
                                 why="the first axis is time, dynamic; the outputs' is the batch, the Input's 3"),
}
# case -> its outputs whose time axis (axis 1) the graph leaves dynamic.
LOOP_SEQUENCE = "a Loop's stacked steps: tf2onnx gives the sequence output no static length"
DYNAMIC_TIME = {"simple_rnn": ((0,), LOOP_SEQUENCE), "masking": ((0,), LOOP_SEQUENCE),
                "embedding_mask_zero": ((0,), LOOP_SEQUENCE)}

SHORTER = 7  # steps, of the seeded input's 9
TIME_MAJOR = {"page_time_major"}  # its first axis is time: batch+1 is one more step, shorter one step of 2
TIME_MAJOR_SHORTER = 1
# (case, resize) -> what it gives where not the model's outputs on the resized input.
RESIZES = {
    ("stateful", "batch+1"): Fails("resize", "InvalidArgument", "index: 0 Got: 3 Expected: 2",
                                   why="the stateful batch is the input's fixed first axis"),
    **{(case.name, "shorter"): Fails("resize", "InvalidArgument", "index: 1 Got: 7 Expected: 9",
                                     why="the time axis is converted fixed")
       for case in buildable_cases() if case.name not in TIME_MAJOR},
}
DEFAULT_CASES = {"page_lstm", "gru_reset_after", "gru_reset_before", "stateful", "page_time_major", "masking",
                 "initial_state_input"}


def _reason_to_skip() -> str | None:
    if not BUILDERS_BUILD_THE_KERAS_UNDER_TEST:
        return NOT_UNDER_TEST
    if SAVING_ERA != 2:
        return ("tf2onnx.convert.from_keras is stated on Keras 2 (TF 2.15, tf-keras); Keras 3's "
                "model.export(format='onnx') is spec 49's")
    return not_installed("onnx", "onnxruntime", "tf2onnx", session=SESSION)


pytestmark = pytest.mark.skipif(_reason_to_skip() is not None, reason=str(_reason_to_skip()))


def _cases():
    return [pytest.param(case, id=case.name) for case in buildable_cases()
            if WHOLE_MATRIX or case.name in DEFAULT_CASES]


def _from_keras(model, arrays, path):
    """``tf2onnx.convert.from_keras`` with the model's inputs as the signature, written to ``path``."""
    import tensorflow as tf
    import tf2onnx

    signature = [tf.TensorSpec(tensor.shape, tensor.dtype, name=name)
                 for name, tensor in zip(model.input_names, model.inputs)]
    with onnx_steps.functions_removed_again_ignored():
        tf2onnx.convert.from_keras(model, input_signature=signature, opset=OPSET, output_path=str(path))


@pytest.fixture(scope="module", params=_cases())
def exported(request, tmp_path_factory):
    """A catalog case converted to ONNX (once per module) and loaded in onnxruntime (``onnx_steps.exported``)."""
    return onnx_steps.exported(request.param, _from_keras, tmp_path_factory.mktemp("onnx"))


def _output_shape(output, first_axis, time_dynamic: bool) -> tuple:
    shape = [first_axis, *output.shape[1:]]
    if time_dynamic:
        shape[1] = None
    return tuple(shape)


def _expected_outputs(case) -> tuple:
    """The outputs named after the output layers, with the case's first axis and dynamic time axes."""
    first_axis = FIRST_AXES.get(case.name, FirstAxes(None, None, "")).outputs
    dynamic = DYNAMIC_TIME.get(case.name, ((), ""))[0]
    outputs = flat_outputs(built(case).outputs)
    return tuple(Tensor(name, _output_shape(output, first_axis, index in dynamic), "float32")
                 for index, (name, output) in enumerate(zip(built(case).model.output_names, outputs)))


def test_the_graphs_tensors_are_the_models_layers_with_a_dynamic_batch(exported, request):
    """The inputs and outputs are named after the model's Input and output layers, their batch dynamic."""
    case, arrays, deployed = onnx_steps.loaded(exported, request, PATH)
    observed.record(request, onnx_steps.cell(PATH, case), **observed.tensors(deployed))
    axes = FIRST_AXES.get(case.name, FirstAxes(None, None, ""))
    assert_tensors("inputs", deployed.inputs,
                   tuple(Tensor(name, (axes.inputs, *array.shape[1:]), array.dtype.name)
                         for name, array in zip(case.input_names or ("input_1",), arrays)),
                   case)
    assert_tensors("outputs", deployed.outputs, _expected_outputs(case), case)


def test_the_recurrence_becomes_the_stated_op(exported, request):
    """The graph holds ONNX's LSTM or GRU node for a layer tf2onnx recognises, else a Loop, and no other."""
    onnx_steps.check_recurrence(exported, request, PATH, RECURRENCE.get(exported[0].name, FUSED))


def test_onnxruntime_gives_the_models_outputs(exported, request):
    """onnxruntime's outputs on the seeded input have the model's shapes and values within TOLERANCE."""
    onnx_steps.check_values(exported, request, PATH)


def _shorter(case, arrays) -> list:
    if case.name in TIME_MAJOR:
        return [array[:TIME_MAJOR_SHORTER] for array in arrays]
    return shorter_sequences(arrays, SHORTER)


@pytest.mark.parametrize("resize", ["batch+1", "shorter"])
def test_a_resized_input_runs_or_fails_as_stated(exported, resize, request):
    """A batch one larger gives the model's outputs on it (not a stateful model); a shorter sequence is refused."""
    case, arrays, _ = exported
    changed = one_more_sample(arrays) if resize == "batch+1" else _shorter(case, arrays)
    onnx_steps.check_resized(exported, request, PATH, resize, changed, RESIZES.get((case.name, resize)))

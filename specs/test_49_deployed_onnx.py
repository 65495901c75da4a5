"""deployed to ONNX: export(format="onnx") runs in onnxruntime with a dynamic batch, an LSTM node or a Loop.

A Keras 3 model exported with ``model.export(path, format="onnx")`` (tf2onnx) and run by onnxruntime: the
graph's tensors, the op the recurrence became (``RECURRENCE``), its values and which resizes run (``RESIZES``).

The batch axis is dynamic (tf2onnx names it ``unk__N``), every other axis is fixed to the model's: a
shorter sequence is refused.  An LSTM (alone, stacked, in ``Bidirectional``, with ``initial_state`` inputs)
becomes ONNX's ``LSTM`` node; GRU, SimpleRNN, ConvLSTM1D and a masked LSTM stay a ``Loop``.  A stateful LSTM's
graph keeps a dynamic input batch but its state initializer is fixed to the stateful batch.  Runs in the
deploy session (``python3 suite.py matrix deploy``), which installs onnx, onnxruntime and tf2onnx; by default
cases of distinct kinds run, ``LSTM_SPEC_DEPLOY_ALL=1`` runs every catalog case.
"""

import pytest

from lstm_spec.deploy import observed, onnx_steps
from lstm_spec.deploy.artifacts import WHOLE_MATRIX, Tensor, not_installed, one_more_sample, shorter_sequences
from lstm_spec.deploy.outcomes import Fails, assert_tensors
from lstm_spec.models.backend import KERAS_BACKEND
from lstm_spec.saving.catalog import buildable_cases, built
from lstm_spec.saving.formats import flat_outputs
from lstm_spec.saving.side import BUILDERS_BUILD_THE_KERAS_UNDER_TEST, NOT_UNDER_TEST, SAVING_ERA

# tf2onnx fuses the LSTM it recognises; every other recurrence stays the TensorFlow while loop.
LOOP = "Loop"
FUSED = "LSTM"
RECURRENCE = {"gru_reset_after": LOOP, "gru_reset_before": LOOP, "simple_rnn": LOOP, "conv_lstm1d": LOOP,
              "masking": LOOP, "embedding_mask_zero": LOOP}

STATEFUL_BATCH = 2
SHORTER = 7  # steps, of the seeded input's 9
# (case, resize) -> what it gives where not the model's outputs on the resized input.
RESIZES = {
    ("stateful", "batch+1"): Fails("resize", "Fail", "Input initial_h must have shape {1,3,5}. Actual:{1,2,5}",
                                   why="the state initializer keeps the stateful batch"),
    **{(case.name, "shorter"): Fails("resize", "InvalidArgument", "Got invalid dimensions for input",
                                     why="the time axis is exported fixed") for case in buildable_cases()},
}
DEFAULT_CASES = {"page_lstm", "gru_reset_after", "stateful", "initial_state_input", "masking"}
PATH = "export-onnx"  # the cells' path (lstm_spec.deploy.observed)


def _reason_to_skip() -> str | None:
    if not BUILDERS_BUILD_THE_KERAS_UNDER_TEST:
        return NOT_UNDER_TEST
    if SAVING_ERA != 3:
        return "model.export(format='onnx') is Keras 3's; Keras 2's tf2onnx.convert.from_keras is spec 52's"
    if KERAS_BACKEND != "tensorflow":
        return f"stated on the TensorFlow backend (tf2onnx); this run's backend is {KERAS_BACKEND}"
    return not_installed("onnx", "onnxruntime", "tf2onnx")


pytestmark = pytest.mark.skipif(_reason_to_skip() is not None, reason=str(_reason_to_skip()))


def _cases():
    return [pytest.param(case, id=case.name) for case in buildable_cases()
            if WHOLE_MATRIX or case.name in DEFAULT_CASES]


def _export(model, arrays, path):
    model.export(str(path), format="onnx", verbose=False)


@pytest.fixture(scope="module", params=_cases())
def exported(request, tmp_path_factory):
    """A catalog case exported to ONNX (once per module) and loaded in onnxruntime (``onnx_steps.exported``)."""
    return onnx_steps.exported(request.param, _export, tmp_path_factory.mktemp("onnx"))


def _output_batch(case):
    return STATEFUL_BATCH if case.stateful else None


def test_the_graphs_tensors_have_a_dynamic_batch(exported, request):
    """The inputs are the model's by name and dtype with the batch dynamic; the outputs Identity:0, Identity_1:0, ..."""
    case, arrays, deployed = onnx_steps.loaded(exported, request, PATH)
    observed.record(request, onnx_steps.cell(PATH, case), **observed.tensors(deployed))
    names = case.input_names or ("keras_tensor",)
    assert_tensors("inputs", deployed.inputs,
                   tuple(Tensor(name, (None, *array.shape[1:]), array.dtype.name)
                         for name, array in zip(names, arrays)),
                   case)
    outputs = flat_outputs(built(case).outputs)
    assert_tensors("outputs", deployed.outputs, tuple(
        Tensor(f"Identity{'' if index == 0 else f'_{index}'}:0", (_output_batch(case), *output.shape[1:]), "float32")
        for index, output in enumerate(outputs)), case)


def test_the_recurrence_becomes_the_stated_op(exported, request):
    """The graph holds ONNX's LSTM node for an LSTM tf2onnx recognises, else a Loop, and not the other."""
    onnx_steps.check_recurrence(exported, request, PATH, RECURRENCE.get(exported[0].name, FUSED))


def test_onnxruntime_gives_the_models_outputs(exported, request):
    """onnxruntime's outputs on the seeded input have the model's shapes and values within TOLERANCE."""
    onnx_steps.check_values(exported, request, PATH)


@pytest.mark.parametrize("resize", ["batch+1", "shorter"])
def test_a_resized_input_runs_or_fails_as_stated(exported, resize, request):
    """A batch one larger gives the model's outputs on it (not a stateful model); a shorter sequence is refused."""
    case, arrays, _ = exported
    changed = one_more_sample(arrays) if resize == "batch+1" else shorter_sequences(arrays, SHORTER)
    onnx_steps.check_resized(exported, request, PATH, resize, changed, RESIZES.get((case.name, resize)))

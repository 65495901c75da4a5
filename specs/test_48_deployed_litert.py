"""deployed to LiteRT: a model converted to TFLite runs in the interpreter, or fails, as OUTCOMES states.

Per conversion path and case, ``OUTCOMES`` states which conversion runs, the op the recurrence became, the
artifact's tensors, its values and whether it resizes.

The conversion paths (``PATHS``): ``tf.lite.TFLiteConverter.from_keras_model`` (Keras 2 and 3),
``from_saved_model`` on a Keras 3 ``model.export()`` folder, Keras 3's ``model.export(format="litert")``, and
the same with ``input_signature`` fixed to the seeded input's shapes.  On Keras 3 the LSTM is never fused:
Keras 3 emits no ``tf.lstm`` function annotation, so the recurrence stays a ``WHILE`` loop whose TensorList
needs a static batch; a dynamic batch fails to convert, or converts into Flex ops the interpreter cannot run.
Keras 2's time-major LSTM becomes one ``UNIDIRECTIONAL_SEQUENCE_LSTM``.  The interpreter is ai_edge_litert's
where installed (the deploy session), else TensorFlow's ``tf.lite.Interpreter``.  By default the deploy session
runs a few cases of distinct kinds and every other environment the page's LSTM alone (``LIGHT_CASES``);
``LSTM_SPEC_DEPLOY_ALL=1`` runs every catalog case.  On TensorFlow 2.16 with Keras 3, ``from_keras_model`` aborts
the process (``ABORTS``): there it converts in a child process, whose end is the outcome checked.
"""

import pytest

from lstm_spec.deploy import observed
from lstm_spec.deploy.artifacts import WHOLE_MATRIX, Tensor, as_arrays, installed, litert, litert_runtime, one_more_sample
from lstm_spec.deploy.in_child import converted_in_child
from lstm_spec.deploy.litert_paths import PATHS
from lstm_spec.deploy.outcomes import (Cell, Fails, Runs, StepFailed, assert_fails, assert_resized,
                                       assert_runtime_outputs, assert_tensors, attempt, resized)
from lstm_spec.checks.assertions import fail
from lstm_spec.models.backend import KERAS_BACKEND
from lstm_spec.models.era import installed_version, release_of
from lstm_spec.saving.catalog import buildable_cases, built
from lstm_spec.saving.formats import flat_outputs
from lstm_spec.saving.side import BUILDERS_BUILD_THE_KERAS_UNDER_TEST, NOT_UNDER_TEST, SAVING_ERA


STATEFUL_BATCH = 2
TENSOR_LIST = Fails("convert", "ConverterError", "Lowering tensor list ops is failed",
                    why="the WHILE loop's TensorList has the dynamic batch in its element shape")
FLEX = Fails("run", "RuntimeError", "Select TensorFlow op(s), included in the given model, is(are) not supported",
             why="converted with SELECT_TF_OPS: the TensorList ops stay Flex ops, which the pip interpreter lacks")
NOT_RESIZED = Fails("resize", "RuntimeError", "failed to prepare",
                    why="the WHILE loop's tensors were sized for the converted batch")
FIXED_BY_STATE = Runs("WHILE", batch=STATEFUL_BATCH, resize=NOT_RESIZED, why="a stateful layer fixes the batch")
# Through a SavedModel the input keeps a dynamic batch; the state variables still hold the stateful batch.
STATE_FIXES_THE_LOOP = Runs("WHILE", batch=None, output_batch=STATEFUL_BATCH, resize=NOT_RESIZED,
                            why="the state variables fix the batch")
OUTCOMES = {
    (3, "from_keras_model"): Cell(TENSOR_LIST, cases={"stateful": FIXED_BY_STATE}),
    (3, "from_saved_model"): Cell(TENSOR_LIST, cases={"stateful": STATE_FIXES_THE_LOOP}),
    (3, "export-litert"): Cell(FLEX, cases={"stateful": STATE_FIXES_THE_LOOP}),
    (3, "export-litert-fixed-batch"): Cell(
        Runs("WHILE", batch=-1, input_names=("args_0",), resize=NOT_RESIZED), cases={
            "stateful": Runs("WHILE", batch=STATEFUL_BATCH, input_names=("args_0",), resize=NOT_RESIZED),
            # the signature names a list of inputs args_0, args_0_1, ...: the model's names do not call it
            "initial_state_input": Fails("run", "ValueError", "Invalid Input name (x) for SignatureDef")}),
    (2, "from_keras_model"): Cell(TENSOR_LIST, cases={
        "stateful": FIXED_BY_STATE,
        # the first axis is time here: (time, batch, features) = (None, 3, 9); one more step runs
        "page_time_major": Runs("UNIDIRECTIONAL_SEQUENCE_LSTM", batch=None, output_batch=3, resize=None,
                                why="Keras 2 fuses a time-major LSTM; its time axis stays dynamic")}),
}
# (TensorFlow minor, path) -> the outcome on Keras 3 where the conversion aborts the process, so it runs in a child
# (lstm_spec.deploy.in_child); the table's Cell holds everywhere else.
ABORTS = {
    ((2, 16), "from_keras_model"): Fails(
        "convert", "ProcessAborted", "SIGABRT: LLVM ERROR: Failed to infer result type(s).",
        why="TF 2.16's converter meets Keras 3's variables with `missing attribute 'value'` and aborts "
            "(tensorflow/tensorflow#63987, #69237); TF 2.17 converts"),
}
TF_RELEASE = release_of(installed_version("tensorflow"))
# Without LSTM_SPEC_DEPLOY_ALL=1: in the deploy session the cases whose outcome differs, and the page's LSTM;
# elsewhere (the locked default: its budget is 10 % of `suite.py docs`) the page's LSTM, time-major on Keras 2.
DEFAULT_CASES = {"page_lstm", "stateful", "initial_state_input", "page_time_major"}
LIGHT_CASES = {"page_lstm", "page_time_major"}


def _reason_to_skip() -> str | None:
    if not BUILDERS_BUILD_THE_KERAS_UNDER_TEST:
        return NOT_UNDER_TEST
    if KERAS_BACKEND != "tensorflow":
        return f"the TFLite converter reads TensorFlow graphs; this run's Keras backend is {KERAS_BACKEND}"
    return None


pytestmark = pytest.mark.skipif(_reason_to_skip() is not None, reason=str(_reason_to_skip()))


def _conversions():
    return [pytest.param(path, case, id=f"{path}-{case.name}")
            for path, (eras, _) in PATHS.items() if SAVING_ERA in eras
            for case in buildable_cases() if WHOLE_MATRIX or case.name in _selection()]


def _selection() -> set[str]:
    return DEFAULT_CASES if installed("ai_edge_litert") else LIGHT_CASES


def _expected_tensors(arrays, batch, names) -> tuple:
    """Tensors named ``names`` with the shapes and dtypes of ``arrays`` but the first axis ``batch`` (-1: the
    array's own, None: dynamic)."""
    return tuple(Tensor(name, (array.shape[0] if batch == -1 else batch, *array.shape[1:]), array.dtype.name)
                 for name, array in zip(names, arrays))


def _output_names(case) -> tuple[str, ...]:
    """The signature's outputs: ``output_0``, ``output_1``, ... on Keras 3; the output layers' names on Keras 2."""
    count = len(flat_outputs(built(case).outputs))
    if SAVING_ERA == 3:
        return tuple(f"output_{index}" for index in range(count))
    return tuple(built(case).model.output_names)


def _input_names(case, expected) -> tuple[str, ...]:
    """The names the artifact's signature takes, as the table states them: the path's own (``Runs.input_names``),
    else the case's inputs' names, else the one input Keras 3 names ``keras_tensor`` and Keras 2 ``input_1``."""
    if isinstance(expected, Runs) and expected.input_names:
        return expected.input_names
    return case.input_names or ({3: "keras_tensor", 2: "input_1"}[SAVING_ERA],)


def _aborts(path):
    """The outcome ``ABORTS`` states for ``path`` on this TensorFlow with Keras 3, None where it states none."""
    return ABORTS.get((TF_RELEASE, path)) if SAVING_ERA == 3 else None


def _deploy(path, case, folder):
    arrays = as_arrays(built(case).data)
    if _aborts(path):
        return arrays, attempt("convert", converted_in_child, path, case.name, folder)
    return arrays, attempt("convert", PATHS[path][1], built(case).model, arrays, folder)


@pytest.mark.parametrize(("path", "case"), _conversions())
def test_a_converted_model_in_the_litert_interpreter(path, case, tmp_path, request):
    """A catalog case converted one way runs in the interpreter with the tensors, op and values stated, or fails so."""
    expected = _aborts(path) or OUTCOMES[(SAVING_ERA, path)].expected(case.name)
    context = f"{case}, {path}, Keras {SAVING_ERA}"
    failure = None
    try:
        arrays, content = _deploy(path, case, tmp_path)
        names = _input_names(case, expected)
        deployed = attempt("load", litert, content, names)
        outputs = attempt("run", deployed.run, arrays)
    except StepFailed as error:
        failure = error
    cell = observed.Cell("litert", path, case.name)
    if failure is None:
        changed = one_more_sample(arrays)
        got = resized(deployed, changed)
        observed.record(request, cell, **observed.runs(deployed, outputs, flat_outputs(built(case).outputs)),
                        **observed.resized("batch+1", got))
    else:
        observed.record(request, cell, **observed.fails(failure, litert_runtime()))
    if isinstance(expected, Fails):
        assert_fails(failure, expected, context)
        return
    if failure is not None:
        fail(f"{failure}\nbut should run [{context}]")
    assert_tensors("inputs", deployed.inputs, _expected_tensors(arrays, expected.batch, names), context)
    output_batch = expected.batch if isinstance(expected.output_batch, str) else expected.output_batch
    assert_tensors("outputs", deployed.outputs,
                   _expected_tensors(flat_outputs(built(case).outputs), output_batch, _output_names(case)), context)
    if expected.recurrence not in deployed.ops:
        fail(f"the ops are {sorted(deployed.ops)}, without {expected.recurrence} [{context}]")
    assert_runtime_outputs("the interpreter", outputs, flat_outputs(built(case).outputs), context)
    assert_resized("the interpreter", got, changed, built(case).model, expected.resize, f"{context}, batch+1")

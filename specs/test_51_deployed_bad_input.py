"""deployed bad input: a damaged artifact, or an input of the wrong rank or dtype, gives the runtime's error in TOLD.

The page's LSTM exported to LiteRT (``input_signature`` fixed to the seeded input, the export that runs) and
to ONNX, then given what a deployment gets wrong: the file cut in half, an input missing its batch axis,
float64 where the artifact takes float32.  ``TOLD[(runtime, damage)]`` is the exception's class name and
part of its message.  Runs in the deploy session (ai_edge_litert, onnx, onnxruntime, tf2onnx installed).
"""

import numpy as np
import pytest

from lstm_spec.deploy import artifacts, observed
from lstm_spec.deploy.artifacts import litert_runtime, not_installed, runtime as runtime_named
from lstm_spec.deploy.outcomes import Fails, StepFailed, assert_fails, attempt
from lstm_spec.models.backend import KERAS_BACKEND
from lstm_spec.models.keras_under_test import keras
from lstm_spec.saving.catalog import CASES, built
from lstm_spec.saving.side import BUILDERS_BUILD_THE_KERAS_UNDER_TEST, NOT_UNDER_TEST, SAVING_ERA

CASE = CASES["page_lstm"]
TOLD = {
    ("litert", "truncated"): Fails("load", "ValueError", "The model is not a valid Flatbuffer buffer"),
    # the interpreter resizes the input to what it is given, then cannot prepare the loop for it
    ("litert", "rank"): Fails("run", "RuntimeError", "failed to prepare"),
    ("litert", "dtype"): Fails("run", "ValueError", "Cannot set tensor: Got value of type FLOAT64 but expected type "
                                                    "FLOAT32 for input 0"),
    ("onnxruntime", "truncated"): Fails("load", "InvalidProtobuf", "Protobuf parsing failed"),
    ("onnxruntime", "rank"): Fails("run", "InvalidArgument", "Invalid rank for input: keras_tensor Got: 2 Expected: 3"),
    ("onnxruntime", "dtype"): Fails("run", "InvalidArgument", "Unexpected input data type. Actual: (tensor(double)) , "
                                                              "expected: (tensor(float))"),
}


def _reason_to_skip() -> str | None:
    if not BUILDERS_BUILD_THE_KERAS_UNDER_TEST:
        return NOT_UNDER_TEST
    if SAVING_ERA != 3 or KERAS_BACKEND != "tensorflow":
        return "stated for Keras 3's export on the TensorFlow backend"
    return not_installed("ai_edge_litert", "onnx", "onnxruntime", "tf2onnx")


pytestmark = pytest.mark.skipif(_reason_to_skip() is not None, reason=str(_reason_to_skip()))


def _export_litert(path):
    signature = [keras.InputSpec(shape=built(CASE).data.shape, dtype="float32")]
    built(CASE).model.export(str(path / "model.tflite"), format="litert", verbose=False, input_signature=signature)
    return path / "model.tflite"


def _export_onnx(path):
    built(CASE).model.export(str(path / "model.onnx"), format="onnx", verbose=False)
    return path / "model.onnx"


RUNTIMES = {"litert": (_export_litert, lambda path: artifacts.litert(path.read_bytes(), ("args_0",))),
            "onnxruntime": (_export_onnx, artifacts.onnx)}
# runtime -> the cells' format and path (lstm_spec.deploy.observed; spec 48's and 49's names), and the runtime named
CELLS = {"litert": ("litert", "export-litert-fixed-batch", litert_runtime),
         "onnxruntime": ("onnx", "export-onnx", lambda: runtime_named("onnxruntime"))}


@pytest.fixture(scope="module", params=list(RUNTIMES))
def exported(request, tmp_path_factory):
    """The page's LSTM exported for one runtime: (runtime, the artifact's path)."""
    export, _ = RUNTIMES[request.param]
    return request.param, export(tmp_path_factory.mktemp(request.param))


def _damaged(path, damage: str):
    """The artifact as ``damage`` leaves it (a truncated copy beside it) and the input to give it."""
    data = built(CASE).data
    if damage == "truncated":
        cut = path.with_name("truncated" + path.suffix)
        content = path.read_bytes()
        cut.write_bytes(content[:len(content) // 2])
        return cut, data
    return path, (data[0] if damage == "rank" else data.astype(np.float64))


@pytest.mark.parametrize("damage", ["truncated", "rank", "dtype"])
def test_a_runtime_tells_what_is_wrong(exported, damage, request):
    """The runtime refuses the damaged artifact or the wrong input at the step and with the error TOLD states."""
    runtime, path = exported
    artifact, data = _damaged(path, damage)
    try:
        deployed = attempt("load", RUNTIMES[runtime][1], artifact)
        attempt("run", deployed.run, [data])
        failure = None
    except StepFailed as error:
        failure = error
    kind, path, named = CELLS[runtime]
    observed.record(request, observed.Cell(kind, path, observed.damaged(CASE.name, damage)),
                    **(observed.fails(failure, named()) if failure else {"runtime": named(), "outcome": "runs"}))
    assert_fails(failure, TOLD[(runtime, damage)], f"{CASE}, {runtime}, {damage}")

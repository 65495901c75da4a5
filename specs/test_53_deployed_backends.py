"""deployed from PyTorch and JAX: each model.export(format=...) runs in its runtime or fails, as OUTCOMES states.

Keras 3's ``model.export(path, format=...)`` on ``KERAS_BACKEND=torch`` and ``jax``, for every format Keras 3.15.1
names (``FORMATS``): per (backend, format) and case, ``OUTCOMES`` states whether the export converts and runs,
the artifact's tensors (names, dynamic dimensions, dtypes), the op the recurrence became (``None``: unrolled into
plain ops), its values against the model's and what a batch one larger and a shorter sequence give; a format the
backend refuses, or whose tools do not install beside it, fails with the error pinned.

The artifacts are run by their own runtimes: onnxruntime (ONNX), OpenVINO (IR), TensorFlow (SavedModel), the
LiteRT interpreter and ``torch.export.load`` (a ``.pt2`` ExportedProgram).  Runs in the ``deploy-torch`` and
``deploy-jax`` sessions (``python3 suite.py matrix deploy-torch``); by default a few cases of distinct kinds,
``LSTM_SPEC_DEPLOY_ALL=1`` every catalog case.
"""

import re
from dataclasses import dataclass

import pytest

from lstm_spec.checks.assertions import fail
from lstm_spec.deploy import artifacts, observed
from lstm_spec.deploy.artifacts import (WHOLE_MATRIX, Tensor, as_arrays, fixed_input_signature, not_installed,
                                        one_more_sample, shorter_sequences)
from lstm_spec.deploy.outcomes import (Cell, Differs, Fails, Runs, StepFailed, assert_fails, assert_resized,
                                       assert_runtime_outputs, assert_tensors, attempt, resized)
from lstm_spec.models.backend import KERAS_BACKEND, tracking_gradients
from lstm_spec.saving.catalog import buildable_cases, built, call_any_length
from lstm_spec.saving.formats import flat_outputs
from lstm_spec.saving.side import BUILDERS_BUILD_THE_KERAS_UNDER_TEST, NOT_UNDER_TEST, SAVING_ERA

# backend -> the session that runs this spec, and what it needs there (onnxscript: torch.onnx's exporter)
BACKENDS = {"torch": ("deploy-torch", ("onnx", "onnxruntime", "onnxscript", "openvino")),
            "jax": ("deploy-jax", ("onnx", "onnxruntime", "jax2onnx", "openvino"))}
# format -> (the artifact's file name, how its runtime loads it, that runtime's distribution and title)
FORMATS = {
    "onnx": ("model.onnx", artifacts.onnx, ("onnxruntime", None)),
    "openvino": ("model.xml", artifacts.openvino, ("openvino", "OpenVINO")),
    "tf_saved_model": ("exported", artifacts.saved_model, ("tensorflow", "TensorFlow")),
    "litert": ("model.tflite", lambda path: artifacts.litert(path.read_bytes()), None),
    "torch": ("model.pt2", artifacts.exported_program, ("torch", "torch.export of torch")),
}
SIGNATURES = ("dynamic-batch", "fixed-batch")  # the model's own input signature, or the seeded input's shapes
STATEFUL_BATCH = 2
SHORTER = 7  # steps, of the seeded input's 9
MODEL_NAMES = "the model's"  # an input named as the model names it: case.input_names, else keras_tensor


@dataclass(frozen=True)
class Names:
    """How an export names and sizes its tensors: ``inputs`` the names (``MODEL_NAMES``, or a prefix numbered as
    ``numbering`` says: ``"all"`` prefix_0, prefix_1, ...; ``"after-first"`` prefix, prefix_1, ...; ``"several"`` the
    prefix alone for one input, else all), ``outputs`` a regular expression each output's name matches (``{index}``:
    its position); ``dynamic``: every input dimension is dynamic; ``loose_outputs``: an output dimension past the
    first may be dynamic instead of the model's."""

    inputs: str
    outputs: str
    numbering: str = "all"
    dynamic: bool = False
    loose_outputs: bool = False
    why: str = ""

    def input_names(self, case, count: int) -> tuple[str, ...]:
        if self.inputs == MODEL_NAMES:
            return case.input_names or ("keras_tensor",)
        if self.numbering == "after-first" or (self.numbering == "several" and count == 1):
            return tuple(self.inputs if index == 0 else f"{self.inputs}_{index}" for index in range(count))
        return tuple(f"{self.inputs}_{index}" for index in range(count))


NODE_NAME = r"[a-z_][a-z0-9_]*"  # a graph node's name: mul_26, permute_1, transpose_out_1, v_0
NAMES = {
    ("torch", "onnx", "dynamic-batch"): Names(
        MODEL_NAMES, r"\d+|x\.\d+|onnx::\w+_\d+", loose_outputs=True,
        why="a dynamic axis makes Keras take the TorchScript exporter: outputs are its value names, and its shape "
            "inference leaves most output dimensions dynamic"),
    ("torch", "onnx", "fixed-batch"): Names(
        "input", NODE_NAME, why="fixed shapes take the dynamo exporter: positional inputs, outputs named by node"),
    ("torch", "openvino", "dynamic-batch"): Names(
        "input", r"h(\.\d+)?|\d+|Result_\d+", numbering="after-first", dynamic=True,
        why="OpenVINO converts a torch.jit.trace: its parameters have no shapes"),
    ("torch", "torch", "fixed-batch"): Names(
        "args_0", NODE_NAME, "several",
        why="torch.export names the flattened arguments (one input: args_0) and the outputs by node"),
    ("jax", "onnx", "dynamic-batch"): Names(MODEL_NAMES, NODE_NAME, why="jax2onnx names outputs by node"),
    ("jax", "onnx", "fixed-batch"): Names("input", NODE_NAME, why="an InputSpec without a name is input_N"),
    ("jax", "tf_saved_model", "dynamic-batch"): Names(MODEL_NAMES, "output_{index}"),
    ("jax", "tf_saved_model", "fixed-batch"): Names("args_0", "output_{index}", numbering="after-first",
                                                    why="the signature's TensorSpecs are named by position"),
}
NAMES[("torch", "openvino", "fixed-batch")] = NAMES[("torch", "openvino", "dynamic-batch")]

STATEFUL_MISMATCH = ("If an RNN is stateful, the batch size of the input sequences must be the same as the batch size "
                     "of the initial state")
SAMPLE_BATCH = Fails("convert", "ValueError", STATEFUL_MISMATCH,
                     why="Keras' own input signature makes the batch dynamic even where the stateful Input fixes 2: "
                         "traced at 1 (torch) or as a symbol (jax), it is not the state's")
ONNXRUNTIME_REFUSES = Fails("resize", "InvalidArgument", "Got invalid dimensions for input",
                            why="the axis is exported fixed")
GUARDED_BATCH = Fails("resize", "AssertionError", "size()[0] == 2",
                      why="torch.export specialised the batch to the sample's: its guard refuses another")
GUARDED_TIME = Fails("resize", "AssertionError", "size()[1] == 9",
                     why="torch.export specialised the sequence length: its guard refuses another")
STATE_AFTER_EXPORT = Differs(why="measured 0.07 (ONNX) and 0.08 (OpenVINO) from the outputs of the zero state the "
                                 "model starts from: the artifact does not start from that state")
ZERO_STEPS = Differs(why="the trace unrolled the 9 steps it saw; a 7-step input still runs, and gives other values "
                         "(0.25 to 0.64 away) or 9 steps of return_sequences")
SPLIT_INTO_9 = Fails("resize", "RuntimeError", "Split node with name 'prim::ListUnpack/Split'",
                     why="the trace splits the sequence (or its mask) into the 9 steps it saw: 7 do not split so")
NO_LITERT_TORCH = Fails("convert", "ImportError", "you must install the `litert-torch` package",
                        why="litert-torch 0.10.0 does not install beside the lock: its litert-converter 0.5 needs "
                            "xdsl 0.28, which needs typing-extensions<4.13 (lock.txt: 4.16.0)")
NO_TORCH_XLA = Fails("convert", "ImportError", "This requires the torch_xla module",
                     why="Keras' SavedModel export on torch goes through torch_xla, which the lock does not install")
JAX_STABLEHLO = Fails("convert", "OpConversionFailure", "No conversion rule found for operations: XlaCallModule",
                      why="jax2tf serialises the model as StableHLO in one XlaCallModule op, which OpenVINO's "
                          "TensorFlow front end cannot convert")
TF_SAVED_MODEL_REFINES = Fails("resize", "InvalidArgumentError", "invalid refinement for argument",
                               why="the StableHLO module fixes every axis but the batch")
TF_SAVED_MODEL_FIXED = Fails("resize", "InvalidArgumentError", "Call parameter must match argument",
                             why="the StableHLO module is fixed to the signature's shapes")
UNROLLED = None  # the recurrence unrolled into plain ops: no loop or recurrent op in the artifact
STABLEHLO = "XlaCallModule"  # jax2tf's one op holding the model as StableHLO, its loop inside
# The traced models whose shorter sequence fails in OpenVINO rather than giving other outputs (ZERO_STEPS).
OPENVINO_SHORTER = {
    **{name: Runs(UNROLLED, shorter=SPLIT_INTO_9)
       for name in ("masking", "embedding_mask_zero", "gru_reset_before", "simple_rnn", "conv_lstm1d")},
    "page_subsequences": Runs(UNROLLED, shorter=Fails("resize", "RuntimeError", "conflicts with the reshape pattern",
                                                      why="the model's Reshape makes 3 subsequences of 3 steps")),
}
# Bidirectional's backward layer scans in reverse, which jax2onnx 0.17.1 does not convert.
REVERSED_SCAN = {case.name: Fails("convert", "NotImplementedError", "Reverse scan is not supported in IR pipeline",
                                  why="jax2onnx converts no lax.scan(reverse=True): the backward layer")
                 for case in buildable_cases() if case.name.startswith("bidirectional_")}

# (backend, format, signature) -> the outcome for every case (``cases`` where one differs)
OUTCOMES = {
    ("torch", "onnx", "dynamic-batch"): Cell(
        Runs(UNROLLED, shorter=ONNXRUNTIME_REFUSES, why="TorchScript traces each step"),
        cases={"stateful": SAMPLE_BATCH}),
    ("torch", "onnx", "fixed-batch"): Cell(
        Runs(UNROLLED, batch=-1, resize=ONNXRUNTIME_REFUSES, shorter=ONNXRUNTIME_REFUSES),
        cases={"stateful": Runs(UNROLLED, batch=-1, resize=ONNXRUNTIME_REFUSES, shorter=ONNXRUNTIME_REFUSES,
                                values=STATE_AFTER_EXPORT)}),
    ("torch", "openvino", "dynamic-batch"): Cell(Runs(UNROLLED, shorter=ZERO_STEPS),
                                                cases={"stateful": SAMPLE_BATCH, **OPENVINO_SHORTER}),
    ("torch", "openvino", "fixed-batch"): Cell(Runs(UNROLLED, shorter=ZERO_STEPS), cases={
        "stateful": Runs(UNROLLED, output_batch=STATEFUL_BATCH, values=STATE_AFTER_EXPORT, shorter=ZERO_STEPS,
                         resize=Fails("resize", "RuntimeError", "Eltwise shape infer input shapes dim index: 0 "
                                      "mismatch", why="the state holds the stateful batch")),
        **OPENVINO_SHORTER}),
    ("torch", "tf_saved_model", "dynamic-batch"): Cell(
        Fails("convert", "UserError", "Detected mismatch between the structure of `inputs` and `dynamic_shapes`",
              why="Keras' torch SavedModel export passes torch.export a dynamic_shapes of another structure"),
        cases={"initial_state_input": Fails("convert", "AttributeError", "'list' object has no attribute 'shape'")}),
    ("torch", "tf_saved_model", "fixed-batch"): Cell(NO_TORCH_XLA, cases={
        "initial_state_input": Fails("convert", "AttributeError", "'list' object has no attribute 'shape'")}),
    ("torch", "litert", "dynamic-batch"): Cell(NO_LITERT_TORCH),
    ("torch", "litert", "fixed-batch"): Cell(NO_LITERT_TORCH),
    ("torch", "torch", "dynamic-batch"): Cell(
        Fails("run", "AssertionError", "size()[0] == 1",
              why="Keras traces the dynamic batch at 1 and torch.export specialises it: its guard refuses 2"),
        cases={"stateful": Fails("convert", "RuntimeError", STATEFUL_MISMATCH)}),
    ("torch", "torch", "fixed-batch"): Cell(Runs(UNROLLED, batch=-1, resize=GUARDED_BATCH, shorter=GUARDED_TIME),
                                            cases={
        "stateful": Fails("load", "SpecViolationError", "Node.meta wrap_with_set_grad_enabled is missing val field",
                          why="with autograd on, the stateful layer's no_grad state update is a set_grad_enabled "
                              "node that torch.export.load cannot read back (exported under torch.no_grad(), it "
                              "loads and runs)")}),
    ("jax", "onnx", "dynamic-batch"): Cell(Runs("Loop", shorter=ONNXRUNTIME_REFUSES,
                                                why="jax2onnx turns lax.scan into an ONNX Loop"),
                                           cases={"stateful": SAMPLE_BATCH, **REVERSED_SCAN}),
    ("jax", "onnx", "fixed-batch"): Cell(Runs("Loop", batch=-1, resize=ONNXRUNTIME_REFUSES,
                                              shorter=ONNXRUNTIME_REFUSES), cases=REVERSED_SCAN),
    ("jax", "openvino", "dynamic-batch"): Cell(JAX_STABLEHLO, cases={
        "stateful": Fails("convert", "Exception", STATEFUL_MISMATCH)}),
    ("jax", "openvino", "fixed-batch"): Cell(JAX_STABLEHLO),
    ("jax", "tf_saved_model", "dynamic-batch"): Cell(
        Runs(STABLEHLO, shorter=TF_SAVED_MODEL_REFINES, why="jax2tf: one XlaCallModule op, the loop inside"),
        cases={"stateful": SAMPLE_BATCH,
               "initial_state_input": Fails("run", "InvalidArgumentError", "invalid refinement for argument",
                                            why="the h0 and c0 inputs' batch is refined apart from x's")}),
    ("jax", "tf_saved_model", "fixed-batch"): Cell(Runs(STABLEHLO, batch=-1, resize=TF_SAVED_MODEL_FIXED,
                                                        shorter=TF_SAVED_MODEL_FIXED)),
    **{("jax", "litert", signature): Cell(Fails("convert", "ValueError",
                                                "LiteRT export requires TensorFlow or PyTorch backend."))
       for signature in SIGNATURES},
    **{("jax", "torch", signature): Cell(Fails("convert", "ValueError", "Torch export requires PyTorch backend."))
       for signature in SIGNATURES},
}
DEFAULT_CASES = {"page_lstm", "gru_reset_after", "stateful", "initial_state_input", "masking", "bidirectional_concat"}


def _reason_to_skip() -> str | None:
    if not BUILDERS_BUILD_THE_KERAS_UNDER_TEST:
        return NOT_UNDER_TEST
    if SAVING_ERA != 3:
        return "model.export(format=...) is Keras 3's"
    if KERAS_BACKEND not in BACKENDS:
        return (f"stated on the PyTorch and JAX backends (specs 48-51: TensorFlow); this run's backend is "
                f"{KERAS_BACKEND}: `python3 suite.py matrix deploy-torch` or `deploy-jax` runs it")
    session, modules = BACKENDS[KERAS_BACKEND]
    return not_installed(*modules, session=session)


pytestmark = pytest.mark.skipif(_reason_to_skip() is not None, reason=str(_reason_to_skip()))


def _runtime(format: str) -> str:
    named = FORMATS[format][2]
    return artifacts.litert_runtime() if named is None else artifacts.runtime(*named)


def _expected(format: str, signature: str, case, backend: str = KERAS_BACKEND):
    return OUTCOMES[(backend, format, signature)].expected(case.name)


def _exports(runs_only: bool = False):
    """(format, signature, case) params on this backend (elsewhere, where the spec skips, those of either backend,
    for the listing): every export, or only those the table says run."""
    backends = [KERAS_BACKEND] if KERAS_BACKEND in BACKENDS else list(BACKENDS)
    found = {f"{format}-{signature}-{case.name}": (format, signature, case)
             for backend in backends for format in FORMATS for signature in SIGNATURES
             if (backend, format, signature) in OUTCOMES
             for case in buildable_cases() if WHOLE_MATRIX or case.name in DEFAULT_CASES
             if not runs_only or isinstance(_expected(format, signature, case, backend), Runs)}
    return [pytest.param(param, id=name) for name, param in found.items()]


def _export(format: str, signature: str, case, path):
    """``model.export`` as a user calls it: autograd on (the specs call models under ``torch.no_grad()``)."""
    arrays = as_arrays(built(case).data)
    input_signature = None if signature == "dynamic-batch" else fixed_input_signature(arrays)
    with tracking_gradients():
        built(case).model.export(str(path), format=format, verbose=False, input_signature=input_signature)


@dataclass(frozen=True)
class Exported:
    """A case exported one way, loaded and run on the seeded input: the artifact and its outputs, or the failure."""

    format: str
    signature: str
    case: object
    arrays: list
    deployed: object = None
    outputs: tuple | None = None
    failure: StepFailed | None = None

    @property
    def expected(self):
        return _expected(self.format, self.signature, self.case)

    @property
    def context(self) -> str:
        return f"{self.case}, format={self.format!r}, {self.signature}, KERAS_BACKEND={KERAS_BACKEND}"

    @property
    def cell(self) -> observed.Cell:
        """Its cell: the artifact's format, the path naming the backend (``export-onnx-torch``, ``-fixed-batch``)."""
        suffix = "" if self.signature == "dynamic-batch" else f"-{self.signature}"
        return observed.Cell(self.format, f"export-{self.format}-{KERAS_BACKEND}{suffix}", self.case.name)


@pytest.fixture(scope="module")
def exported(request, tmp_path_factory):
    """A catalog case exported one way (once per module), loaded by its runtime and run on the seeded input."""
    format, signature, case = request.param
    path = tmp_path_factory.mktemp(format) / FORMATS[format][0]
    arrays = as_arrays(built(case).data)
    try:
        attempt("convert", _export, format, signature, case, path)
        deployed = attempt("load", FORMATS[format][1], path)
        return Exported(format, signature, case, arrays, deployed, attempt("run", deployed.run, arrays))
    except StepFailed as error:
        return Exported(format, signature, case, arrays, failure=error)


def _ran(exported: Exported, request) -> Exported:
    """The fixture's export, which the table says runs; where a step failed, that recorded and failed."""
    if exported.failure is not None:
        observed.record(request, exported.cell, **observed.fails(exported.failure, _runtime(exported.format)))
        fail(f"{exported.failure}\nbut should run [{exported.context}]")
    return exported


@pytest.mark.parametrize("exported", _exports(), indirect=True)
def test_an_export_runs_or_fails_as_stated(exported, request):
    """The export converts, loads and gives the model's outputs within TOLERANCE (or differs where stated), or fails
    at the step and with the error stated."""
    expected, model_outputs = exported.expected, flat_outputs(built(exported.case).outputs)
    if exported.failure is None:
        observed.record(request, exported.cell,
                        **observed.runs(exported.deployed, exported.outputs, model_outputs))
    else:
        observed.record(request, exported.cell, **observed.fails(exported.failure, _runtime(exported.format)))
    if isinstance(expected, Fails):
        assert_fails(exported.failure, expected, exported.context)
        return
    _ran(exported, request)
    assert_runtime_outputs(exported.deployed.runtime, exported.outputs, model_outputs, exported.context,
                           expected.values)


def _expected_tensors(arrays, batch, names, dynamic: bool = False, loose: tuple = ()) -> tuple:
    """Tensors named ``names`` with the shapes and dtypes of ``arrays`` but the first axis ``batch`` (-1: the array's
    own, None: dynamic); every axis None where ``dynamic``; an axis None where the observed ``loose`` shape has one."""
    def dims(array, index):
        shape = (array.shape[0] if batch == -1 else batch, *array.shape[1:])
        if dynamic:
            return tuple(None for _ in shape)
        seen = loose[index].shape if index < len(loose) else ()
        return tuple(None if axis and axis < len(seen) and seen[axis] is None else size
                     for axis, size in enumerate(shape))

    return tuple(Tensor(name, dims(array, index), array.dtype.name)
                 for index, (name, array) in enumerate(zip(names, arrays)))


def _output_names(names: Names, deployed, count: int) -> tuple[str, ...]:
    """The outputs' names where they match ``names.outputs``, else the pattern itself (so that the difference says)."""
    found = [each.name for each in deployed.outputs] + [""] * count
    return tuple(found[index] if re.fullmatch(names.outputs.format(index=index), found[index])
                 else names.outputs.format(index=index) for index in range(count))


@pytest.mark.parametrize("exported", _exports(runs_only=True), indirect=True)
def test_the_artifacts_tensors_are_as_stated(exported, request):
    """The artifact's inputs and outputs have the names, dtypes and dynamic dimensions NAMES and OUTCOMES state."""
    _ran(exported, request)
    deployed, expected, context = exported.deployed, exported.expected, exported.context
    names = NAMES[(KERAS_BACKEND, exported.format, exported.signature)]
    observed.record(request, exported.cell, **observed.tensors(deployed))
    arrays = exported.arrays
    assert_tensors("inputs", deployed.inputs,
                   _expected_tensors(arrays, expected.batch, names.input_names(exported.case, len(arrays)),
                                     names.dynamic), context)
    outputs = flat_outputs(built(exported.case).outputs)
    output_batch = expected.batch if isinstance(expected.output_batch, str) else expected.output_batch
    assert_tensors("outputs", deployed.outputs,
                   _expected_tensors(outputs, output_batch, _output_names(names, deployed, len(outputs)),
                                     loose=deployed.outputs if names.loose_outputs else ()), context)


@pytest.mark.parametrize("exported", _exports(runs_only=True), indirect=True)
def test_the_recurrence_becomes_the_stated_op(exported, request):
    """The artifact holds the op OUTCOMES states for the recurrence (None: unrolled, no loop or recurrent op)."""
    _ran(exported, request)
    op = observed.recurrence_op(exported.deployed.ops)
    observed.record(request, exported.cell, op=op)
    if op != exported.expected.recurrence:
        fail(f"the recurrence became {op} (ops {sorted(exported.deployed.ops)}), but should become "
             f"{exported.expected.recurrence} [{exported.context}]")


@pytest.mark.parametrize("resize", ["batch+1", "shorter"])
@pytest.mark.parametrize("exported", _exports(runs_only=True), indirect=True)
def test_a_resized_input_runs_or_fails_as_stated(exported, resize, request):
    """A batch one larger and a sequence SHORTER steps long give the model's outputs on them (``model.call``, past
    its input's fixed length), differ, or fail, as OUTCOMES states."""
    _ran(exported, request)
    arrays = exported.arrays
    changed = one_more_sample(arrays) if resize == "batch+1" else shorter_sequences(arrays, SHORTER)
    got = resized(exported.deployed, changed)
    observed.record(request, exported.cell, **observed.resized(resize, got))
    expected = exported.expected.resize if resize == "batch+1" else exported.expected.shorter
    assert_resized(exported.deployed.runtime, got, changed, built(exported.case).model, expected,
                   f"{exported.context}, {resize}", reference=call_any_length)

"""An exported artifact as its runtime sees it: input and output tensors, the ops it holds, and a call.

``Deployed`` is what every runtime gives back, whatever the format: ``inputs`` and ``outputs`` (``Tensor``:
name, shape with ``None`` where the dimension is dynamic, dtype), ``ops`` (the artifact's op types) and
``run(arrays)``, the outputs as a flat tuple of NumPy arrays in the model's order.  ``litert``, ``onnx``,
``openvino``, ``saved_model`` and ``exported_program`` read one artifact each; ``not_installed`` says which
runtimes are missing here and which session has them.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from lstm_spec.saving.formats import _key_order, flat_outputs

# tf.lite.Interpreter (TF 2.21) warns on every construction that it moves to ai_edge_litert.
TF_LITE_DEPRECATION = "tf.lite.Interpreter is deprecated"
# LSTM_SPEC_DEPLOY_ALL=1: specs 48-50 and 52 run every catalog case, not the default selection (the cost budget).
WHOLE_MATRIX = os.environ.get("LSTM_SPEC_DEPLOY_ALL") == "1"


def installed(module: str) -> bool:
    """Whether ``module`` can be imported here (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def not_installed(*modules: str, session: str = "deploy") -> str | None:
    """Why a spec needing ``modules`` skips here (None when all are installed): the nox ``session`` has them
    (``deploy``; Keras 2's ``deploy-keras2`` and ``deploy-tf-keras``; the other backends' ``deploy-torch`` and
    ``deploy-jax``)."""
    from lstm_spec.versions.sides import LOCKS, ROOT

    missing = [module for module in modules if not installed(module)]
    if not missing:
        return None
    return (f"{', '.join(missing)} not installed here: `python3 suite.py matrix {session}` runs this spec "
            f"({LOCKS[session].relative_to(ROOT)})")


@dataclass(frozen=True)
class Tensor:
    """One input or output of an artifact: its name, shape (None: dynamic) and dtype name."""

    name: str
    shape: tuple
    dtype: str


@dataclass(frozen=True)
class Deployed:
    """An artifact loaded by its runtime."""

    runtime: str  # its name and version (``runtime``)
    inputs: tuple[Tensor, ...]
    outputs: tuple[Tensor, ...]
    ops: frozenset[str]
    run: Callable[[list], tuple] = field(repr=False)


def runtime(distribution: str, title: str | None = None) -> str:
    """A runtime as a deploy spec records it: its name and installed version, ``"onnxruntime 1.32.0"``."""
    from lstm_spec.models.era import installed_version

    return f"{title or distribution} {installed_version(distribution)}"


def litert_runtime() -> str:
    """The LiteRT interpreter ``litert_interpreter`` uses here, with its version."""
    if installed("ai_edge_litert"):
        return runtime("ai-edge-litert", "ai_edge_litert")
    return runtime("tensorflow", "tf.lite of TensorFlow")


def _dims(shape) -> tuple:
    return tuple(None if int(size) < 0 else int(size) for size in shape)


def litert_interpreter(content: bytes):
    """``content`` in the LiteRT interpreter, ai_edge_litert's where installed, else TensorFlow's ``tf.lite``, with
    its name and version."""
    if installed("ai_edge_litert"):
        from ai_edge_litert.interpreter import Interpreter

        return litert_runtime(), Interpreter(model_content=content)
    import tensorflow as tf

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=f".*{TF_LITE_DEPRECATION}", category=UserWarning)
        return litert_runtime(), tf.lite.Interpreter(model_content=content)


def litert(content: bytes, input_names: tuple[str, ...] | None = None) -> Deployed:
    """A .tflite flatbuffer in the LiteRT interpreter, called through its serving signature by ``input_names``
    (the model's inputs in order; None: the signature's, in its order); its tensors are the signature's
    (shape_signature: -1 is dynamic)."""
    name, interpreter = litert_interpreter(content)
    signature = interpreter.get_signature_list()["serving_default"]
    input_names = tuple(signature["inputs"]) if input_names is None else input_names
    runner = interpreter.get_signature_runner()
    details = {**runner.get_input_details(), **runner.get_output_details()}

    def tensor(name):
        return Tensor(name, _dims(details[name]["shape_signature"]), np.dtype(details[name]["dtype"]).name)

    def run(arrays):
        return flat_outputs(runner(**dict(zip(input_names, arrays))))

    ops = frozenset(op["op_name"] for op in interpreter._get_ops_details())
    return Deployed(name, tuple(map(tensor, signature["inputs"])), tuple(map(tensor, signature["outputs"])),
                    ops, run)


ONNX_DTYPES = {"tensor(float)": "float32", "tensor(int32)": "int32", "tensor(int64)": "int64"}


def onnx(path) -> Deployed:
    """An .onnx file in onnxruntime (CPU); a dimension the graph names symbolically is dynamic."""
    import onnx as onnx_format
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])

    def tensor(node):
        return Tensor(node.name, tuple(size if isinstance(size, int) else None for size in node.shape),
                      ONNX_DTYPES.get(node.type, node.type))

    def run(arrays):
        return tuple(session.run(None, {node.name: array for node, array in zip(session.get_inputs(), arrays)}))

    ops = frozenset(node.op_type for node in onnx_format.load(str(path)).graph.node)
    return Deployed(runtime("onnxruntime"), tuple(map(tensor, session.get_inputs())),
                    tuple(map(tensor, session.get_outputs())), ops, run)


def openvino(path) -> Deployed:
    """An OpenVINO IR (.xml beside its .bin) compiled for the CPU; a port's name is its first tensor name (its
    node's friendly name where it has none), a dynamic dimension None."""
    import openvino as ov

    core = ov.Core()
    model = core.read_model(str(path))
    compiled = core.compile_model(model, "CPU")

    def tensor(port):
        name = sorted(port.get_names())[0] if port.get_names() else port.get_node().get_friendly_name()
        shape = tuple(None if size.is_dynamic else size.get_length() for size in port.get_partial_shape())
        return Tensor(name, shape, np.dtype(port.get_element_type().to_dtype()).name)

    def run(arrays):
        results = compiled(list(arrays))
        return tuple(np.asarray(results[port]) for port in compiled.outputs)

    ops = frozenset(op.get_type_name() for op in model.get_ops())
    return Deployed(runtime("openvino", "OpenVINO"), tuple(map(tensor, model.inputs)),
                    tuple(map(tensor, model.outputs)), ops, run)


def saved_model(path) -> Deployed:
    """A SavedModel folder loaded by TensorFlow, called through its ``serving_default`` signature (inputs by their
    names, sorted; outputs in ``flat_outputs``' order); its ops are those of the signature's graph and of every
    function it calls."""
    import tensorflow as tf

    function = tf.saved_model.load(str(path)).signatures["serving_default"]
    _, specs = function.structured_input_signature
    names = sorted(specs)

    def tensor(name, spec):
        return Tensor(name, tuple(spec.shape.as_list()), spec.dtype.name)

    def run(arrays):
        return flat_outputs(function(**{name: tf.constant(array) for name, array in zip(names, arrays)}))

    outputs = function.structured_outputs
    ordered = sorted(outputs, key=_key_order)  # flat_outputs' order
    graph = function.graph.as_graph_def()
    ops = frozenset([node.op for node in graph.node]
                    + [node.op for called in graph.library.function for node in called.node_def])
    return Deployed(runtime("tensorflow", "TensorFlow"), tuple(tensor(name, specs[name]) for name in names),
                    tuple(tensor(name, outputs[name]) for name in ordered), ops, run)


def exported_program(path) -> Deployed:
    """A PyTorch ExportedProgram (.pt2) loaded by ``torch.export.load`` and called as its module, the arrays in the
    structure it was exported with; its tensors are the graph's user inputs and outputs (a dimension a symbol sizes
    is dynamic), its ops the ATen targets."""
    import torch
    from torch.utils._pytree import tree_leaves, tree_unflatten

    program = torch.export.load(str(path))
    nodes = list(program.graph.nodes)
    user_inputs = set(program.graph_signature.user_inputs)

    def tensor(node):
        value = node.meta["val"]
        shape = tuple(int(size) if isinstance(size, int) else None for size in value.shape)
        return Tensor(node.name, shape, str(value.dtype).removeprefix("torch."))

    def run(arrays):
        args, kwargs = tree_unflatten([torch.from_numpy(array) for array in arrays], program.call_spec.in_spec)
        with torch.no_grad():
            results = program.module()(*args, **kwargs)
        return tuple(result.numpy() for result in tree_leaves(results))

    inputs = tuple(tensor(node) for node in nodes if node.op == "placeholder" and node.name in user_inputs)
    output_node = next(node for node in nodes if node.op == "output")
    outputs = tuple(tensor(node) for node in tree_leaves(output_node.args[0]))
    ops = frozenset(str(node.target) for node in nodes if node.op == "call_function")
    return Deployed(runtime("torch", "torch.export of torch"), inputs, outputs, ops, run)


def fixed_input_signature(arrays: list) -> list:
    """An export's ``input_signature`` fixed to ``arrays``' shapes and dtypes: ``[spec]``, or ``[[spec, ...]]`` for a
    model of several inputs."""
    from lstm_spec.models.keras_under_test import keras

    specs = [keras.InputSpec(shape=array.shape, dtype=str(array.dtype)) for array in arrays]
    return [specs] if len(specs) > 1 else specs


def as_arrays(data) -> list:
    """A case's input as a list of arrays (one per model input)."""
    return list(data) if isinstance(data, (list, tuple)) else [data]


def one_more_sample(arrays: list) -> list:
    """Every input with its first sample appended: the batch one larger."""
    return [np.concatenate([array, array[:1]]) for array in arrays]


def shorter_sequences(arrays: list, steps: int) -> list:
    """Every sequence input (rank 3 and up, or integer tokens) cut to its first ``steps`` steps; state inputs
    (float, rank 2) unchanged."""
    return [array[:, :steps] if array.ndim >= 3 or array.dtype.kind == "i" else array for array in arrays]

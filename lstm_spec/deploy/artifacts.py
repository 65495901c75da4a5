"""An exported artifact as its runtime sees it: input and output tensors, the ops it holds, and a call.

``Deployed`` is what every runtime gives back, whatever the format: ``inputs`` and ``outputs`` (``Tensor``:
name, shape with ``None`` where the dimension is dynamic, dtype), ``ops`` (the artifact's op types) and
``run(arrays)``, the outputs as a flat tuple of NumPy arrays in the model's order.  ``litert``, ``onnx``
and ``openvino`` read one artifact each; ``RUNTIMES`` says which are installed here and why not.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from lstm_spec.saving.formats import flat_outputs

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
    (``deploy``; Keras 2's ``deploy-keras2`` and ``deploy-tf-keras``)."""
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


def litert(content: bytes, input_names: tuple[str, ...]) -> Deployed:
    """A .tflite flatbuffer in the LiteRT interpreter, called through its serving signature by ``input_names``
    (the model's inputs in order); its tensors are the signature's (shape_signature: -1 is dynamic)."""
    name, interpreter = litert_interpreter(content)
    signature = interpreter.get_signature_list()["serving_default"]
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

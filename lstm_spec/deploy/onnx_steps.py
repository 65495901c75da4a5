"""The ONNX specs' steps, one per spec: spec 49 (Keras 3's ``model.export(format="onnx")``) and spec 52 (Keras 2's
``tf2onnx.convert.from_keras``) convert a catalog case once per module, load it in onnxruntime, and record and check
its cell (``lstm_spec.deploy.observed``) the same way.

``exported(case, convert, folder)`` is a module fixture's value: the case, its input and the ``Deployed`` artifact
(or the ``StepFailed`` where the conversion or the load failed).  ``loaded`` hands a test that value or records the
failure and fails; ``check_recurrence``, ``check_values`` and ``check_resized`` record what they observe, then
assert it against the spec's table.
"""

from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from lstm_spec.checks.assertions import fail
from lstm_spec.deploy import artifacts, observed
from lstm_spec.deploy.artifacts import as_arrays
from lstm_spec.deploy.outcomes import (Fails, StepFailed, assert_resized, assert_runtime_outputs, attempt,
                                       resized)
from lstm_spec.saving.catalog import built
from lstm_spec.saving.formats import flat_outputs

# The ops an ONNX graph's recurrence may become: the fused nodes, or the TensorFlow while loop kept as a Loop.
RECURRENCES = ("LSTM", "GRU", "RNN", "Loop", "Scan")
RUNTIME = "onnxruntime"


# tf2onnx's freezing (from_keras on Keras 2) drops the traced while loop's functions from TensorFlow's context
# itself; when the traced function is collected later, its __del__ removes them again and TensorFlow raises this,
# which Python reports as unraisable (pytest.ini makes that an error of whichever test is running then).
REMOVED_AGAIN = ("AtomicFunction.__del__", "InvalidArgumentError", "Tried to remove non-existent function")


def _removed_again(unraisable) -> bool:
    where = getattr(unraisable.object, "__qualname__", "")
    return (where == REMOVED_AGAIN[0] and type(unraisable.exc_value).__name__ == REMOVED_AGAIN[1]
            and REMOVED_AGAIN[2] in str(unraisable.exc_value))


@contextmanager
def functions_removed_again_ignored():
    """Runs the block, then collects its garbage, with ``REMOVED_AGAIN`` unraisable errors left out (any other one
    goes on to the hook before, pytest's)."""
    before = sys.unraisablehook

    def hook(unraisable):
        if not _removed_again(unraisable):
            before(unraisable)

    sys.unraisablehook = hook
    try:
        yield
        gc.collect()
    finally:
        sys.unraisablehook = before


def exported(case, convert: Callable, folder: Path) -> tuple:
    """``case`` converted by ``convert(model, arrays, path)`` into ``folder/model.onnx`` and loaded in onnxruntime:
    (case, its input as arrays, the ``Deployed``, or the ``StepFailed`` of the conversion or the load)."""
    path = folder / "model.onnx"
    arrays = as_arrays(built(case).data)
    try:
        attempt("convert", convert, built(case).model, arrays, path)
        deployed = attempt("load", artifacts.onnx, path)
    except StepFailed as error:
        deployed = error
    return case, arrays, deployed


def cell(path: str, case) -> observed.Cell:
    """The cell of ``case`` converted by the spec's ``path`` (``"export-onnx"``, ``"tf2onnx-from_keras"``)."""
    return observed.Cell("onnx", path, case.name)


def loaded(exported_case: tuple, request, path: str) -> tuple:
    """``exported``'s case, input and artifact; where the conversion or the load failed, that recorded and failed."""
    case, arrays, deployed = exported_case
    if isinstance(deployed, StepFailed):
        observed.record(request, cell(path, case), **observed.fails(deployed, artifacts.runtime(RUNTIME)))
        fail(f"{deployed}\nbut should run [{case}]")
    return case, arrays, deployed


def assert_recurrence(ops, op: str, context) -> None:
    """The graph's ``ops`` hold ``op`` and none of the other ``RECURRENCES``."""
    __tracebackhide__ = True
    others = [each for each in RECURRENCES if each != op and each in ops]
    if op not in ops or others:
        fail(f"the graph's ops are {sorted(ops)}: it should hold {op} and no other recurrence "
             f"({', '.join(each for each in RECURRENCES if each != op)}) [{context}]")


def check_recurrence(exported_case: tuple, request, path: str, op: str, context: str = "") -> None:
    """Records the op ``exported``'s recurrence became and checks it is ``op`` (``assert_recurrence``)."""
    __tracebackhide__ = True
    case, _, deployed = loaded(exported_case, request, path)
    observed.record(request, cell(path, case), op=observed.recurrence_op(deployed.ops))
    assert_recurrence(deployed.ops, op, context or case)


def check_values(exported_case: tuple, request, path: str) -> None:
    """Records onnxruntime's difference from the model's outputs on the seeded input (or its error) and checks the
    outputs' count, shapes and values (``assert_runtime_outputs``)."""
    __tracebackhide__ = True
    case, arrays, deployed = loaded(exported_case, request, path)
    expected = flat_outputs(built(case).outputs)
    try:
        outputs = attempt("run", deployed.run, arrays)
    except StepFailed as error:
        observed.record(request, cell(path, case), **observed.fails(error, deployed.runtime))
        raise
    observed.record(request, cell(path, case), outcome="runs", **observed.difference(outputs, expected))
    assert_runtime_outputs(RUNTIME, outputs, expected, case)


def check_resized(exported_case: tuple, request, path: str, resize: str, changed: list, expected: Fails | None,
                  context: str = "") -> None:
    """Runs ``exported``'s artifact on ``changed`` (its input resized), records that as ``resize`` and checks it gives
    the model's outputs on ``changed``, or fails as ``expected`` says."""
    __tracebackhide__ = True
    case, _, deployed = loaded(exported_case, request, path)
    got = resized(deployed, changed)
    observed.record(request, cell(path, case), **observed.resized(resize, got))
    assert_resized(RUNTIME, got, changed, built(case).model, expected, context or f"{case}, {resize}")

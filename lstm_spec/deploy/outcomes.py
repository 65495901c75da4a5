"""What an export path gives for a case, as data: it runs (``Runs``: its shapes, op, values; ``Differs`` where it
runs with other outputs than the model's) or fails (``Fails``: the step, the exception's class name and part of
its message).  ``attempt`` runs a step and
``assert_fails`` / ``assert_tensors`` check an observation against the table's entry, ``assert_runtime_outputs`` a
runtime's outputs against the model's, ``assert_resized`` a run on a resized input (``resized``'s)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lstm_spec.deploy.cell_text import TOLERANCE
from lstm_spec.checks.assertions import assert_count, assert_shape, error_message, fail
from lstm_spec.saving.catalog import call
from lstm_spec.saving.formats import flat_outputs
from lstm_spec.saving.read_files import max_abs_diff



@dataclass(frozen=True)
class Runs:
    """The artifact loads and runs: ``recurrence`` is among its ops (spec 53: the op it became, None where the
    recurrence was unrolled into plain ops); ``batch`` is its inputs' first axis (None: dynamic, -1: the converted
    input's; time for a time-major model); ``input_names`` its inputs' names (empty: the model's own);
    ``output_batch`` the outputs' first axis where it is not the inputs'; ``resize`` what one more along that axis
    gives, ``shorter`` what a shorter sequence gives (None: the model's outputs on it)."""

    recurrence: str | None
    batch: int | None = None
    input_names: tuple[str, ...] = ()
    output_batch: int | None | str = "as the input's"  # the outputs' first axis, where not the inputs' 
    resize: "Fails | Differs | None" = None
    why: str = ""
    shorter: "Fails | Differs | None" = None
    values: "Differs | None" = None  # None: the model's outputs, within TOLERANCE


@dataclass(frozen=True)
class Fails:
    step: str  # "convert" (the export or conversion), "load", "run" or "resize"
    type: str  # the exception's class name, exactly
    fragment: str  # part of its message
    why: str = ""

    def __str__(self) -> str:
        return f"fails at {self.step} with {self.type} saying {self.fragment!r}"


@dataclass(frozen=True)
class Differs:
    """The artifact runs, but its outputs are not the model's: other shapes, or values more than TOLERANCE away
    (spec 53)."""

    why: str = ""

    def __str__(self) -> str:
        return f"other outputs than the model's: other shapes or values beyond {TOLERANCE:g} ({self.why})"


@dataclass(frozen=True)
class Cell:
    """One (era, path) of a table: ``outcome`` unless ``cases`` names the case."""

    outcome: Runs | Fails
    cases: dict = field(default_factory=dict)

    def expected(self, case: str):
        return self.cases.get(case, self.outcome)


class StepFailed(Exception):
    """A step of an export path raised: which step, and the error."""

    def __init__(self, step: str, error: BaseException):
        super().__init__(f"{step}: {type(error).__name__}: {error_message(error)}")
        self.step, self.error = step, error


def attempt(step: str, function, *arguments):
    """``function(*arguments)``, its exception wrapped in ``StepFailed`` naming ``step``."""
    try:
        return function(*arguments)
    except Exception as error:  # noqa: BLE001 - the table pins which one
        raise StepFailed(step, error) from error


def assert_fails(failure: StepFailed | None, expected: Fails, context: str) -> None:
    """The path failed at ``expected.step`` with exactly ``expected.type`` and its fragment."""
    __tracebackhide__ = True
    if failure is None:
        fail(f"it ran, but should fail: {expected} [{context}]")
    message = error_message(failure.error)
    observed = (failure.step, type(failure.error).__name__)
    if observed != (expected.step, expected.type) or expected.fragment not in message:
        fail(f"failed at {failure.step} with {type(failure.error).__name__}: {message[:400]}\n"
             f"but should: {expected} [{context}]")


def assert_tensors(kind: str, actual, expected, context: str) -> None:
    """The artifact's ``kind`` tensors are exactly ``expected`` (names, shapes with None dynamic, dtypes)."""
    __tracebackhide__ = True
    if tuple(actual) != tuple(expected):
        rows = "\n".join([f"  - {each}" for each in expected] + [f"  + {each}" for each in actual])
        fail(f"the artifact's {kind} differ (- should be, + is) [{context}]:\n{rows}")


def assert_runtime_outputs(runtime: str, outputs, expected, context, differs: Differs | None = None) -> None:
    """``runtime``'s ``outputs`` have the model's (``expected``) count and shapes exactly, values within TOLERANCE;
    where ``differs`` says they are not the model's, their shapes or values are not."""
    __tracebackhide__ = True
    assert_count("len(outputs)", len(outputs), len(expected), context)
    if differs is not None:
        same_shapes = all(got.shape == want.shape for got, want in zip(outputs, expected))
        if same_shapes and max_abs_diff(outputs, expected) <= TOLERANCE:
            fail(f"{runtime}'s outputs are the model's (within {max_abs_diff(outputs, expected):.3g}), but should "
                 f"be {differs} [{context}]")
        return
    for index, (got, want) in enumerate(zip(outputs, expected)):
        assert_shape(f"outputs[{index}]", got, want.shape, context)
    difference = max_abs_diff(outputs, expected)
    if difference > TOLERANCE:
        fail(f"{runtime}'s outputs differ from the model's by {difference:.3g} > {TOLERANCE:g} [{context}]")


def resized(deployed, changed: list):
    """``deployed``'s outputs on the resized input ``changed``, or the ``StepFailed`` (step ``resize``) it raised."""
    try:
        return attempt("resize", deployed.run, changed)
    except StepFailed as error:
        return error


def assert_resized(runtime: str, got, changed: list, model, expected: Fails | Differs | None, context,
                   reference=call) -> None:
    """``got`` (``resized``'s, on ``changed``) is ``model``'s outputs on ``changed`` (``reference(model, data)``'s;
    not them where ``expected`` is a ``Differs``), or fails as ``expected`` says."""
    __tracebackhide__ = True
    if isinstance(got, StepFailed):
        if not isinstance(expected, Fails):
            fail(f"{got}\nbut should run [{context}]")
        assert_fails(got, expected, context)
        return
    if isinstance(expected, Fails):
        assert_fails(None, expected, context)
    assert_runtime_outputs(f"on the resized input, {runtime}", got,
                           flat_outputs(reference(model, changed if len(changed) > 1 else changed[0])), context,
                           expected)

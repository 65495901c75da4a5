"""Assertion helpers whose failures read as documentation: what was observed, what the behaviour
is, on which configuration, and a snippet that reproduces it.

Each helper hides itself from the traceback (``__tracebackhide__``), so a failing spec points at
the spec line, and attaches the repro snippet with ``add_note``.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import numpy as np

from lstm_spec.checks import arrays_text


def fail(message: str, repro: str | None = None) -> None:
    """Raises the AssertionError every helper here raises: ``message``, with ``repro`` attached as a
    note; for checks elsewhere whose relation no ``assert_*`` helper states."""
    __tracebackhide__ = True
    error = AssertionError(message)
    if repro:
        error.add_note("Reproduce with:\n    " + repro.replace("\n", "\n    "))
    raise error


def assert_shape(name: str, actual, expected, context: object = "", repro: str | None = None) -> None:
    """``actual`` (a shape, or anything with ``.shape``) equals ``expected``."""
    __tracebackhide__ = True
    actual_shape = tuple(getattr(actual, "shape", actual))
    expected = tuple(expected)
    if expected != actual_shape:
        fail(f"{name}.shape={actual_shape}, but should be {expected} [{context}]", repro)


def assert_count(name: str, actual: int, expected: int, context: object = "", repro: str | None = None) -> None:
    """An integer property (parameter count, number of outputs) equals ``expected``."""
    __tracebackhide__ = True
    if expected != actual:
        fail(f"{name}={actual}, but should be {expected} [{context}]", repro)


def assert_type(name: str, actual, expected: type, context: object = "", repro: str | None = None) -> None:
    """``actual`` is exactly of type ``expected`` (a list is not a tuple)."""
    __tracebackhide__ = True
    if expected is not type(actual):
        fail(f"{name} is a {type(actual).__name__}, but should be a {expected.__name__} [{context}]", repro)


def assert_close(
    name: str,
    actual,
    expected,
    context: object = "",
    repro: str | None = None,
    *,
    rtol: float = arrays_text.DEFAULT_RTOL,
    atol: float = arrays_text.DEFAULT_ATOL,
) -> None:
    """``actual`` equals ``expected`` within float32 tolerance (shapes and dtypes exactly)."""
    __tracebackhide__ = True
    differences = arrays_text.compare_arrays(
        [(name, np.asarray(expected))], [(name, np.asarray(actual))], rtol=rtol, atol=atol
    )
    if differences:
        lines = [line for difference in differences for line in difference.lines("expected")]
        fail(f"{name} should equal the expected values [{context}]:\n" + "\n".join(lines), repro)


OUTPUT_NAMES = ("output", "state_h", "state_c")


def assert_matches_oracle(actual, expected, context: object = "", repro: str | None = None) -> None:
    """A layer's outputs (an array, or a list ``[output, *states]``) equal the oracle's ``expected``
    array by array within ``oracle.RTOL``/``oracle.ATOL`` (compared as float64)."""
    __tracebackhide__ = True
    from lstm_spec.checks import oracle

    actual = list(actual) if isinstance(actual, (list, tuple)) else [actual]
    expected = list(expected) if isinstance(expected, (list, tuple)) else [expected]
    assert_count("len(outputs)", len(actual), len(expected), context, repro)
    names = OUTPUT_NAMES[:len(actual)] if len(actual) <= 3 else [f"[{index}]" for index in range(len(actual))]
    for name, got, want in zip(names, actual, expected):
        assert_shape(name, got, np.shape(want), context, repro)
    differences = arrays_text.compare_arrays(
        [(name, np.asarray(array, dtype=np.float64)) for name, array in zip(names, expected)],
        [(name, np.asarray(array, dtype=np.float64)) for name, array in zip(names, actual)],
        rtol=oracle.RTOL, atol=oracle.ATOL,
    )
    if differences:
        lines = [line for difference in differences for line in difference.lines("expected")]
        fail(f"the layer's outputs should equal the NumPy oracle's [{context}]:\n" + "\n".join(lines), repro)


def assert_run_matches_oracle(run) -> None:
    """A pinned run (``lstm_spec.models.pinned.PinnedRun``) gives what the oracle computes for it."""
    __tracebackhide__ = True
    assert_matches_oracle(run.outputs, run.expected(), run, run.repro())


def assert_mask_masks(masked_run, unmasked_run) -> None:
    """A masked pinned run's mask hides at least one step, and its output differs from the same call
    without the mask: otherwise a masked case would check nothing the unmasked one does not."""
    __tracebackhide__ = True
    hidden = int(np.size(masked_run.mask) - np.count_nonzero(masked_run.mask))
    if hidden == 0:
        fail(f"the mask hides no step, so the case checks no masking [{masked_run}]", masked_run.repro())
    assert_differs("masked output", _first(masked_run.outputs), "unmasked output", _first(unmasked_run.outputs),
                   masked_run, masked_run.repro())


def _first(outputs):
    """The output itself: the first of ``[output, *states]``, or the one array a layer returned."""
    return outputs[0] if isinstance(outputs, (list, tuple)) else outputs


def assert_differs(
    name: str, actual, other_name: str, other, context: object = "", repro: str | None = None
) -> None:
    """``actual`` is not (even approximately) equal to ``other``: they are different quantities."""
    __tracebackhide__ = True
    actual, other = np.asarray(actual), np.asarray(other)
    if actual.shape == other.shape and np.allclose(
        actual, other, rtol=arrays_text.DEFAULT_RTOL, atol=arrays_text.DEFAULT_ATOL
    ):
        fail(f"{name} equals {other_name}, but they should differ [{context}]", repro)


def layer_table(model) -> list[tuple[str, tuple, int]]:
    """(layer class, output shape, parameter count) for each layer of a functional model."""
    return [
        (type(layer).__name__, tuple(layer.output.shape), layer.count_params())
        for layer in model.layers
    ]


def assert_layer_table(model, expected: list[tuple[str, tuple, int]], context: object = "") -> None:
    """The model's layers, their output shapes and parameter counts are exactly ``expected``."""
    __tracebackhide__ = True
    actual = layer_table(model)
    if expected != actual:
        rows = [f"    {'':2} {'layer':<26} {'output shape':<22} params"]
        for marker, table in (("- ", expected), ("+ ", actual)):
            rows += [f"    {marker} {kind:<26} {str(shape):<22} {params}" for kind, shape, params in table]
        fail(f"layer table differs (- should be, + is) [{context}]:\n" + "\n".join(rows), None)


ANSI_STYLE = re.compile(r"\x1b\[[0-9;]*m")
SHOWN_MESSAGE_CHARS = 400


def error_message(error: BaseException) -> str:
    """The message a user reads, without the terminal styling (bold escape codes) Keras adds."""
    return ANSI_STYLE.sub("", str(error))


@contextmanager
def assert_raises(expected_type: type[BaseException], fragment: str, context: object = ""):
    """The block raises exactly ``expected_type`` (a subclass is a different error) with
    ``fragment`` in its message; raising nothing or anything else fails, naming what happened."""
    __tracebackhide__ = True
    expected = f"{expected_type.__name__} saying {fragment!r}"
    try:
        yield
    except Exception as error:
        message = error_message(error)
        if expected_type is type(error) and fragment in message:
            return
        shown = message if len(message) <= SHOWN_MESSAGE_CHARS else message[:SHOWN_MESSAGE_CHARS] + " ..."
        fail(f"raised {type(error).__name__}: {shown}\nbut should raise {expected} [{context}]", None)
    fail(f"nothing was raised, but should raise {expected} [{context}]", None)


def assert_same_outputs(actual: tuple, expected: tuple, context: object = "", repro: str | None = None) -> None:
    """Two flat tuples of output arrays are equal bit for bit: the same count, shapes, dtypes and every bit
    (a saved model read back runs the same kernels on the same weights); a failure gives each array's
    largest difference."""
    __tracebackhide__ = True
    assert_count("len(outputs)", len(actual), len(expected), context, repro)
    unequal = []
    for index, (got, want) in enumerate(zip(actual, expected)):
        got, want = np.asarray(got), np.asarray(want)
        if got.shape != want.shape or got.dtype != want.dtype:
            unequal.append(f"    [{index}]: {got.dtype}{got.shape}, but should be {want.dtype}{want.shape}")
        elif not np.array_equal(got, want):
            largest = float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64))))
            unequal.append(f"    [{index}]: differs by up to {largest:.3g} ({np.count_nonzero(got != want)} of "
                           f"{got.size} values)")
    if unequal:
        fail(f"outputs should equal the expected ones bit for bit [{context}]:\n" + "\n".join(unequal), repro)


def assert_same(name: str, actual, expected, context: object = "", repro: str | None = None) -> None:
    """A plain value (a config dict, a list of shapes) equals ``expected``; for nested dicts and lists the failure
    names the paths whose values differ (``layers[2].config.unroll``)."""
    __tracebackhide__ = True
    if actual == expected:
        return
    if isinstance(actual, (dict, list)) and type(actual) is type(expected):
        shown = "\n".join(f"    {path}: {got!r}, but should be {want!r}"
                           for path, got, want in differences(actual, expected))
        fail(f"{name} differs [{context}]:\n{shown}", repro)
    fail(f"{name}={actual!r}, but should be {expected!r} [{context}]", repro)


MISSING = "<missing>"


def differences(actual, expected, path: str = "") -> list[tuple[str, object, object]]:
    """(path, actual, expected) for each leaf where two nested dicts/lists differ."""
    if isinstance(actual, dict) and isinstance(expected, dict):
        keys = sorted(set(actual) | set(expected), key=str)
        return [found for key in keys for found in differences(actual.get(key, MISSING), expected.get(key, MISSING),
                                                               f"{path}.{key}" if path else str(key))]
    if isinstance(actual, list) and isinstance(expected, list) and len(actual) == len(expected):
        return [found for index, (got, want) in enumerate(zip(actual, expected))
                for found in differences(got, want, f"{path}[{index}]")]
    return [] if actual == expected else [(path or "value", actual, expected)]

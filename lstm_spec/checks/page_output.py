"""Relations the page's printed numbers must satisfy, checked on the page's own values.

Each check takes a ``lstm_spec.models.page.Page`` and fails (``AssertionError``) naming the page's
cells and the values that break the relation.  Two printed values are equal "to the printed
precision" when they differ by at most half a unit of the last printed digit: the same float32
value prints the same, and any altered digit shows.
"""

from __future__ import annotations

import re

import numpy as np

from lstm_spec.checks.assertions import assert_close, assert_count, assert_differs, assert_layer_table, assert_shape, fail
from lstm_spec.models.page import Page, PrintedArray, SummaryTable


def check_printed_equal(name: str, actual: np.ndarray | PrintedArray, expected: PrintedArray, context: str) -> None:
    """``actual`` equals ``expected`` to the printed precision (half a unit of the last printed digit)."""
    __tracebackhide__ = True
    values = actual.values if isinstance(actual, PrintedArray) else actual
    tolerance = max(expected.half_unit, actual.half_unit if isinstance(actual, PrintedArray) else 0.0)
    assert_close(name, values, expected.values, context, rtol=0.0, atol=tolerance)


def check_default_output_last_step(page: Page) -> None:
    """The return_sequences cell's last step equals the default cell's output."""
    __tracebackhide__ = True
    default = page.cell().array("output")
    sequences = page.cell(return_sequences=True).array("output")
    check_printed_equal("output[:, -1, :]", sequences.values[:, -1, :], default,
                        "the page's LSTM(units, return_sequences=True) output vs its LSTM(units) output")


def check_state_output_equals_h(page: Page) -> None:
    """The return_state cell prints the same ``_h`` (the output) and ``h`` (the hidden state)."""
    __tracebackhide__ = True
    cell = page.cell(return_state=True)
    check_printed_equal("_h", cell.array("_h"), cell.array("h"), f"the page's {cell.call}")


def check_state_h_differs_from_c(page: Page) -> None:
    """The return_state cell's ``h`` and ``c`` are different quantities."""
    __tracebackhide__ = True
    cell = page.cell(return_state=True)
    assert_differs("h", cell.array("h").values, "c", cell.array("c").values, f"the page's {cell.call}")


def output_gate(h: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``h / tanh(c)``: the last step's output gate, since an LSTM returns h = o * tanh(c)."""
    return h / np.tanh(c)


def check_state_output_gate_in_unit_interval(page: Page) -> np.ndarray:
    """Every ``h / tanh(c)`` of the return_state cell lies strictly between 0 and 1 (a sigmoid's
    values); returns the ratios."""
    __tracebackhide__ = True
    cell = page.cell(return_state=True)
    gate = output_gate(cell.array("h").values, cell.array("c").values)
    outside = np.argwhere(~((gate > 0.0) & (gate < 1.0)))
    if outside.size:
        shown = ", ".join(f"{tuple(index)}: {gate[tuple(index)]:.6g}" for index in outside[:5])
        fail(f"h / tanh(c) should lie strictly between 0 and 1 (the output gate, a sigmoid), but at "
             f"{len(outside)} element(s) it does not: {shown} [the page's {cell.call}]")
    return gate


def check_sequences_and_state_repeat_state_cell(page: Page) -> None:
    """Reseeded, the sequences-and-state cell prints the state cell's ``h`` and ``c`` and the
    sequences cell's output."""
    __tracebackhide__ = True
    both = page.cell(return_state=True, return_sequences=True)
    state, sequences = page.cell(return_state=True), page.cell(return_sequences=True)
    context = f"the page's {both.call} vs its {state.call} and {sequences.call}"
    check_printed_equal("h", both.array("h"), state.array("h"), context)
    check_printed_equal("c", both.array("c"), state.array("c"), context)
    check_printed_equal("_h", both.array("_h"), sequences.array("output"), context)


def check_time_major_h_shape(page: Page) -> None:
    """The time_major cell's ``h`` is (in_features, units): the axis Keras 2 read as the batch."""
    __tracebackhide__ = True
    cell = page.cell(time_major=True)
    expected = (page.variables["in_features"], cell.units)
    assert_shape("h", cell.array("h"), expected, f"the page's {cell.call} on data {page.time_major_data_shape}")


def check_summary_totals(table: SummaryTable, context: str) -> None:
    """A printed table's parameter column adds up to its total, all of it trainable."""
    __tracebackhide__ = True
    assert_count("sum of the Param # column", sum(row.params for row in table.rows), table.total, context)
    assert_count("Trainable params", table.trainable, table.total, context)
    assert_count("Non-trainable params", table.non_trainable, 0, context)


def check_summary_matches_model(table: SummaryTable, model, context: str) -> None:
    """A printed table's layers (type, output shape, parameters) and total are the model's."""
    __tracebackhide__ = True
    assert_layer_table(model, table.layer_table(), context)
    assert_count("model.count_params()", model.count_params(), table.total, context)


SUMMARY_FEATURES = {
    "model name": lambda text: re.search(r'Model: "(\w+)"', text).group(1),
    "input shape printed in a list": lambda text: bool(re.search(r"\[\(None", text)),
    "totals give sizes in bytes": lambda text: bool(re.search(r"Total params: [\d,]+ \(", text)),
    "box-drawn table": lambda text: "┃" in text,
    "layer type cut by its column": lambda text: bool(re.search(r"\(\w+\s+\(None", text)),
}


def summary_format(text: str) -> dict:
    """The features of a ``model.summary()`` text that Keras versions print differently."""
    return {name: feature(text) for name, feature in SUMMARY_FEATURES.items()}

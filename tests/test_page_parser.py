"""The page's parser (``lstm_spec/models/page.py``) and the relations checked on its values
(``lstm_spec/checks/page_output.py``): what it reads, what it refuses, and that every relation fails
on a copy of the page with one printed value altered."""

import re

import numpy as np
import pytest

from lstm_spec.checks import page_output
from lstm_spec.models.architectures import cnn_lstm
from lstm_spec.models.page import PAGE_FILE, PageFormatError, load_page, parse_array, read_page

PAGE_TEXT = PAGE_FILE.read_text()
STATE_CELL = "Return States"
BOTH_CELL = "using both at same time"


def replace_after(text: str, anchor: str, old: str, new: str) -> str:
    """``text`` with the first ``old`` after ``anchor`` replaced by ``new``."""
    start = text.index(old, text.index(anchor))
    return text[:start] + new + text[start + len(old):]


def array_text(text: str, anchor: str, header: str) -> str:
    """The printed array that follows ``header`` after ``anchor``, as printed."""
    start = text.index(header, text.index(anchor)) + len(header)
    _, _, length = parse_array(header, text[start:])
    return text[start:start + length]


def without_last_row(text: str, anchor: str, header: str, new_header: str) -> str:
    """The 2D array after ``header`` with its last row dropped, printed under ``new_header``."""
    printed = array_text(text, anchor, header)
    shortened = printed[:printed.rindex("] [") + 1] + "]"
    return replace_after(replace_after(text, anchor, printed, shortened), anchor, header, new_header)


def test_kept_page_is_read():
    """The kept page reads as the TensorFlow 2.7.0 page: its variables, five printing LSTM cells and two summary tables."""
    page = load_page()
    assert "understanding Input/output of LSTM" == page.title
    assert "2.7.0" == page.tensorflow_version
    assert {"seq_len": 9, "in_features": 3, "batch_size": 2, "units": 5}.items() <= page.variables.items()
    assert (2, 9, 3) == page.data_shape
    assert (2, 3, 9) == page.time_major_data_shape
    assert [{}, {"return_sequences": True}, {"return_state": True},
            {"return_state": True, "return_sequences": True}, {"time_major": True}] == [
        cell.options for cell in page.layer_cells]
    assert ["_h", "h", "c"] == list(page.cell(return_state=True).arrays)
    assert [174, 214] == [table.total for table in page.summaries]
    assert {"kernel U": (3, 20), "recurrent kernel, W": (5, 20), "bias": (20,)} == page.weight_shapes


def test_printed_arrays_keep_their_values_and_precision():
    """A printed array reads back as its numbers (8 decimals, NumPy's default print precision)."""
    default = load_page().cell().array("output")
    assert (2, 5) == default.shape
    assert -0.04311746 == default.values[0, 0]
    assert 8 == default.decimals
    assert 0.5e-8 == default.half_unit


def test_summary_rows_join_the_cut_type_names():
    """A layer type the page's narrow table cut in two ('TimeDistr ... ibuted)') reads whole, and an input's listed shape as a tuple."""
    table = load_page().summaries[1]
    assert ("InputLayer", (None, 9, 3), 0) == table.layer_table()[0]
    assert "[(None, 9, 3)]" == table.rows[0].shape_text
    assert ["InputLayer", "Reshape", "TimeDistributed", "TimeDistributed", "TimeDistributed", "LSTM"] == [
        row.layer_type for row in table.rows]


def test_summary_format_of_the_page():
    """The page's table (Keras 2.7): model named 'model', input shape in a list, no byte sizes, no box, types cut."""
    assert {"model name": "model", "input shape printed in a list": True, "totals give sizes in bytes": False,
            "box-drawn table": False, "layer type cut by its column": True} == page_output.summary_format(
        load_page().summaries[1].text)


@pytest.mark.parametrize("text, message", [
    pytest.param("", "this is not a Sphinx-Gallery page", id="empty"),
    pytest.param(PAGE_TEXT.replace("in_features = 3 ", ""), "the page's code does not assign in_features",
                 id="missing-variable"),
    pytest.param(replace_after(PAGE_TEXT, "time major", "h: shape (3, 5)", "h: shape (4, 5)"),
                 "array 'h' is printed with shape (4, 5), but its values have shape (3, 5)", id="shape-mismatch"),
    pytest.param(replace_after(PAGE_TEXT, STATE_CELL, " 0.1710459", ""), "array 'c': its rows have different lengths",
                 id="ragged"),
    pytest.param(replace_after(PAGE_TEXT, "time major", "0.0856159", "0.08x6159"), "'0.08x6159' is not a number",
                 id="not-a-number"),
    pytest.param(PAGE_TEXT[:PAGE_TEXT.index("0.11244525")], "array 'output' never closes", id="truncated"),
    pytest.param(PAGE_TEXT.replace("conv1d (Conv1D)", "conv1d Conv1D"), "cannot read the model.summary() row at",
                 id="summary-row"),
    pytest.param(PAGE_TEXT.replace("Trainable params: 214", "Trainable: 214"),
                 "the page prints 2 model.summary() tables, 1 of them readable", id="summary-table"),
    pytest.param(PAGE_TEXT.replace("tf.__version__", "tf.version"),
                 "expected one cell whose code ends with 'tf.__version__', found 0", id="no-version-cell"),
])
def test_unreadable_page_is_refused(text, message):
    """A page the parser cannot read raises PageFormatError saying what is wrong and where the page is kept."""
    with pytest.raises(PageFormatError) as refused:
        read_page(text)
    assert message in str(refused.value)
    assert "docs/page/README.md" in str(refused.value)


def test_missing_cell_is_refused():
    """Asking for a cell the page does not print names the cells it does print."""
    with pytest.raises(PageFormatError, match=re.escape("the page prints no arrays of LSTM(units, go_backwards=True)")):
        load_page().cell(go_backwards=True)


def test_missing_page_file_is_refused(tmp_path):
    """A missing page file is refused, saying where the page is kept."""
    with pytest.raises(PageFormatError, match="is missing: the page is kept in docs/page/"):
        load_page(tmp_path / "input_output_lstm.txt")


def test_every_relation_holds_on_the_kept_page():
    """Every relation check passes on the page as kept (the controls of the altered copies below)."""
    page = load_page()
    for check in RELATIONS:
        check(page)
    for table in page.summaries:
        page_output.check_summary_totals(table, "the kept page")
    page_output.check_summary_matches_model(page.summaries[0], cnn_lstm(), "the kept page")


RELATIONS = [
    page_output.check_default_output_last_step,
    page_output.check_state_output_equals_h,
    page_output.check_state_h_differs_from_c,
    page_output.check_state_output_gate_in_unit_interval,
    page_output.check_sequences_and_state_repeat_state_cell,
    page_output.check_time_major_h_shape,
]


@pytest.mark.parametrize("check, altered, message", [
    pytest.param(page_output.check_default_output_last_step,
                 replace_after(PAGE_TEXT, "output shape is (2, 5)", "0.08160033", "0.08160034"),
                 "output[:, -1, :] should equal the expected values", id="default-output-last-digit"),
    pytest.param(page_output.check_state_output_equals_h,
                 replace_after(PAGE_TEXT, STATE_CELL, "0.11244525", "0.11244526"),
                 "_h should equal the expected values", id="state-output-last-digit"),
    pytest.param(page_output.check_state_h_differs_from_c,
                 replace_after(PAGE_TEXT, STATE_CELL, array_text(PAGE_TEXT, STATE_CELL, "c: shape (2, 5) values "),
                               array_text(PAGE_TEXT, STATE_CELL, " h: shape (2, 5) values ")),
                 "h equals c, but they should differ", id="state-c-printed-as-h"),
    pytest.param(page_output.check_state_output_gate_in_unit_interval,
                 replace_after(PAGE_TEXT, "c: shape (2, 5)", "-0.0884207", "-0.0084207"),
                 "h / tanh(c) should lie strictly between 0 and 1", id="gate-above-one"),
    pytest.param(page_output.check_state_output_gate_in_unit_interval,
                 replace_after(PAGE_TEXT, "c: shape (2, 5)", "-0.0884207", "0.0884207"),
                 "h / tanh(c) should lie strictly between 0 and 1", id="gate-negative"),
    pytest.param(page_output.check_sequences_and_state_repeat_state_cell,
                 replace_after(PAGE_TEXT, BOTH_CELL, "0.24443825", "0.24443826"),
                 "c should equal the expected values", id="both-cell-c-last-digit"),
    pytest.param(page_output.check_sequences_and_state_repeat_state_cell,
                 replace_after(PAGE_TEXT, BOTH_CELL, "0.0236822", "0.0236823"),
                 "_h should equal the expected values", id="both-cell-sequence"),
    pytest.param(page_output.check_time_major_h_shape,
                 without_last_row(PAGE_TEXT, "time major", "h: shape (3, 5) values ", "h: shape (2, 5) values "),
                 "h.shape=(2, 5), but should be (3, 5)", id="time-major-two-rows"),
])
def test_relation_fails_on_an_altered_value(check, altered, message):
    """Each relation fails on a copy of the page with one printed value altered, naming what broke."""
    assert PAGE_TEXT != altered
    with pytest.raises(AssertionError) as failed:
        check(read_page(altered))
    assert message in str(failed.value)


@pytest.mark.parametrize("altered, message", [
    pytest.param(PAGE_TEXT.replace("Total params: 174", "Total params: 175"),
                 "sum of the Param # column=174, but should be 175", id="total"),
    pytest.param(PAGE_TEXT.replace("Non-trainable params: 0", "Non-trainable params: 3", 1),
                 "Non-trainable params=3, but should be 0", id="non-trainable"),
])
def test_summary_totals_fail_on_an_altered_total(altered, message):
    """A summary table whose total no longer adds up is caught."""
    with pytest.raises(AssertionError, match=re.escape(message)):
        page_output.check_summary_totals(read_page(altered).summaries[0], "an altered page")


@pytest.mark.parametrize("old, new, message", [
    pytest.param("lstm (LSTM) (None, 5) 160", "lstm (LSTM) (None, 5) 161", "LSTM                       (None, 5)              161",
                 id="lstm-params"),
    pytest.param("(None, 5, 2) 0", "(None, 4, 2) 0", "MaxPooling1D               (None, 4, 2)", id="pooling-shape"),
])
def test_summary_model_check_fails_on_an_altered_row(old, new, message):
    """A summary row whose shape or parameter count is altered no longer matches the suite's model."""
    table = read_page(PAGE_TEXT.replace(old, new, 1)).summaries[0]
    with pytest.raises(AssertionError, match="layer table differs") as failed:
        page_output.check_summary_matches_model(table, cnn_lstm(), "an altered page")
    assert message in str(failed.value)


def test_altered_gate_ratio_is_outside_the_unit_interval():
    """The altered page of 'gate-above-one' gives a ratio above 1 (the alteration does what its id says)."""
    page = read_page(replace_after(PAGE_TEXT, "c: shape (2, 5)", "-0.0884207", "-0.0084207"))
    cell = page.cell(return_state=True)
    assert 1.0 < np.max(page_output.output_gate(cell.array("h").values, cell.array("c").values))

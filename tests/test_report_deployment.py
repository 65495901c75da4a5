"""The upgrade report's Deployment section: the deploy cells that differ between two sides' records, fabricated."""

import json

from lstm_spec.deploy.observed import RECORD_FILE, Cell, record_text
from lstm_spec.versions.report_sections import deployment
from lstm_spec.versions.side_results import SideResult, read_side
from test_upgrade_report_reading import finished_run

PAGE_LSTM_LITERT = Cell("litert", "export-litert", "page_lstm")
PAGE_LSTM_ONNX = Cell("onnx", "export-onnx", "page_lstm")
GRU_ONNX = Cell("onnx", "export-onnx", "gru_reset_after")
FLEX = {"runtime": "ai_edge_litert 2.2.0", "outcome": "fails",
        "error": "run: RuntimeError: Select TensorFlow op(s), included in the given model, is(are) not supported"}
LITERT_RUNS = {"runtime": "ai_edge_litert 2.3.0", "outcome": "runs", "op": "WHILE", "difference": 1.49e-07,
               "inputs": [["keras_tensor", [None, 9, 3], "float32"]], "outputs": [["output_0", [None, 5], "float32"]]}
ONNX_LSTM = {"runtime": "onnxruntime 1.31.1", "outcome": "runs", "op": "LSTM", "difference": 1.19e-07,
             "inputs": [["keras_tensor", [None, 9, 3], "float32"]], "outputs": [["Identity:0", [None, 5], "float32"]],
             "resize": {"batch+1": "runs", "shorter": "resize: InvalidArgument: Got invalid dimensions for input"}}


def side(name: str, cells: dict | None) -> SideResult:
    """A side whose run left the record of ``cells`` (None: no record)."""
    return SideResult(name, "version", deployment_record=None if cells is None else record_text(cells))


def test_a_format_that_starts_working_is_one_row():
    """A cell that failed and now runs is said once, by its outcome: its tensors and op come with it, unlisted."""
    lines = deployment.section(side("2.20.0", {PAGE_LSTM_LITERT: FLEX}),
                               side("2.21.0", {PAGE_LSTM_LITERT: LITERT_RUNS}))
    assert ["## Deployment", ""] == lines[:2]
    assert ("| litert | export-litert | page_lstm | outcome | fails at run: RuntimeError: Select TensorFlow op(s), "
            "included in the given model, is(are) not supported | runs, ≤ 1e-06 |") in lines
    assert 1 == sum(line.startswith("| litert |") for line in lines)
    assert "Runtimes: 2.20.0: ai_edge_litert 2.2.0; 2.21.0: ai_edge_litert 2.3.0." in lines[2]


def test_an_op_that_changes_is_a_row_and_a_difference_that_moves_is_none():
    """Within a cell that runs on both sides, each fact that differs is its row; the same facts are not listed, nor a
    difference from the model's outputs that moved within the specs' bound (it moves from run to run)."""
    after = {**ONNX_LSTM, "op": "Loop", "difference": 3.6e-07, "runtime": "onnxruntime 1.32.0"}
    lines = deployment.section(side("before", {PAGE_LSTM_ONNX: ONNX_LSTM}), side("after", {PAGE_LSTM_ONNX: after}))
    rows = [line for line in lines if line.startswith("| onnx |")]
    assert ["| onnx | export-onnx | page_lstm | op | LSTM | Loop |"] == rows
    assert "1 cell of 1 differ" in lines[2]


def test_a_resize_is_compared_by_its_name():
    """A resize that now fails is its row, named by the resize."""
    after = {**ONNX_LSTM, "difference": 1.21e-07,
             "resize": {**ONNX_LSTM["resize"], "batch+1": "resize: Fail: [ONNXRuntimeError] : 1 : FAIL : Input h"}}
    lines = deployment.section(side("a", {PAGE_LSTM_ONNX: ONNX_LSTM}), side("b", {PAGE_LSTM_ONNX: after}))
    rows = [line for line in lines if line.startswith("| onnx |")]
    assert ["| onnx | export-onnx | page_lstm | resize batch+1 | runs | resize: Fail: Input h |"] == rows


def test_a_cell_only_one_side_has_is_said_whole():
    """A cell one side did not run reads 'not run' there, its outcome on the other."""
    lines = deployment.section(side("keras2", {PAGE_LSTM_ONNX: ONNX_LSTM}),
                               side("locked", {PAGE_LSTM_ONNX: ONNX_LSTM, GRU_ONNX: {**ONNX_LSTM, "op": "Loop"}}))
    assert ["| onnx | export-onnx | gru_reset_after | cell | not run | runs, ≤ 1e-06 |"] == [
        line for line in lines if line.startswith("| onnx |")]
    assert "1 cell of 2 differ" in lines[2]


def test_no_section_where_every_cell_is_the_same_or_no_side_recorded():
    """The same cells (another runtime version alone) give no section, and so do sides with no record at all."""
    newer = {PAGE_LSTM_ONNX: {**ONNX_LSTM, "runtime": "onnxruntime 1.32.0"}}
    assert [] == deployment.section(side("a", {PAGE_LSTM_ONNX: ONNX_LSTM}), side("b", newer))
    assert [] == deployment.section(side("a", None), side("b", None))


def test_a_missing_or_damaged_record_is_said_not_compared():
    """One side without a record, or with one that is not a record, gives the reason and no table."""
    assert ["## Deployment", "", f"Not compared: b left no {RECORD_FILE}.", ""] == deployment.section(
        side("a", {PAGE_LSTM_ONNX: ONNX_LSTM}), side("b", None))
    damaged = SideResult("b", "version", deployment_record='{"cells": [{"cell": ["onnx"]}]}')
    said = deployment.section(side("a", {}), damaged)[2]
    assert said.startswith(f"Not compared: b's {RECORD_FILE}: cells[0] is no cell")


def test_a_sides_record_is_read_with_its_run(tmp_path):
    """read_side keeps the record the side's run left in its collected folder, as text (the folder goes away)."""
    text = record_text({PAGE_LSTM_ONNX: ONNX_LSTM})
    tree, collected = finished_run(tmp_path, **{RECORD_FILE: text})
    assert text == read_side("locked", "locked", tree, collected, tmp_path / "nox.log").deployment_record
    tree, collected = finished_run(tmp_path / "none")
    assert read_side("locked", "locked", tree, collected, tmp_path / "nox.log").deployment_record is None
    assert ["cells"] == list(json.loads(text))

"""lstm_spec/deploy/observed.py: the deploy specs' facts, recorded, merged, written and read back, without a runtime."""

import json
from types import SimpleNamespace

import pytest

from lstm_spec.deploy import observed
from lstm_spec.deploy.observed import Cell

PAGE_LSTM = Cell("onnx", "export-onnx", "page_lstm")


def request_for(nodeid: str):
    """What ``record`` reads of a test's ``request``: its node's id and user_properties."""
    return SimpleNamespace(node=SimpleNamespace(nodeid=nodeid, user_properties=[]))


def recorded(nodeid: str, cell: Cell, **facts) -> dict:
    request = request_for(nodeid)
    observed.record(request, cell, **facts)
    [(name, value)] = request.node.user_properties
    assert observed.RECORDS == name
    return value


def test_merged_joins_a_cells_facts_from_every_spec():
    """Facts of one cell from several tests are joined; resizes key by key; the specs that recorded them sorted."""
    records = [recorded("specs/t.py::test_op", PAGE_LSTM, op="LSTM"),
               recorded("specs/t.py::test_resize[shorter]", PAGE_LSTM, resize={"shorter": "resize: Fail: no"}),
               recorded("specs/t.py::test_resize[batch+1]", PAGE_LSTM, resize={"batch+1": "runs"}),
               recorded("specs/t.py::test_a", Cell("litert", "export-litert", "page_lstm"), outcome="fails")]
    cells = observed.merged(records)
    assert [Cell("litert", "export-litert", "page_lstm"), PAGE_LSTM] == list(cells)
    assert {"op": "LSTM", "resize": {"shorter": "resize: Fail: no", "batch+1": "runs"},
            "specs": ["specs/t.py::test_op", "specs/t.py::test_resize[batch+1]", "specs/t.py::test_resize[shorter]"]
            } == cells[PAGE_LSTM]


def test_record_keeps_tensors_as_json_does():
    """Tuples become lists and NumPy numbers Python ones, so a record reads back as it was written."""
    import numpy as np

    value = recorded("specs/t.py::test", PAGE_LSTM, inputs=(("x", (None, 9, 3), "float32"),),
                     difference=np.float32(0.5))
    assert {"inputs": [["x", [None, 9, 3], "float32"]], "difference": 0.5} == value["facts"]
    assert isinstance(value["facts"]["difference"], float)


def test_an_unknown_fact_is_refused():
    """A misspelt fact fails the spec that records it, naming the facts there are."""
    with pytest.raises(TypeError, match=r"unknown deployment fact\(s\) \['shape'\]: record one of \['runtime'"):
        observed.record(request_for("specs/t.py::test"), PAGE_LSTM, op="LSTM", shape=(2, 5))


def test_a_record_file_reads_back_as_written(tmp_path):
    """record_text's file, read by read_record, gives the merged cells again."""
    cells = observed.merged([recorded("specs/t.py::test", PAGE_LSTM, runtime="onnxruntime 1.32.0", difference=1e-7)])
    (tmp_path / "record.json").write_text(observed.record_text(cells))
    assert cells == observed.read_record(tmp_path / "record.json")


@pytest.mark.parametrize(("content", "said"), [
    (None, "is missing"),
    ('{"cells": [', "is unreadable (not JSON"),
    ('["cells"]', "is unreadable (not a deployment record)"),
    ('{"cell": []}', 'holds no list of "cells" (not a deployment record)'),
    ('{"cells": [{"cell": ["onnx", "export-onnx"]}]}', "cells[0] is no cell"),
    ('{"cells": ["onnx"]}', "cells[0] is no cell"),
    ('{"cells": [{"cell": ["onnx", "export-onnx", "page_lstm"], "shape": [2]}]}',
     "cells[0] holds unknown fact(s) ['shape']"),
], ids=["missing", "not-json", "not-an-object", "no-cells", "short-cell", "not-a-cell", "unknown-fact"])
def test_a_damaged_record_says_what_is_wrong(tmp_path, content, said):
    """A record file that is missing, not JSON or not a record is refused naming the file, what is wrong and the fix."""
    path = tmp_path / "deployment-record.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ValueError) as raised:
        observed.read_record(path)
    assert str(path) in str(raised.value) and said in str(raised.value)
    assert str(raised.value).endswith("write it again with `pytest specs --deployment-record=PATH`")


CONVERTER_ERROR = (
    'convert: ConverterError: <unknown>:0: error: loc(callsite(fused["TensorListReserve:", "functional_1/lstm_1/'
    'TensorArrayV2_1@__inference_function_3525"] at fused["StatefulPartitionedCall:", "StatefulPartitionedCall_1"])): '
    "'tf.TensorListReserve' op requires element_shape to be static\n"
    '<unknown>:0: note: loc(fused["StatefulPartitionedCall:", "StatefulPartitionedCall_1"]): called from\n'
    "<unknown>:0: error: 'tf.TensorListReserve' op requires element_shape to be static\n"
    "<unknown>:0: error: Lowering tensor list ops is failed.\n")


def test_a_converters_diagnostics_keep_their_errors_messages():
    """The TFLite converter's MLIR diagnostics keep each error's message once, without locations or notes."""
    assert ("convert: ConverterError: 'tf.TensorListReserve' op requires element_shape to be static; Lowering tensor "
            "list ops is failed.") == observed.stable_error(CONVERTER_ERROR)


def test_diagnostics_at_python_source_locations_keep_their_errors_messages():
    """TF 2.15's converter places its diagnostics at Python frames (``<frozen runpy>:198:1``): reduced the same way."""
    assert "convert: ConverterError: 'tf.TensorListReserve' op requires element_shape to be static" == \
        observed.stable_error("convert: ConverterError: <frozen runpy>:198:1: error: 'tf.TensorListReserve' op "
                              "requires element_shape to be static\n<frozen runpy>:88:1: note: called from\n"
                              "/venv/lib/python3.11/site-packages/keras/src/engine/training.py:589:1: note: called from")


def test_an_error_reads_the_same_in_any_order_and_any_run(tmp_path):
    """Counters, a temporary folder and OpenVINO's source line are masked; any other message is kept whole."""
    assert "load: Fail: in __inference_function_N at <tmp>/model.onnx: cut" == observed.stable_error(
        f"load: Fail: in __inference_function_812 at {tmp_path}/model.onnx: cut")
    assert "resize: Fail: running LSTM node. Name:'LSTM__N' Status Message: Input initial_h" == observed.stable_error(
        "resize: Fail: running LSTM node. Name:'LSTM__274' Status Message: Input initial_h")
    assert "convert: OpConversionFailure: FrontEnd API failed" == observed.stable_error(
        "convert: OpConversionFailure: Check 'false' failed at src/frontends/report.cpp:151:\nFrontEnd API failed")
    assert "run: ValueError: Invalid Input name (x) for SignatureDef" == observed.stable_error(
        "run: ValueError: Invalid Input name (x) for SignatureDef")


def test_a_run_writes_its_cells_with_the_option(pytester):
    """--deployment-record=PATH writes the cells a run's specs recorded, passed or failed, as the file read_record reads."""
    pytester.makepyfile(test_cells='''
        from lstm_spec.deploy import observed

        def test_runs(request):
            observed.record(request, observed.Cell("onnx", "export-onnx", "page_lstm"), op="LSTM")

        def test_fails(request):
            observed.record(request, observed.Cell("onnx", "export-onnx", "stateful"), outcome="fails")
            assert False
    ''')
    result = pytester.runpytest_inprocess("-p", "lstm_spec.deploy.observed", "-p", "no:cacheprovider",
                                          "--deployment-record=record.json")
    result.assert_outcomes(passed=1, failed=1)
    cells = observed.read_record(pytester.path / "record.json")
    assert {"op": "LSTM", "specs": ["test_cells.py::test_runs"]} == cells[PAGE_LSTM]
    assert "fails" == cells[Cell("onnx", "export-onnx", "stateful")]["outcome"]
    assert ["cells"] == list(json.loads((pytester.path / "record.json").read_text()))

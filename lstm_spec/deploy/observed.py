"""What the deploy specs observed, cell by cell: the facts ``docs/deployment.md``, the history and the upgrade
report read (issue 29), and a pytest plugin that gathers them.

A cell is one (format, path, case): ``format`` the artifact's kind (``"litert"``, ``"onnx"``, ``"openvino"``),
``path`` how the artifact was made (a spec's conversion path, such as spec 48's ``PATHS``), ``case`` the catalog
case (``damaged``: ``page_lstm:truncated``, the case's artifact given bad input, spec 51).  A spec calls
``record(request, Cell(...), fact=value, ...)`` with what it saw before it asserts; the facts travel in the test
report's ``user_properties`` (pytest-xdist forwards them), and ``merged(records)`` joins a cell's facts from every
test that recorded one, with the node ids of those tests under ``"specs"``.

The facts a cell may hold (``FACTS``; any other name is refused, so a misspelt fact fails the spec at once):

- ``runtime``: the runtime and its version, ``"onnxruntime 1.32.0"``;
- ``outcome``: ``"runs"`` or ``"fails"`` (none where the spec only converts); ``error``: where it fails,
  ``"step: ExceptionType: message"`` (``stable_error``: the same in any order and on any run);
- ``op``: the op the recurrence became (``"LSTM"``, ``"Loop"``, ``"WHILE"``, ``"UNIDIRECTIONAL_SEQUENCE_LSTM"``;
  none where it was unrolled into plain ops);
- ``inputs``, ``outputs``: the artifact's tensors, ``[[name, [dims, None where dynamic], dtype], ...]``;
- ``difference``: the largest absolute difference from the model's outputs on the seeded input;
- ``resize``: ``{"batch+1": "runs" or the error, "shorter": ...}``, merged key by key.

``--deployment-record=PATH`` writes a run's merged cells as JSON (what a history side keeps, as
``RECORD_FILE`` in its collected folder), and ``read_record(PATH)`` (``parse_record(text)``) reads it back.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lstm_spec.saving.json_file import parse_object, read_object

RECORDS = "lstm_spec.deployment_facts"  # the user_properties entry
OPTION = "--deployment-record"
RECORD_FILE = "deployment-record.json"  # its name in a history or report side's collected folder
_REWRITE = f"write it again with `pytest specs {OPTION}=PATH`"
FACTS = ("runtime", "outcome", "error", "op", "inputs", "outputs", "difference", "resize")
MERGED_KEY_BY_KEY = ("resize",)


DAMAGED = ":"  # a case given bad input: page_lstm:truncated (spec 51)


def damaged(case: str, damage: str) -> str:
    """The cell's case for ``case``'s artifact given bad input (``"truncated"``, ``"rank"``, ``"dtype"``)."""
    return f"{case}{DAMAGED}{damage}"


@dataclass(frozen=True, order=True)
class Cell:
    format: str
    path: str
    case: str

    def __str__(self) -> str:
        return f"{self.format}/{self.path}/{self.case}"


def _plain(value):
    """``value`` as JSON keeps it: tuples as lists, NumPy scalars as Python numbers."""
    if isinstance(value, (tuple, list)):
        return [_plain(each) for each in value]
    if isinstance(value, dict):
        return {str(key): _plain(each) for key, each in value.items()}
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def record(request, cell: Cell, **facts) -> None:
    """Records ``facts`` about ``cell`` for the test ``request`` runs (a fact outside ``FACTS`` is a spec's bug)."""
    unknown = sorted(set(facts) - set(FACTS))
    if unknown:
        raise TypeError(f"unknown deployment fact(s) {unknown}: record one of {list(FACTS)} "
                        "(lstm_spec/deploy/observed.py)")
    request.node.user_properties.append(
        (RECORDS, {"cell": [cell.format, cell.path, cell.case], "spec": request.node.nodeid, "facts": _plain(facts)}))


def tensors(deployed) -> dict:
    """The facts of an artifact its runtime loaded: the runtime (with its version) and the artifact's tensors."""
    return {"runtime": deployed.runtime,
            "inputs": [[each.name, each.shape, each.dtype] for each in deployed.inputs],
            "outputs": [[each.name, each.shape, each.dtype] for each in deployed.outputs]}


def difference(outputs, expected) -> dict:
    """The fact of a run: its ``outputs``' largest difference from ``expected`` (the model's)."""
    from lstm_spec.saving.read_files import max_abs_diff

    return {"difference": float(max_abs_diff(outputs, expected))}


def runs(deployed, outputs, expected) -> dict:
    """The facts of an artifact that ran: its runtime, tensors, recurrence op and ``outputs``' difference from
    ``expected`` (the model's)."""
    return {**tensors(deployed), "outcome": "runs", "op": recurrence_op(deployed.ops),
            **difference(outputs, expected)}


def fails(failure, runtime: str | None = None) -> dict:
    """The facts of a path that failed (a ``StepFailed``): where, with what (``stable_error``)."""
    return {"outcome": "fails", "error": stable_error(str(failure)), **({"runtime": runtime} if runtime else {})}


def resized(resize: str, got) -> dict:
    """The fact of a run on a resized input named ``resize`` (``"batch+1"``): ``got``, outputs or the
    ``StepFailed``, as ``"runs"`` or its error."""
    return {"resize": {resize: stable_error(str(got)) if isinstance(got, Exception) else "runs"}}


# An MLIR diagnostic line (the TFLite converter's errors): ``<unknown>:0: error: loc(...): message``, or on TF 2.15
# at a Python source location, ``<frozen runpy>:198:1: error: message``.
_DIAGNOSTIC = re.compile(r"^(?:<[^>]*>|\S+):\d+(?::\d+)?: (error|note|warning): (?:loc\(.*\): )?(.*)$")
# A number counting what a process made so far: a traced function's (TensorFlow), a node's (tf2onnx: LSTM__274).
_COUNTER = re.compile(r"(__inference_\w*?_|[A-Za-z]__)\d+\b")
_SOURCE_LINE = re.compile(r"Check '[^']*' failed at \S+:\d+:\s*")  # OpenVINO's: where in its C++ sources
_TEMPORARY = re.compile(re.escape(tempfile.gettempdir()) + r"/(?:[^\s'\"]*/)?")


def stable_error(text: str) -> str:
    """``"step: Type: message"`` as a record keeps it, the same for the same failure in any order and any run: MLIR
    diagnostics reduced to their errors' messages (no locations, no notes), OpenVINO's source lines left out, counters
    and temporary folders masked (``__inference_function_N``, ``LSTM__N``, ``<tmp>/model.onnx``)."""
    step, _, rest = text.partition(": ")
    kind, _, message = rest.partition(": ")
    lines = [line for line in message.splitlines() if line.strip()]
    diagnostics = [_DIAGNOSTIC.match(line) for line in lines]
    if lines and all(diagnostics):
        errors = [found.group(2) for found in diagnostics if found.group(1) == "error"]
        message = "; ".join(dict.fromkeys(errors))
    message = _TEMPORARY.sub("<tmp>/", _COUNTER.sub(r"\1N", _SOURCE_LINE.sub("", message)))
    return f"{step}: {kind}: {message}"


# The ops a recurrence becomes, fused first: the first an artifact holds is the one it records.  Last,
# XlaCallModule: a JAX model exported through jax2tf, its loop inside the op's StableHLO (spec 53).
RECURRENCE_OPS = ("UNIDIRECTIONAL_SEQUENCE_LSTM", "BIDIRECTIONAL_SEQUENCE_LSTM", "UNIDIRECTIONAL_SEQUENCE_RNN",
                  "LSTM", "GRU", "RNN", "TensorIterator", "Loop", "Scan", "WHILE", "XlaCallModule")


def recurrence_op(ops) -> str | None:
    """The op of ``ops`` a recurrence became (``RECURRENCE_OPS``), None where it holds none of them."""
    return next((op for op in RECURRENCE_OPS if op in ops), None)


def merged(records: list[dict]) -> dict[Cell, dict]:
    """Each cell's facts from every record of it, in order, with the node ids that recorded them under ``specs``
    (sorted)."""
    cells: dict[Cell, dict] = {}
    for each in records:
        facts = cells.setdefault(Cell(*each["cell"]), {"specs": []})
        if each["spec"] not in facts["specs"]:
            facts["specs"].append(each["spec"])
        for name, value in each["facts"].items():
            if name in MERGED_KEY_BY_KEY:
                facts.setdefault(name, {}).update(value)
            else:
                facts[name] = value
    for facts in cells.values():
        facts["specs"].sort()  # the same in any order the tests ran (-n 2)
    return dict(sorted(cells.items()))


def record_text(cells: dict[Cell, dict]) -> str:
    return json.dumps({"cells": [{"cell": [key.format, key.path, key.case], **facts} for key, facts in cells.items()]},
                      indent=1, sort_keys=True) + "\n"


def read_record(path: Path) -> dict[Cell, dict]:
    """The cells a ``--deployment-record`` file holds; ValueError saying what is wrong when it cannot be read."""
    return parse_record(read_object(Path(path), ValueError, _REWRITE, "a deployment record"), str(path))


def parse_record(found: str | dict, where: str) -> dict[Cell, dict]:
    """The cells of a record read earlier (its text or its JSON object) from ``where``; ValueError as
    ``read_record``."""
    if isinstance(found, str):
        found = parse_object(found, where, ValueError, _REWRITE, "a deployment record")
    entries = found.get("cells")
    if not isinstance(entries, list):
        raise ValueError(f"{where} holds no list of \"cells\" (not a deployment record); {_REWRITE}")
    cells = {}
    for index, entry in enumerate(entries):
        place = f"{where}: cells[{index}]"
        if not (isinstance(entry, dict) and isinstance(entry.get("cell"), list) and len(entry["cell"]) == 3
                and all(isinstance(part, str) for part in entry["cell"])):
            raise ValueError(f"{place} is no cell ({{\"cell\": [format, path, case], fact: value, ...}}); {_REWRITE}")
        unknown = sorted(set(entry) - {"cell", "specs", *FACTS})
        if unknown:
            raise ValueError(f"{place} holds unknown fact(s) {unknown} (the facts: {list(FACTS)}); {_REWRITE}")
        cells[Cell(*entry["cell"])] = {name: value for name, value in entry.items() if name != "cell"}
    return cells


def pytest_addoption(parser):
    parser.getgroup("lstm_spec").addoption(
        OPTION, metavar="PATH", default=None,
        help="write what the deploy specs observed (per format, path and case) to PATH as JSON")


def pytest_configure(config):
    config.pluginmanager.register(_Gatherer(config.getoption(OPTION)), "lstm_spec.deployment_facts")


class _Gatherer:
    def __init__(self, path: str | None):
        self.path = path
        self.records: list[dict] = []

    def pytest_runtest_logreport(self, report):
        if report.when == "call":
            self.records += [value for name, value in report.user_properties if name == RECORDS]

    def pytest_sessionfinish(self, session):
        if self.path and not hasattr(session.config, "workerinput"):
            Path(self.path).write_text(record_text(merged(self.records)), encoding="utf-8")

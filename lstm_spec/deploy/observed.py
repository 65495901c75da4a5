"""What the deploy specs observed, cell by cell: the facts ``docs/deployment.md``, the history and the upgrade
report read (issue 29), and a pytest plugin that gathers them.

A cell is one (format, path, case): ``format`` the artifact's kind (``"litert"``, ``"onnx"``, ``"openvino"``),
``path`` how the artifact was made (a spec's conversion path, such as spec 48's ``PATHS``), ``case`` the catalog
case.  A spec calls ``record(request, Cell(...), fact=value, ...)`` with what it saw before it asserts; the facts
travel in the test report's ``user_properties`` (pytest-xdist forwards them), and ``merged(records)`` joins a
cell's facts from every test that recorded one, with the node ids of those tests under ``"specs"``.

The facts a cell may hold (``FACTS``; any other name is refused, so a misspelt fact fails the spec at once):

- ``runtime``: the runtime and its version, ``"onnxruntime 1.32.0"``;
- ``outcome``: ``"runs"`` or ``"fails"``; ``error``: where it fails, ``"step: ExceptionType: message"``;
- ``op``: the op the recurrence became (``"LSTM"``, ``"Loop"``, ``"WHILE"``, ``"UNIDIRECTIONAL_SEQUENCE_LSTM"``);
- ``inputs``, ``outputs``: the artifact's tensors, ``[[name, [dims, None where dynamic], dtype], ...]``;
- ``difference``: the largest absolute difference from the model's outputs on the seeded input;
- ``resize``: ``{"batch+1": "runs" or the error, "shorter": ...}``, merged key by key.

``--deployment-record=PATH`` writes a run's merged cells as JSON (what a history side keeps), and
``read_record(PATH)`` reads such a file back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from lstm_spec.saving.json_file import parse_object

RECORDS = "lstm_spec.deployment_facts"  # the user_properties entry
OPTION = "--deployment-record"
FACTS = ("runtime", "outcome", "error", "op", "inputs", "outputs", "difference", "resize")
MERGED_KEY_BY_KEY = ("resize",)


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


def runs(deployed, outputs, expected) -> dict:
    """The facts of an artifact that ran: its runtime, tensors, recurrence op and ``outputs``' difference from
    ``expected`` (the model's)."""
    from lstm_spec.saving.read_files import max_abs_diff

    return {"runtime": deployed.runtime, "outcome": "runs", "op": recurrence_op(deployed.ops),
            "inputs": [[each.name, each.shape, each.dtype] for each in deployed.inputs],
            "outputs": [[each.name, each.shape, each.dtype] for each in deployed.outputs],
            "difference": float(max_abs_diff(outputs, expected))}


def fails(failure, runtime: str | None = None) -> dict:
    """The facts of a path that failed (a ``StepFailed``): where, with what."""
    return {"outcome": "fails", "error": str(failure), **({"runtime": runtime} if runtime else {})}


# The ops a recurrence becomes, fused first: the first an artifact holds is the one it records.
RECURRENCE_OPS = ("UNIDIRECTIONAL_SEQUENCE_LSTM", "BIDIRECTIONAL_SEQUENCE_LSTM", "UNIDIRECTIONAL_SEQUENCE_RNN",
                  "LSTM", "GRU", "RNN", "TensorIterator", "Loop", "Scan", "WHILE")


def recurrence_op(ops) -> str | None:
    """The op of ``ops`` a recurrence became (``RECURRENCE_OPS``), None where it holds none of them."""
    return next((op for op in RECURRENCE_OPS if op in ops), None)


def merged(records: list[dict]) -> dict[Cell, dict]:
    """Each cell's facts from every record of it, in order, with the node ids that recorded them under ``specs``."""
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
    return dict(sorted(cells.items()))


def record_text(cells: dict[Cell, dict]) -> str:
    return json.dumps({"cells": [{"cell": [key.format, key.path, key.case], **facts} for key, facts in cells.items()]},
                      indent=1, sort_keys=True) + "\n"


def read_record(path: Path) -> dict[Cell, dict]:
    """The cells a ``--deployment-record`` file holds; ValueError saying what is wrong when it cannot be read."""
    found = parse_object(Path(path).read_text(encoding="utf-8"), str(path), ValueError,
                         f"write it again with `pytest specs {OPTION}=PATH`")
    try:
        return {Cell(*entry["cell"]): {name: value for name, value in entry.items() if name != "cell"}
                for entry in found["cells"]}
    except (KeyError, TypeError) as error:
        raise ValueError(f"{path}: not a deployment record ({error!r}): write it again with "
                         f"`pytest specs {OPTION}=PATH`") from None


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

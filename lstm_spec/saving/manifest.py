"""A writer folder's ``manifest.json``: what wrote the saved files, their sha256, each model's input and outputs.

    {"writer": "keras2", "command": "nox -s saved_files -- keras2",
     "versions": {"python": "3.11.7", "tensorflow": "2.15.1", "keras": "2.15.0", ...},
     "files": {"page_lstm/model.h5": {"sha256": "...", "bytes": 31296}, ...},
     "cases": {"page_lstm": {"description": "...", "formats": {"keras2-h5": "page_lstm/model.h5", ...},
                             "inputs": [ARRAY, ...], "outputs": [ARRAY, ...]}}}

An ARRAY is ``{"shape": [2, 9, 3], "dtype": "float32", "values": [...]}`` (flat, C order; float32 values
written in their shortest round-trip form, so they read back bit for bit).  ``files`` lists every file of
the folder but the manifest, a folder format (a SavedModel) file by file.  The sha256 is the record of the
committed bytes, not a claim that they are reproducible: written twice (keras2, locked and torch, measured),
the versions, inputs and outputs are equal and so are the bytes of every ``.h5``, while every ``.keras`` zip
(it holds its save time), a Keras 2 SavedModel's ``saved_model.pb`` and ``fingerprint.pb`` and every file of
a Keras 3 export come out with other bytes.

``check_folder`` is the integrity check: a missing, changed (sha256) or unreadable file gives one
``SavedFilesError`` naming the file and the command that writes the folder again.  Nothing here rewrites
a committed file: only ``lstm_spec.saving.write_files`` writes, when run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lstm_spec.saving.json_file import read_object
from lstm_spec.saving.writers import MANIFEST, Writer

MANIFEST_KEYS = ("writer", "command", "versions", "files", "cases")


class SavedFilesError(Exception):
    """A committed saved file (or its manifest) is missing, changed or unreadable."""


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def file_records(folder: Path) -> dict[str, dict]:
    """``{relative path: {"sha256", "bytes"}}`` of every file under ``folder`` but the manifest, sorted."""
    folder = Path(folder)
    paths = sorted(path for path in folder.rglob("*") if path.is_file() and path.name != MANIFEST)
    return {path.relative_to(folder).as_posix(): {"sha256": sha256(path), "bytes": path.stat().st_size}
            for path in paths}


def array_record(array) -> dict:
    """An array as the manifest stores it (``ARRAY`` in the module docstring)."""
    array = np.asarray(array)
    if array.dtype.kind == "f":
        values = [float(str(value)) for value in array.astype(np.float32).ravel()]
    else:
        values = [int(value) for value in array.ravel()]
    return {"shape": list(array.shape), "dtype": array.dtype.name, "values": values}


def array_from(record: dict) -> np.ndarray:
    """The array a manifest record stores."""
    return np.asarray(record["values"], dtype=record["dtype"]).reshape(record["shape"])


@dataclass(frozen=True)
class CaseRecord:
    """One case of a manifest: the files it was saved in, and the writer's input and outputs."""

    name: str
    formats: dict  # format id -> relative path (a file, or a folder)
    inputs: tuple
    outputs: tuple

    @property
    def data(self):
        """The model's input as the case gives it: one array, or a list (several inputs)."""
        return self.inputs[0] if len(self.inputs) == 1 else list(self.inputs)


@dataclass(frozen=True)
class Manifest:
    """A writer folder's manifest, read and checked against the folder."""

    folder: Path
    writer: str
    command: str
    versions: dict
    files: dict
    cases: dict  # name -> CaseRecord

    def path(self, case: str, saved: str) -> Path:
        """Where ``case`` was saved in format ``saved``, after checking its files (``check_files``)."""
        record = self.case(case)
        if saved not in record.formats:
            raise SavedFilesError(f"{self.folder / MANIFEST} has no {saved} file of case {case!r} (it has "
                                  f"{', '.join(record.formats)}); write the folder again with `{self.command}`")
        relative = record.formats[saved]
        self.check_files(relative)
        return self.folder / relative

    def case(self, name: str) -> CaseRecord:
        if name not in self.cases:
            raise SavedFilesError(f"{self.folder / MANIFEST} has no case {name!r} (it has {', '.join(self.cases)}); "
                                  f"write the folder again with `{self.command}`")
        return self.cases[name]

    def check_files(self, relative: str) -> None:
        """The file ``relative`` (or every file under the folder ``relative``) is there with its recorded
        sha256; otherwise one SavedFilesError naming the first file that is not."""
        names = [name for name in self.files if name == relative or name.startswith(relative + "/")]
        if not names:
            raise SavedFilesError(f"{self.folder / MANIFEST} records no file {relative!r}; "
                                  f"write the folder again with `{self.command}`")
        for name in names:
            path = self.folder / name
            if not path.is_file():
                raise SavedFilesError(f"{path} is missing (the manifest records it); "
                                      f"write the folder again with `{self.command}`")
            actual = sha256(path)
            if actual != self.files[name]["sha256"]:
                raise SavedFilesError(f"{path} has changed: its sha256 is {actual}, the manifest records "
                                      f"{self.files[name]['sha256']}; restore the committed file (git checkout) "
                                      f"or write the folder again with `{self.command}`")

    def check_all(self) -> None:
        """Every recorded file is there with its sha256."""
        for name in self.files:
            self.check_files(name)


def write_manifest(folder: Path, writer: Writer, versions: dict, cases: dict) -> Path:
    """Writes ``folder/manifest.json`` for the files now in ``folder``; ``cases`` maps a case name to
    ``{"description", "formats", "inputs", "outputs"}`` (arrays as NumPy, recorded by ``array_record``)."""
    content = {
        "writer": writer.name,
        "command": writer.command,
        "versions": versions,
        "files": file_records(folder),
        "cases": {name: {"description": case["description"], "formats": case["formats"],
                         "inputs": [array_record(array) for array in case["inputs"]],
                         "outputs": [array_record(array) for array in case["outputs"]]}
                  for name, case in cases.items()},
    }
    path = Path(folder) / MANIFEST
    path.write_text(json.dumps(content, indent=1) + "\n")
    return path


def read_manifest(writer: Writer, folder: Path | None = None) -> Manifest:
    """``writer``'s manifest (in its committed folder unless ``folder`` is given), or a SavedFilesError naming
    the file and the command that writes it again when it is missing, not JSON, or not this writer's."""
    folder = Path(folder) if folder is not None else writer.folder
    path = folder / MANIFEST
    again = f"write the folder again with `{writer.command}`"
    content = read_object(path, SavedFilesError, again, "a writer's manifest")
    missing = [key for key in MANIFEST_KEYS if key not in content]
    if missing:
        raise SavedFilesError(f"{path} is unreadable (no {', '.join(missing)}); {again}")
    if content["writer"] != writer.name:
        raise SavedFilesError(f"{path} is writer {content['writer']!r}'s manifest, not {writer.name!r}'s; {again}")
    try:
        cases = {name: CaseRecord(name, dict(case["formats"]), tuple(array_from(a) for a in case["inputs"]),
                                  tuple(array_from(a) for a in case["outputs"]))
                 for name, case in content["cases"].items()}
    except (KeyError, TypeError, ValueError) as error:
        raise SavedFilesError(f"{path} is unreadable (a case record: {error!r}); {again}") from None
    return Manifest(folder, writer.name, writer.command, content["versions"], content["files"], cases)

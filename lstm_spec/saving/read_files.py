"""Reads every writer's committed saved files in this environment, and says what each read gave.

In process (``specs/test_43``): ``this_reader()`` is the environment running (a writer of
``lstm_spec/saving/writers.py`` whose versions are the installed ones, or None), ``read(manifest, case,
format, loader)`` one ``Observation``.  Each file is read once per process with each loader: ``loaded(writer,
case, format, loader)`` is that read of a writer's committed file (a ``FileRead``: the model or serving
function, its outputs on the writer's input, or the error and its step), shared by every spec that reads
the file (specs 43 and 44), and ``committed(writer)`` the writer's manifest, read once.  As a command::

    python -m lstm_spec.saving.read_files [DIR] --out outcomes.json

reads every writer folder under DIR (``specs/saved_models`` by default; DIR may also be one writer's
folder) with every loader of each format and writes (schema)::

    {"reader": "locked" | null,            # this environment's name in the writers table (null: none)
     "versions": {"python": ..., "tensorflow": ..., "keras": ..., "tf-keras": ..., "numpy": ...,
                  "h5py": ..., "jax": ..., "jaxlib": ..., "torch": ..., "backend": ...,
                  "keras_under_test": "keras 3.15.1"},   # null where not installed
     "tolerance": 1e-05,                   # MATCH_TOLERANCE: the largest difference that "matches"
     "observations": [
       {"writer": "keras2", "format": "keras2-h5", "loader": "load_model", "case": "page_lstm",
        "file": "keras2/page_lstm/model.h5",     # WRITER/PATH in the manifest (a folder for a SavedModel)
        "status": "matches" | "moved" | "other_shapes" | "fails" | "unreadable_file",
        "max_abs_diff": 4.8e-08 | null,    # over every output, when the shapes are the writer's
        "shapes": [[2, 5]] | null,         # what the reader's outputs were (null when it failed)
        "error": {"type": "ValueError", "message": "..."} | null}]}

``matches``: loads and gives the writer's outputs within MATCH_TOLERANCE; ``moved``: loads and gives
outputs of the writer's shapes further away (by ``max_abs_diff``); ``other_shapes``: loads and gives
outputs of other shapes; ``fails``: loading or calling raised ``error`` (its message without terminal
styling); ``unreadable_file``: the committed file failed the integrity check (``error`` says which file
and the command that writes it again).  A writer's own files are read too (the round trip, which
``specs/test_41`` states).  Exit status 0 when every writer folder was read, 2 on a bad argument.
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from lstm_spec.saving.manifest import Manifest, SavedFilesError, read_manifest
from lstm_spec.saving.writers import (MANIFEST, REPORT_SIDE, SAVED_MODELS, WRITERS, Writer, environment_named,
                                      installed_identity, report_side_writer)

MATCH_TOLERANCE = 1e-5  # float32 outputs in [-1, 1]: engines and releases differ by ~1e-7
# A folder (a SavedModel, an export) has three ways in; a file, the loaders of its format.
FOLDER_LOADERS = ("load_model", "TFSMLayer", "tf.saved_model.load")
STATUSES = ("matches", "moved", "other_shapes", "fails", "unreadable_file")


def this_reader() -> Writer | None:
    """The writer whose environment is this one (its TensorFlow, Keras under test and backend), or None."""
    from lstm_spec.models.backend import KERAS_BACKEND
    from lstm_spec.models.keras_under_test import LEGACY_KERAS

    return environment_named(installed_identity(KERAS_BACKEND, LEGACY_KERAS))


def this_environment() -> str:
    """This environment in words, for a skip reason."""
    from lstm_spec.models.backend import KERAS_BACKEND
    from lstm_spec.models.keras_under_test import LEGACY_KERAS

    tensorflow, keras_name, keras_version, backend = installed_identity(KERAS_BACKEND, LEGACY_KERAS)
    return f"TensorFlow {tensorflow}, {keras_name} {keras_version} on {backend}"


def loaders(saved_format: str) -> tuple[str, ...]:
    """The ways a file of ``saved_format`` is read: its format's loaders, every one for a folder."""
    from lstm_spec.saving.formats import FORMATS

    saved = FORMATS[saved_format]
    return FOLDER_LOADERS if saved.is_folder else saved.readers


@dataclass(frozen=True)
class Observation:
    """What reading one saved file with one loader gave (the JSON schema's ``observations``)."""

    writer: str
    format: str
    loader: str
    case: str
    file: str
    status: str
    max_abs_diff: float | None = None
    shapes: list | None = None
    error: dict | None = None

    def __str__(self) -> str:
        if self.status in ("matches", "moved"):
            found = f"{self.status} (max |diff| {self.max_abs_diff:.3g})"
        elif self.status == "other_shapes":
            found = f"gives outputs of shapes {self.shapes}"
        else:
            found = f"{self.status}: {self.error['type']}: {self.error['message']}"
        return f"{self.file} read with {self.loader}: {found}"


def max_abs_diff(actual, expected) -> float | None:
    """The largest difference over every output, or None when the outputs' count or shapes differ."""
    if len(actual) != len(expected) or any(np.shape(a) != np.shape(e) for a, e in zip(actual, expected)):
        return None
    if not actual:
        return 0.0
    return max(float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(e, np.float64)), initial=0.0))
               for a, e in zip(actual, expected))


def classify(difference: float | None) -> str:
    if difference is None:
        return "other_shapes"
    return "matches" if difference <= MATCH_TOLERANCE else "moved"


@dataclass(frozen=True)
class FileRead:
    """One saved file read with one loader and called on its writer's input: what came back, or the error
    and the step that raised it (``load`` or ``call``)."""

    loaded: object = None  # the loader's lstm_spec.saving.formats.Loaded (None when loading raised)
    outputs: tuple | None = None  # flat, on the writer's input (None when a step raised)
    error: BaseException | None = None
    step: str | None = None
    message: str | None = None  # the error's message, naming the committed file rather than the copy read


@functools.lru_cache(maxsize=None)
def committed(writer: Writer) -> Manifest:
    """``writer``'s committed manifest, read once per process (each file is still checked when a read asks
    for it); a SavedFilesError when it is missing or unreadable."""
    return read_manifest(writer)


def loaded(writer: Writer, case: str, saved_format: str, loader: str) -> FileRead:
    """``writer``'s committed ``case`` file of ``saved_format`` read with ``loader`` and called on the writer's
    input, once per process: every spec reading that file with that loader shares the one read.  The file is
    checked first at every call: a missing or changed one raises SavedFilesError."""
    return read_once(committed(writer), case, saved_format, loader)


_READS: dict = {}


def read_once(manifest: Manifest, case: str, saved_format: str, loader: str) -> FileRead:
    """``case``'s ``saved_format`` file of ``manifest``'s folder read with ``loader`` (``loaded``, for any
    folder), once per process; its files checked at every call."""
    path = manifest.path(case, saved_format)
    key = (manifest.folder.resolve(), case, saved_format, loader)
    if key not in _READS:
        _READS[key] = _read_file(path, manifest.case(case).data, case, saved_format, loader)
    return _READS[key]


def _read_file(path: Path, data, case: str, saved_format: str, loader: str) -> FileRead:
    from lstm_spec.checks.assertions import error_message
    from lstm_spec.models.backend import inference
    from lstm_spec.saving.catalog import CASES
    from lstm_spec.saving.formats import FORMATS, load

    with tempfile.TemporaryDirectory(prefix="lstm-spec-read-") as scratch:
        alone = _copy_alone(path, Path(scratch))
        step, result = "load", None
        try:
            with inference():
                result = load(FORMATS[saved_format], alone, CASES[case], loader)
                step = "call"
                return FileRead(result, result.outputs(data))
        except Exception as error:  # every failure is an outcome to state
            message = error_message(error).replace(str(alone), str(path))  # the committed file's name, not the copy's
            return FileRead(result, error=error, step=step, message=message)


def read(manifest: Manifest, case: str, saved_format: str, loader: str) -> Observation:
    """``case``'s ``saved_format`` file of ``manifest``'s writer read with ``loader`` and called on the
    writer's input (``read_once``).  The file is checked first: a missing or changed one raises SavedFilesError."""
    found = read_once(manifest, case, saved_format, loader)
    record = manifest.case(case)
    where = f"{manifest.writer}/{record.formats[saved_format]}"
    if found.error is not None:
        return Observation(manifest.writer, saved_format, loader, case, where, "fails",
                           error={"type": type(found.error).__name__, "message": found.message})
    difference = max_abs_diff(found.outputs, record.outputs)
    return Observation(manifest.writer, saved_format, loader, case, where, classify(difference), difference,
                       [list(np.shape(output)) for output in found.outputs])


def _copy_alone(path: Path, scratch: Path) -> Path:
    """A copy of the saved file (or folder) in a folder of its own: a read touches no committed file beside it
    (Keras 3.4 deletes a ``model.weights.h5`` beside the ``.keras`` file it loads: ``specs/test_45``)."""
    copy = scratch / path.name
    if path.is_dir():
        shutil.copytree(path, copy)
    else:
        shutil.copyfile(path, copy)
    return copy


def planned_reads(manifest: Manifest):
    """(case, format, loader) of every read of a writer's folder, in the manifest's order."""
    for case, record in manifest.cases.items():
        for saved_format in record.formats:
            for loader in loaders(saved_format):
                yield case, saved_format, loader


def read_folder(writer: Writer, folder: Path) -> list[Observation]:
    """Every read of one writer folder; an integrity failure is an ``unreadable_file`` observation."""
    try:
        manifest = read_manifest(writer, folder)
    except SavedFilesError as error:
        return [Observation(writer.name, "", "", "", f"{writer.name}/{MANIFEST}", "unreadable_file",
                            error={"type": "SavedFilesError", "message": str(error)})]
    observations = []
    for case, saved_format, loader in planned_reads(manifest):
        try:
            observations.append(read(manifest, case, saved_format, loader))
        except SavedFilesError as error:
            observations.append(Observation(writer.name, saved_format, loader, case, f"{writer.name}/{case}",
                                            "unreadable_file", error={"type": "SavedFilesError",
                                                                      "message": str(error)}))
    return observations


def writer_folders(directory: Path) -> list[tuple[Writer, Path]]:
    """The writer folders under ``directory`` (or ``directory`` itself when it holds a manifest): each
    named after its writer."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"{directory} is not a folder; name specs/saved_models or one writer's folder in it")
    if (directory / MANIFEST).is_file() or directory.name in WRITERS:
        folders = [directory]
    else:
        folders = sorted(path for path in directory.iterdir() if path.is_dir() and not path.name.startswith("."))
    unknown = [path.name for path in folders if path.name not in WRITERS and not _report_side(path)]
    if unknown:
        raise ValueError(f"{directory}: {', '.join(unknown)} is not a writer's folder (the writers are "
                         f"{', '.join(WRITERS)}: lstm_spec/saving/writers.py)")
    if not folders:
        raise ValueError(f"{directory} holds no writer folder; write one with `nox -s saved_files -- WRITER`")
    return [(report_side_writer() if _report_side(path) else WRITERS[path.name], path) for path in folders]


def _report_side(folder: Path) -> bool:
    """Whether ``folder`` holds an upgrade report side A's files (``write_files --report-side``)."""
    try:
        return json.loads((folder / MANIFEST).read_text()).get("writer") == REPORT_SIDE
    except (OSError, ValueError, AttributeError):
        return False


def outcomes(directory: Path) -> dict:
    """The command's JSON document (module docstring) for every writer folder under ``directory``."""
    from lstm_spec.models.backend import KERAS_BACKEND
    from lstm_spec.models.keras_under_test import keras
    from lstm_spec.saving.write_files import environment_versions

    reader = this_reader()
    observations = [observation for writer, folder in writer_folders(directory)
                    for observation in read_folder(writer, folder)]
    return {"reader": reader.name if reader else None,
            "versions": environment_versions(KERAS_BACKEND, keras),
            "tolerance": MATCH_TOLERANCE,
            "observations": [asdict(observation) for observation in observations]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_spec.saving.read_files",
                                     description="Reads the committed saved files here; writes what each read gave.")
    parser.add_argument("directory", nargs="?", type=Path, default=SAVED_MODELS,
                        help="specs/saved_models (the default) or one writer's folder in it")
    parser.add_argument("--out", type=Path, required=True, help="the JSON file to write")
    arguments = parser.parse_args(argv)
    try:
        writer_folders(arguments.directory)
    except ValueError as error:
        print(f"read_files: {error}", file=sys.stderr)
        return 2
    document = outcomes(arguments.directory)
    arguments.out.write_text(json.dumps(document, indent=1) + "\n")
    counts = {status: sum(o["status"] == status for o in document["observations"]) for status in STATUSES}
    print(f"read_files: {document['reader'] or 'an environment without a column'}: "
          + ", ".join(f"{count} {status}" for status, count in counts.items() if count) + f"; wrote {arguments.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


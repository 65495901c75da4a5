"""A user's model, named on the command line: what it is and which Keras wrote it, read without TensorFlow.

    model.h5                 a whole model Keras wrote as HDF5 (``model_config``, ``keras_version``, ``backend``)
    model.keras              a ``.keras`` archive (``config.json``, ``metadata.json``: ``keras_version``)
    saved_model/             a SavedModel folder: Keras 2's ``model.save(dir)`` (with ``keras_metadata.pb``),
                             or an ``export()``/``tf.saved_model.save`` folder (a traced graph only)
    package.module:function  Python that builds and returns the model, with ``--weights FILE``

``identify(argument, weights)`` returns a ``ModelFile`` or raises ``BadInput`` saying what is wrong and what to
give instead: a path that is no model, an ``.h5`` holding only weights, a function that cannot be found.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

FUNCTION = re.compile(r"^(?P<module>[A-Za-z_][\w.]*):(?P<function>[A-Za-z_]\w*)$")
KINDS = {
    "h5": "a whole model in HDF5 (.h5)",
    "keras": "a .keras archive",
    "savedmodel": "a Keras 2 SavedModel folder (model.save(dir))",
    "export": "a SavedModel folder with no Keras config (export() or tf.saved_model.save)",
    "code": "Python that builds the model, with its weights file",
}


class BadInput(ValueError):
    """What the user gave cannot be checked; the message says why and what to give instead."""


@dataclass(frozen=True)
class ModelFile:
    """The model a user named: its path (or ``module:function``), kind, and the Keras that wrote it."""

    argument: str
    kind: str
    path: Path | None
    keras_version: str | None = None  # the writer's, from the file; None when it does not say
    backend: str | None = None
    weights: Path | None = None  # with kind "code"

    @property
    def era(self) -> int | None:
        return int(self.keras_version.split(".")[0]) if self.keras_version else None

    def __str__(self) -> str:
        writer = f", written by Keras {self.keras_version}" if self.keras_version else ""
        backend = f" on {self.backend}" if self.backend and self.backend != "tensorflow" else ""
        return f"{self.argument}: {KINDS[self.kind]}{writer}{backend}"


def identify(argument: str, weights: str | None = None, cwd: Path | None = None) -> ModelFile:
    """The ``ModelFile`` ``argument`` names (relative paths from ``cwd``); raises BadInput."""
    path = Path(argument) if Path(argument).is_absolute() else (cwd or Path.cwd()) / argument
    if not path.exists() and FUNCTION.match(argument):
        return _code(argument, weights, cwd)
    if weights is not None:
        raise BadInput(f"--weights goes with module:function (code that builds the model); {argument} is a file")
    if not path.exists():
        raise BadInput(f"{argument}: no such file or folder. Name a .h5 or .keras file, a SavedModel folder, or "
                       "module:function with --weights FILE")
    if path.is_dir():
        return _folder(argument, path)
    with path.open("rb") as file:
        magic = file.read(8)
    if magic == b"\x89HDF\r\n\x1a\n":
        return _h5(argument, path)
    if magic[:4] == b"PK\x03\x04":
        return _keras(argument, path)
    raise BadInput(f"{argument} is neither an HDF5 file (.h5) nor a .keras archive (its first bytes are {magic!r}); "
                   "name a model file Keras saved")


def _text(value) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


def _h5(argument: str, path: Path) -> ModelFile:
    import h5py

    try:
        with h5py.File(path, "r") as file:
            attributes = {key: _text(value) for key, value in file.attrs.items()}
            groups = list(file.keys())
    except OSError as error:
        raise BadInput(f"{argument} cannot be read as HDF5 ({error}); is it damaged or cut short?") from None
    if "model_config" not in attributes:
        holds = "layer weights only" if "layer_names" in attributes or groups else "no model"
        raise BadInput(f"{argument} holds {holds}, not a model's architecture (it was written by save_weights). "
                       "Give the code that builds the model and the file as its weights: "
                       "`module:function --weights " + argument + "`")
    return ModelFile(argument, "h5", path, attributes.get("keras_version"), attributes.get("backend"))


def _keras(argument: str, path: Path) -> ModelFile:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "config.json" not in names:
                raise BadInput(f"{argument} is a zip archive without config.json: not a .keras model file")
            metadata = json.loads(archive.read("metadata.json")) if "metadata.json" in names else {}
    except zipfile.BadZipFile as error:
        raise BadInput(f"{argument} cannot be read as a .keras archive ({error}); is it damaged or cut short?") \
            from None
    return ModelFile(argument, "keras", path, metadata.get("keras_version"), metadata.get("backend"))


def _folder(argument: str, path: Path) -> ModelFile:
    if not (path / "saved_model.pb").is_file():
        raise BadInput(f"{argument} is a folder without saved_model.pb: not a SavedModel. Name the folder "
                       "model.save(dir) or export(dir) wrote, or a model file in it")
    metadata = path / "keras_metadata.pb"
    if metadata.is_file():
        found = re.search(rb'"keras_version":\s*"([^"]+)"', metadata.read_bytes())
        return ModelFile(argument, "savedmodel", path, found[1].decode() if found else None, "tensorflow")
    return ModelFile(argument, "export", path, None, "tensorflow")


def _code(argument: str, weights: str | None, cwd: Path | None) -> ModelFile:
    if weights is None:
        raise BadInput(f"{argument} is code that builds a model; give its weights too: --weights FILE")
    path = Path(weights) if Path(weights).is_absolute() else (cwd or Path.cwd()) / weights
    if not path.is_file():
        raise BadInput(f"--weights {weights}: no such file")
    return ModelFile(argument, "code", None, weights=path)

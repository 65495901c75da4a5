"""The formats a Keras era writes a model in, as data: a file name, a save function, the ways to read it back.

``FORMATS["keras3-keras"]`` is Keras 3's ``model.save("model.keras")``; ``formats_written_here()`` are the
formats this run's era writes.  A format lists its readers (``READERS``): ``load_model``, ``load_weights``
(into the case's architecture rebuilt), ``TFSMLayer`` and ``tf.saved_model.load``.  A reader needs only the
path and the case, never the writer's model: ``load(FORMATS["keras2-h5"], path, case)`` reads a file
another environment wrote.  What a reader returns (``Loaded``) is called on the case's input and gives
NumPy outputs, flattened to a tuple (a serving signature's outputs are a dict; a model's a list or tuple).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from lstm_spec.models import compat
from lstm_spec.models.builders import to_numpy
from lstm_spec.saving import migrations
from lstm_spec.saving.side import SAVING_ERA


def _tensorflow():
    import tensorflow

    return tensorflow


@dataclass(frozen=True)
class Loaded:
    """What a reader gave back: ``outputs(data)`` as a tuple of NumPy arrays, and the Keras model when the
    reader gives one (``load_model``, ``load_weights``; a serving reader gives none)."""

    reader: str
    call: Callable = field(repr=False)
    model: object = None
    restored: object = None  # the object tf.saved_model.load returned, or the TFSMLayer

    def outputs(self, data) -> tuple:
        return flat_outputs(self.call(data))


def flat_outputs(structure) -> tuple:
    """A model's or signature's outputs as a flat tuple of NumPy arrays: a dict in the order of its keys'
    numbers (``output_0``, ``output_1``, ... or ``lstm``, ``lstm_1``, ...), a list or tuple in its order."""
    if isinstance(structure, dict):
        return tuple(to_numpy(structure[key]) for key in sorted(structure, key=_key_order))
    if isinstance(structure, (list, tuple)):
        return tuple(to_numpy(item) for item in structure)
    return (to_numpy(structure),)


def _key_order(key: str) -> tuple[str, int]:
    match = re.fullmatch(r"(.*?)_?(\d*)", key)
    return match[1], int(match[2] or -1)


# Three readers are the migration recipes of the same code (lstm_spec.saving.migrations, whose source
# docs/saved-models.md shows): spec 44's rows of those recipes share spec 43's reads of the Keras 2 files.
def _load_model(path: Path, case) -> Loaded:
    model = migrations.plain_load_model(str(path))
    return Loaded("load_model", lambda data: model(data, training=False), model)


def _load_weights(path: Path, case) -> Loaded:
    model = migrations.rebuild_and_load_weights(case.build, str(path))
    return Loaded("load_weights", lambda data: model(data, training=False), model)


def _tfsm_layer(path: Path, case) -> Loaded:
    layer = migrations.serving_layer(str(path))
    return Loaded("TFSMLayer", lambda data: layer(data), restored=layer)


def _saved_model_load(path: Path, case) -> Loaded:
    restored = _tensorflow().saved_model.load(str(path))
    signature = restored.signatures["serving_default"]
    return Loaded("tf.saved_model.load", lambda data: call_signature(signature, data, case), restored=restored)


def call_signature(signature, data, case):
    """A serving signature called on the case's input by keyword: a several-input case's inputs by their names
    (the signature's keywords are the model's input names), a one-input case's by the signature's one name."""
    _, named = signature.structured_input_signature
    names = case.input_names or tuple(named)
    arrays = data if case.input_names else [data]
    if sorted(names) != sorted(named):
        raise ValueError(f"the serving signature takes {sorted(named)}, but the case gives {list(names)}")
    return signature(**{name: _tensorflow().convert_to_tensor(array) for name, array in zip(names, arrays)})


@dataclass(frozen=True)
class Reader:
    """One way to read a saved model back, and the code it runs (for a repro)."""

    name: str
    load: Callable[[Path, object], Loaded] = field(repr=False)
    code: str
    recipe: Callable | None = field(default=None, repr=False)  # the migration recipe it runs, when it is one


READERS = {reader.name: reader for reader in (
    Reader("load_model", _load_model, "loaded = keras.models.load_model(path)", migrations.plain_load_model),
    Reader("load_weights", _load_weights, "loaded = case.build(); loaded.load_weights(path)",
           migrations.rebuild_and_load_weights),
    Reader("TFSMLayer", _tfsm_layer, 'loaded = keras.layers.TFSMLayer(path, call_endpoint="serving_default")',
           migrations.serving_layer),
    Reader("tf.saved_model.load", _saved_model_load,
           'loaded = tf.saved_model.load(path).signatures["serving_default"]'),
)}


@dataclass(frozen=True)
class SavedFormat:
    """A format an era writes: its file (or folder) name, how to write it, and the readers of its own era."""

    era: int
    name: str
    filename: str  # a folder when it has no suffix
    save: Callable[[object, Path], None] = field(repr=False)
    save_code: str
    readers: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"keras{self.era}-{self.name}"

    @property
    def is_folder(self) -> bool:
        return "." not in self.filename

    def __str__(self) -> str:
        return self.id

    def write(self, model, folder: Path) -> Path:
        """Saves ``model`` into ``folder`` (made if missing) in this format; returns the path written."""
        Path(folder).mkdir(parents=True, exist_ok=True)
        path = Path(folder) / self.filename
        self.save(model, path)
        return path

    def repro(self, case, reader: str) -> str:
        """The case's build, this format's save and ``reader``'s load, as code."""
        return "\n".join([
            "import keras, tensorflow as tf",
            case.repro(),
            f"path = {self.filename!r}",
            self.save_code,
            READERS[reader].code,
            "out = loaded(x)",
        ])


def _save(model, path: Path) -> None:
    model.save(str(path))


def _save_weights(model, path: Path) -> None:
    model.save_weights(str(path))


def _export(model, path: Path) -> None:
    compat.export(model, str(path))


def _save_keras_2_saved_model(model, path: Path) -> None:
    model.save(str(path), save_format="tf")


_SERVING = ("TFSMLayer", "tf.saved_model.load")
FORMATS = {saved.id: saved for saved in (
    SavedFormat(3, "keras", "model.keras", _save, "model.save(path)", ("load_model",)),
    SavedFormat(3, "weights", "model.weights.h5", _save_weights, "model.save_weights(path)", ("load_weights",)),
    SavedFormat(3, "h5", "model.h5", _save, "model.save(path)", ("load_model",)),
    SavedFormat(3, "export", "exported", _export, "model.export(path)", _SERVING),
    SavedFormat(2, "h5", "model.h5", _save, "model.save(path)", ("load_model",)),
    SavedFormat(2, "keras", "model.keras", _save, "model.save(path)", ("load_model",)),
    SavedFormat(2, "savedmodel", "savedmodel", _save_keras_2_saved_model, 'model.save(path, save_format="tf")',
                ("load_model", "tf.saved_model.load")),
    # Not ".weights.h5": Keras 3 reads that suffix as its own layout, and a plain ".h5" as Keras 2's.
    SavedFormat(2, "weights", "model-weights.h5", _save_weights, "model.save_weights(path)", ("load_weights",)),
)}


def reader_running(recipe) -> str | None:
    """The reader whose load is ``recipe`` (a function of lstm_spec.saving.migrations), or None."""
    return next((reader.name for reader in READERS.values() if reader.recipe is recipe), None)


def formats_written_here() -> list[SavedFormat]:
    """The formats this run's Keras era writes."""
    return [saved for saved in FORMATS.values() if saved.era == SAVING_ERA]


def load(saved: SavedFormat, path: Path, case, reader: str | None = None) -> Loaded:
    """``path`` (written in ``saved`` by any environment) read back with ``reader`` (the format's first
    reader by default), for ``case`` (the catalog case: ``load_weights`` rebuilds its architecture)."""
    return READERS[reader or saved.readers[0]].load(Path(path), case)

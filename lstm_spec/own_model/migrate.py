"""A Keras 2 model file as a Keras 3 model: the file's config rewritten (``config_rewrite``), its weights as saved.

``migrated(model_file)`` returns a ``Migrated``: the Keras 3 model, built by Keras 3's own loader from a copy of
the file whose config is rewritten (an ``.h5``'s ``model_config`` attribute, a ``.keras`` archive's
``config.json``), and the changes made.  The weights are read by Keras' loader from the file as it was saved:
nothing is recomputed.  Raises ``Refused`` where no faithful Keras 3 model exists (a SavedModel without Keras
config, Keras 2's ``hard_sigmoid`` unless kept as a registered function).  Runs in a Keras 3 environment.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lstm_spec.own_model.config_rewrite import Change, Refused, rewrite
from lstm_spec.own_model.model_file import KINDS, ModelFile

REGISTERED_HARD_SIGMOID = "lstm_spec>keras_2_hard_sigmoid"
TRAINING_DROPPED = Change("training config and optimizer state dropped",
                          "Keras 2 optimizers do not load in Keras 3; compile the migrated model again to train it")
SAVED_MODEL_ONLY = ("{argument} is {kind}, a traced TensorFlow graph, not a Keras config, so no Keras 3 model can be "
                    "built from it faithfully. What Keras 3 can do is serve it: "
                    "keras.layers.TFSMLayer({argument!r}, call_endpoint='serving_default') is a layer that calls the "
                    "graph (TensorFlow backend only; it cannot be saved as a self-contained .keras file). For a .keras "
                    "file, load the SavedModel on the Keras that wrote it and save it as .h5 there, then migrate that")


@dataclass
class Migrated:
    """The Keras 3 model made from a user's file, and every change made to its config."""

    model: object
    changes: list[Change] = field(default_factory=list)
    registered: tuple[str, ...] = ()  # registered functions the model needs to load


def migrated(model_file: ModelFile, *, keep_hard_sigmoid: bool = False) -> Migrated:
    """``model_file`` (a Keras 2 ``.h5`` or ``.keras``) built in this Keras 3; raises Refused."""
    if model_file.kind in ("savedmodel", "export"):
        raise Refused(SAVED_MODEL_ONLY.format(argument=model_file.argument, kind=KINDS[model_file.kind]))
    if model_file.kind == "code":
        raise Refused("module:function builds the model in code: that is already the Keras 3 model; "
                      "check it with `suite.py check`, and save it with model.save('model.keras')")
    registered = REGISTERED_HARD_SIGMOID if keep_hard_sigmoid else None
    if registered:
        from lstm_spec.own_model import registered as _  # noqa: F401  (registers the function before loading)
    with tempfile.TemporaryDirectory(prefix="lstm-spec-migrate-") as scratch:
        copy = Path(scratch) / model_file.path.name
        if model_file.kind == "h5":
            changes = _rewrite_h5(model_file.path, copy, registered)
        else:
            changes = _rewrite_keras(model_file.path, copy, registered)
        import keras

        model = keras.models.load_model(str(copy), compile=False)
    needs = registered and any("hard_sigmoid" in change.what for change in changes)
    return Migrated(model, changes, (registered,) if needs else ())


def _rewrite_h5(source: Path, copy: Path, registered: str | None) -> list[Change]:
    import h5py

    shutil.copyfile(source, copy)
    with h5py.File(copy, "r+") as file:
        config = _json(file.attrs["model_config"])
        result = rewrite(config, keep_hard_sigmoid=registered)
        file.attrs["model_config"] = json.dumps(result.config)
        dropped = [key for key in ("training_config",) if key in file.attrs]
        for key in dropped:
            del file.attrs[key]
        if "optimizer_weights" in file:
            del file["optimizer_weights"]
            dropped.append("optimizer_weights")
    return result.changes + ([TRAINING_DROPPED] if dropped else [])


def _rewrite_keras(source: Path, copy: Path, registered: str | None) -> list[Change]:
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(copy, "w") as rewritten:
        result = rewrite(json.loads(archive.read("config.json")), keep_hard_sigmoid=registered)
        compiled = "compile_config" in result.config
        result.config.pop("compile_config", None)
        for name in archive.namelist():
            if name == "config.json":
                rewritten.writestr(name, json.dumps(result.config))
            elif name.endswith(".h5") or name == "metadata.json":
                rewritten.writestr(name, archive.read(name))
    return result.changes + ([TRAINING_DROPPED] if compiled else [])


def _json(value) -> dict:
    return json.loads(value.decode() if isinstance(value, bytes) else value)

"""The part of ``check`` that runs inside each side's environment, on the Keras installed there.

    python -m lstm_spec.own_model.probe write MODEL WORK [--weights W] [--input FILE.npz]
    python -m lstm_spec.own_model.probe read MODEL WORK [--migrated OUT.keras]
    python -m lstm_spec.own_model.probe migrate MODEL WORK [--keep-hard-sigmoid]

``write`` (the writer's side) loads the model, calls it on a seeded input built from its input specs (or on
``--input``) and leaves in WORK ``input.npz``, ``outputs.npz`` and ``writer.json``: the versions, each input's
and output's shape, every recurrent layer's config and the weight counts.  ``read`` (a reading side) tries
every way in (``WAYS_IN``) on the writer's input and writes ``read-<n>.json`` with one outcome per way:
``matches`` (the writer's outputs within ``MATCH_TOLERANCE``), ``moved`` or ``other_shapes`` (it loads and
computes something else: silently wrong), or ``fails`` (type and message).  ``migrate`` (a Keras 3 side) writes
``migrated.keras`` and ``migrate.json`` (the changes made), or ``migrate.json`` with the reason it refused.
Exit 2 on bad input: a model whose custom classes this environment cannot import, an ``--input`` that does not fit.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from lstm_spec.models.quiet_start import filtered_stderr
from lstm_spec.own_model.arrays import read_arrays, write_arrays
from lstm_spec.own_model.model_file import BadInput, ModelFile, identify

with filtered_stderr():
    from lstm_spec.models.keras_under_test import LEGACY_KERAS, keras

from lstm_spec.checks.assertions import error_message  # noqa: E402
from lstm_spec.models.backend import KERAS_BACKEND, inference  # noqa: E402
from lstm_spec.saving import migrations  # noqa: E402
from lstm_spec.saving.formats import flat_outputs  # noqa: E402
from lstm_spec.saving.read_files import MATCH_TOLERANCE, classify, max_abs_diff  # noqa: E402
from lstm_spec.saving.write_files import environment_versions  # noqa: E402

# A None dimension of an input spec is given: the batch 2, the time steps 9 (the page's), any other 4.
DEFAULT_BATCH, DEFAULT_STEPS, DEFAULT_OTHER = 2, 9, 4
INPUT_SEED = 20261207
RECURRENT = ("LSTM", "GRU", "SimpleRNN", "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "Bidirectional")
RECURRENT_KEYS = ("units", "filters", "return_sequences", "return_state", "go_backwards", "stateful", "time_major",
                  "activation", "recurrent_activation", "reset_after", "merge_mode", "unroll")


def load(model_file: ModelFile, **options):
    """The model as this environment's Keras gives it: ``load_model``, or the user's code with its weights."""
    if model_file.kind == "code":
        import importlib

        module, function = model_file.argument.split(":")
        try:
            build = getattr(importlib.import_module(module), function)
        except (ImportError, AttributeError) as error:
            raise BadInput(f"{model_file.argument}: {error}. Name an importable module (on PYTHONPATH or in this "
                           "folder) and the function in it that returns the model") from None
        model = build()
        model.load_weights(str(model_file.weights))
        return model
    return keras.models.load_model(str(model_file.path), **options)


def seeded_input(model, seed: int = INPUT_SEED) -> list[np.ndarray]:
    """One array per model input, from its spec: None dimensions given the defaults, integer inputs (an
    ``Embedding``'s) drawn below the ``input_dim`` of the Embedding reading them, floats standard normal."""
    rng = np.random.default_rng(seed)
    vocabulary = _embedding_sizes(model)
    arrays = []
    for index, tensor in enumerate(model.inputs):
        shape = tuple(_dimension(axis, size) for axis, size in enumerate(tuple(tensor.shape)))
        dtype = np.dtype(getattr(tensor.dtype, "name", tensor.dtype))
        if np.issubdtype(dtype, np.integer) or index in vocabulary:
            arrays.append(rng.integers(0, vocabulary.get(index, 10), size=shape).astype(dtype if np.issubdtype(
                dtype, np.integer) else np.float32))
        else:
            arrays.append(rng.standard_normal(shape).astype(np.float32))
    return arrays


def _dimension(axis: int, size) -> int:
    if size is not None:
        return int(size)
    return DEFAULT_BATCH if axis == 0 else DEFAULT_STEPS if axis == 1 else DEFAULT_OTHER


def defaults_used(model) -> str:
    """Which None dimensions of the input specs the seeded input filled, in words ("" when none)."""
    names = {0: f"batch {DEFAULT_BATCH}", 1: f"time steps {DEFAULT_STEPS}"}
    used = sorted({axis for tensor in model.inputs for axis, size in enumerate(tuple(tensor.shape)) if size is None})
    return f"; None dimensions given: {', '.join(names.get(axis, f'axis {axis}: {DEFAULT_OTHER}') for axis in used)}" \
        if used else ""


def _embedding_sizes(model) -> dict[int, int]:
    """{model input index: input_dim} for each Embedding that reads a model input directly."""
    inputs = {id(tensor): index for index, tensor in enumerate(model.inputs)}
    sizes = {}
    for layer in model.layers:
        if type(layer).__name__ == "Embedding":
            try:
                read = layer.input
            except (AttributeError, ValueError):
                continue
            if id(read) in inputs:
                sizes[inputs[id(read)]] = int(layer.input_dim)
            elif len(model.inputs) == 1 and not sizes:
                sizes[0] = int(layer.input_dim)
    return sizes


def given_input(path: Path, model) -> list[np.ndarray]:
    """``--input``'s arrays, in the model's input order; raises BadInput naming what does not fit."""
    try:
        arrays = read_arrays(path)
    except (OSError, ValueError) as error:
        raise BadInput(f"--input {path} is not an .npz of arrays (np.savez writes one, an array per model input): "
                       f"{error}") from None
    if len(arrays) != len(model.inputs):
        raise BadInput(f"--input {path} holds {len(arrays)} arrays, but the model takes {len(model.inputs)} inputs "
                       f"({', '.join(str(tuple(t.shape)) for t in model.inputs)})")
    for array, tensor in zip(arrays, model.inputs):
        expected = tuple(tensor.shape)
        if len(array.shape) != len(expected) or any(e is not None and e != a for a, e in zip(array.shape, expected)):
            raise BadInput(f"--input {path}: an array of shape {array.shape} where the model takes {expected} "
                           "(None: any size)")
    return arrays


def call(model, arrays):
    with inference():
        return flat_outputs(model(arrays[0] if len(arrays) == 1 else arrays, training=False))


def recurrent_layers(model) -> list[dict]:
    """Each recurrent layer (also inside wrappers and nested models): class, name and its shape-deciding config."""
    found = []
    for layer in model.layers:
        if hasattr(layer, "layers") and type(layer).__name__ not in RECURRENT:
            found += recurrent_layers(layer)
            continue
        inner = getattr(layer, "layer", None)
        name = type(layer).__name__
        if name in RECURRENT or type(inner).__name__ in RECURRENT:
            config = layer.get_config()
            config = {**config.get("layer", {}).get("config", {}), **config} if inner is not None else config
            found.append({"class": name if inner is None else f"{name}({type(inner).__name__})", "name": layer.name,
                          **{key: _plain(config[key]) for key in RECURRENT_KEYS if key in config}})
    return found


def _plain(value):
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


CUSTOM_CLASS = re.compile(r"(?:Unknown (?:layer|object|activation)[^:]*:\s*'?(?P<a>[\w.>]+))|"
                          r"(?:Could not locate (?:class|function) '(?P<b>[\w.>]+)')")


def loaded_on_writer_side(model_file: ModelFile):
    """The model on the writer's side; raises BadInput naming a custom class or function it cannot find."""
    try:
        return load(model_file, compile=False) if model_file.kind != "code" else load(model_file)
    except (ValueError, TypeError) as error:
        found = CUSTOM_CLASS.search(error_message(error))
        if not found:
            raise
        name = found["a"] or found["b"]
        raise BadInput(f"{model_file.argument} uses {name!r}, which is not Keras' own: the writer's side cannot build "
                       "it. Give the code that builds the model instead, with the file as its weights: "
                       f"`module:function --weights {model_file.argument}` (a function that imports your {name} and "
                       "returns the model)") from None


def write(model_file: ModelFile, work: Path, given: Path | None = None) -> dict:
    model = loaded_on_writer_side(model_file)
    arrays = given_input(given, model) if given else seeded_input(model)
    outputs = call(model, arrays)
    write_arrays(work / "input.npz", arrays)
    write_arrays(work / "outputs.npz", outputs)
    record = {
        "versions": environment_versions(KERAS_BACKEND, keras),
        "input": "given (--input)" if given else f"seeded ({INPUT_SEED}){defaults_used(model)}",
        "input_shapes": [list(array.shape) for array in arrays],
        "output_shapes": [list(output.shape) for output in outputs],
        "recurrent": recurrent_layers(model),
        "parameters": int(model.count_params()),
        "weights": len(model.weights),
    }
    (work / "writer.json").write_text(json.dumps(record, indent=1) + "\n")
    return record


FILES, FOLDERS = ("h5", "keras"), ("savedmodel", "export")


@dataclass(frozen=True)
class WayIn:
    """One way a user loads the model on a reading side, the recipe it is, and what it applies to."""

    name: str
    recipe: str
    eras: tuple[int, ...] = (2, 3)
    kinds: tuple[str, ...] = (*FILES, *FOLDERS)  # model_file.KINDS it takes
    keras_2_only: bool = False  # only for what Keras 2 wrote


WAYS_IN = (
    WayIn("load_model", "keras.models.load_model(path)"),
    WayIn("compile=False", "keras.models.load_model(path, compile=False)"),
    WayIn("load_weights", "build(); model.load_weights(weights): your code and its weights", kinds=("code",)),
    WayIn("popular shim", "load_model(path, custom_objects={'LSTM': LSTM that swallows time_major}): replaces LSTM "
          "only, and only where Keras builds layers from custom_objects (not inside Bidirectional)", (3,), FILES),
    WayIn("time-major migration", "load_model(path, custom_objects={'LSTM': migrations.TimeMajorLSTM})", (3,), FILES),
    WayIn("TFSMLayer", "keras.layers.TFSMLayer(path, call_endpoint='serving_default')", (3,), FOLDERS),
    WayIn("migrate", "keras.models.load_model(OUT.keras) of `suite.py migrate`", (3,), keras_2_only=True),
)


def ways_in_here(model_file: ModelFile) -> list[WayIn]:
    """The ways in that apply to ``model_file`` on this environment's Keras."""
    era = 2 if LEGACY_KERAS else int(keras.__version__.split(".")[0])
    keras_2 = model_file.era == 2 or model_file.kind in FOLDERS
    return [way for way in WAYS_IN if era in way.eras and model_file.kind in way.kinds
            and not (way.name == "TFSMLayer" and KERAS_BACKEND != "tensorflow")
            and not (way.keras_2_only and not keras_2)]


def _open(way: WayIn, model_file: ModelFile, migrated: Path | None):
    path = str(model_file.path)
    if way.name in ("load_model", "load_weights"):
        return load(model_file)
    if way.name == "compile=False":
        return load(model_file, compile=False)
    if way.name == "popular shim":
        return migrations.popular_shim_load_model(path)
    if way.name == "time-major migration":
        return migrations.time_major_load_model(path)
    if way.name == "TFSMLayer":
        return migrations.serving_layer(path)
    return keras.models.load_model(str(migrated))


def read(model_file: ModelFile, work: Path, migrated: Path | None = None, ways: tuple[str, ...] = ()) -> list[dict]:
    """Every way in on this environment (or those named in ``ways``), each called on the writer's input
    (``input.npz``)."""
    arrays = read_arrays(work / "input.npz")
    expected = read_arrays(work / "outputs.npz")
    outcomes = []
    for way in ways_in_here(model_file):
        if (ways and way.name not in ways) or (way.name == "migrate" and migrated is None):
            continue  # not asked for; migrate wrote no file (check's report says why)
        try:
            outputs = call(_open(way, model_file, migrated), arrays)
        except Exception as error:  # every failure is an outcome to state
            outcomes.append(asdict(Outcome(way.name, way.recipe, "fails",
                                           error={"type": type(error).__name__, "message": error_message(error)})))
            continue
        difference = max_abs_diff(outputs, expected)
        outcomes.append(asdict(Outcome(way.name, way.recipe, classify(difference), difference,
                                       [list(np.shape(output)) for output in outputs])))
    return outcomes


MIGRATED = "migrated.keras"


def migrate_step(model_file: ModelFile, work: Path, keep_hard_sigmoid: bool = False) -> dict:
    """``migrated.keras`` in WORK from ``model_file``, and ``migrate.json``: its changes, or why it refused."""
    from lstm_spec.own_model.config_rewrite import Refused
    from lstm_spec.own_model.migrate import migrated

    try:
        result = migrated(model_file, keep_hard_sigmoid=keep_hard_sigmoid)
    except Refused as error:
        record = {"refused": str(error)}
    else:
        result.model.save(str(work / MIGRATED))
        record = {"changes": [str(change) for change in result.changes], "registered": list(result.registered),
                  "file": MIGRATED}
    (work / "migrate.json").write_text(json.dumps(record, indent=1) + "\n")
    return record


@dataclass(frozen=True)
class Outcome:
    """What one way in gave (``read``'s JSON)."""

    way: str
    recipe: str
    status: str  # matches, moved, other_shapes, fails
    max_abs_diff: float | None = None
    shapes: list | None = None
    error: dict | None = None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_spec.own_model.probe")
    parser.add_argument("step", choices=("write", "read", "migrate"))
    parser.add_argument("model")
    parser.add_argument("work", type=Path)
    parser.add_argument("--weights")
    parser.add_argument("--input", type=Path)
    parser.add_argument("--migrated", type=Path)
    parser.add_argument("--out", default="read.json")
    parser.add_argument("--keep-hard-sigmoid", action="store_true")
    arguments = parser.parse_args(argv)
    try:
        model_file = identify(arguments.model, arguments.weights)
        if arguments.step == "write":
            write(model_file, arguments.work, arguments.input)
        elif arguments.step == "migrate":
            migrate_step(model_file, arguments.work, arguments.keep_hard_sigmoid)
        else:
            document = {"versions": environment_versions(KERAS_BACKEND, keras), "tolerance": MATCH_TOLERANCE,
                        "outcomes": read(model_file, arguments.work, arguments.migrated)}
            (arguments.work / arguments.out).write_text(json.dumps(document, indent=1) + "\n")
    except BadInput as error:
        print(f"check: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

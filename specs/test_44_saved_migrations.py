"""44. Migrating Keras 2 model files to Keras 3: the recipes people use, what each gives on the committed files.

The files are the ``keras2`` writer's (TensorFlow 2.15.1, Keras 2.15: ``specs/saved_models/keras2/``, with the
writer's input and outputs in its manifest).  Each recipe is a function of ``lstm_spec.saving.migrations``
whose source ``docs/saved-models.md`` shows.  ``MIGRATIONS`` is the table: one row per (recipe, model, file
format), saying what the recipe gives, loads and matches the writer's outputs, loads and changes the model,
values moved, or fails (the error pinned); every row is a case below.

Plain ``load_model`` fails on every Keras 2 file: Keras 2 wrote ``time_major`` into every recurrent layer's
config, even at its default, and Keras 3 has no such argument; a ``.keras`` file fails earlier, on the module
path Keras 2 recorded for its model class.  The popular shim (an LSTM that swallows ``time_major``) loads a
batch-major LSTM; on the model saved with ``time_major=True`` it loads too, and silently reads the input's
axis 0 (time) as the batch.  ``time_major_load_model`` is the correct migration: it keeps the model's
contract, (time, batch, features) in, and reproduces the writer's outputs.  tf-keras
(``TF_USE_LEGACY_KERAS=1``, ``nox -s tf-keras``) loads every file as Keras 2 wrote it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

import h5py
import numpy as np
import pytest

from lstm_spec.checks.assertions import assert_close, assert_count, assert_differs, assert_raises, assert_shape
from lstm_spec.models.backend import needs_tensorflow
from lstm_spec.models.builders import run_recurrent
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, LSTMConfig
from lstm_spec.models.era import KERAS_ERA, installed_version, release_of
from lstm_spec.models.family import Chain, Layer, chain_model
from lstm_spec.models.keras_under_test import LEGACY_KERAS
from lstm_spec.saving import migrations
from lstm_spec.saving.catalog import CASES, CONV_DIMS, call
from lstm_spec.saving.formats import flat_outputs, reader_running
from lstm_spec.saving.read_files import committed, loaded
from lstm_spec.saving.writers import WRITERS

KERAS2 = WRITERS["keras2"]
RECURRENT = ("LSTM", "GRU", "SimpleRNN", "ConvLSTM1D")
UNRECOGNIZED = "Unrecognized keyword arguments passed to {layer}: {{'time_major': {value}}}"
FUNCTIONAL_MODULE = ("Could not deserialize class 'Functional' because its parent module keras.src.engine.functional "
                     "cannot be imported. Full object config: {'module': 'keras.src.engine.functional', "
                     "'class_name': 'Functional'")
NOT_V3 = "Keras 3 only supports V3 `.keras` files, legacy H5 format files (`.h5` extension)."
# The first recurrent layer in each case's saved config (LSTM unless named here): the one plain load_model names.
FIRST_RECURRENT = {"gru_reset_after": "GRU", "conv_lstm1d": "ConvLSTM1D"}
TIME_MAJOR_CASE = "page_time_major"

MATCHES = "loads and matches"
CHANGES = "loads, and changes the model"
MOVED = "loads, values moved"
FAILS = "fails"

# Where a model-level recipe fails whatever the shim does, and why.
GRU_NOT_LSTM = "the shim replaces LSTM only; Keras 2 wrote time_major into the GRU too"
CONV_NOT_LSTM = "the shim replaces LSTM only; Keras 2 wrote time_major into ConvLSTM1D too"
INNER_MODULE = ("Keras 2 recorded Bidirectional's inner layer with 'module': 'keras.layers', so Keras 3 builds its own "
                "LSTM there and custom_objects never reaches it")
THREE_INPUTS = ("Keras 2 recorded LSTM(x, initial_state=[h0, c0]) as a call on three inputs [x, h0, c0], which "
                "Keras 3's legacy .h5 reader replays as such")
TIME_AS_BATCH = ("time_major dropped: Keras 3 reads axis 0 (the time steps) as the batch; no error, "
                 "h of shape (2, 5) on the page's (2, 3, 9) input where Keras 2 gave (3, 5)")
HARD_SIGMOID = ("Keras 2's ConvLSTM1D defaults to recurrent_activation='hard_sigmoid' (slope 0.2), Keras 3's to "
                "'sigmoid', and Keras 3's 'hard_sigmoid' has slope 1/6: rebuilt with Keras 3's defaults (or names) it "
                "is not the model saved; rebuilt with recurrent_activation=keras_2_hard_sigmoid "
                "(lstm_spec/saving/migrations.py) it matches")


@dataclass(frozen=True)
class Migration:
    """One recipe on one Keras 2 file, and what it gives (``MATCHES``, ``CHANGES``, ``MOVED`` or ``FAILS``)."""

    recipe: Callable
    case: str
    saved: str  # the format id in the keras2 manifest
    gives: str
    error: tuple | None = None  # (type, message or its start) when it fails
    why: str = ""

    @property
    def id(self) -> str:
        return f"{self.recipe.__name__}-{self.case}-{self.saved}"

    @property
    def spec(self) -> str:
        """The spec that states this row, as a pytest node id."""
        return f"{SPEC_OF[self.gives]}[{self.id}]"


def unrecognized(layer: str, value=False) -> tuple:
    return ValueError, UNRECOGNIZED.format(layer=layer, value=value)


def plain_load_error(case: str, saved: str) -> tuple:
    """What plain load_model raises on a Keras 2 file: an .h5 names its first recurrent layer and that layer's
    time_major, a .keras file the module path Keras 2 recorded for its model class (its message then goes on with
    the whole config)."""
    if saved == "keras2-keras":
        return TypeError, FUNCTIONAL_MODULE
    return unrecognized(FIRST_RECURRENT.get(case, "LSTM"), case == TIME_MAJOR_CASE)


def _shim_rows(recipe, time_major_gives: str, time_major_why: str) -> list[Migration]:
    """What a load_model shim gives on each .h5: the two shims differ only on the time-major model."""
    fails = {"gru_reset_after": (unrecognized("GRU"), GRU_NOT_LSTM),
             "conv_lstm1d": (unrecognized("ConvLSTM1D"), CONV_NOT_LSTM),
             "bidirectional_concat": (unrecognized("LSTM"), INNER_MODULE),
             "initial_state_input": ((ValueError, 'Layer "lstm" expects 1 input(s), but it received 3 input tensors'),
                                     THREE_INPUTS)}
    rows = [Migration(recipe, case, "keras2-h5", FAILS, *fails[case]) if case in fails
            else Migration(recipe, case, "keras2-h5", MATCHES) for case in KERAS2.cases if case != TIME_MAJOR_CASE]
    return rows + [Migration(recipe, TIME_MAJOR_CASE, "keras2-h5", time_major_gives, why=time_major_why)]


def _rebuild_rows() -> list[Migration]:
    rows = [Migration(migrations.rebuild_and_load_weights, case, "keras2-weights", MATCHES) for case in KERAS2.cases
            if case not in (TIME_MAJOR_CASE, "conv_lstm1d")]
    return rows + [Migration(migrations.rebuild_and_load_weights, "conv_lstm1d", "keras2-weights", MOVED,
                             why=HARD_SIGMOID)]


MIGRATIONS = (
    *(Migration(migrations.plain_load_model, case, saved, FAILS, plain_load_error(case, saved))
      for case in KERAS2.cases for saved in ("keras2-h5", "keras2-keras")),
    *(Migration(migrations.plain_load_model, case, "keras2-savedmodel", FAILS, (ValueError, NOT_V3))
      for case in KERAS2.folder_cases),
    *_rebuild_rows(),
    *(Migration(migrations.serving_layer, case, "keras2-savedmodel", MATCHES) for case in KERAS2.folder_cases),
    *(Migration(migrations.tf_keras_load_model, case, saved, MATCHES)
      for case in KERAS2.cases for saved in ("keras2-h5", "keras2-keras")),
    *_shim_rows(migrations.popular_shim_load_model, CHANGES, TIME_AS_BATCH),
    *_shim_rows(migrations.time_major_load_model, MATCHES, ""),
)
SPEC_OF = {MATCHES: "test_recipe_reproduces_the_keras2_outputs", CHANGES: "test_popular_shim_reads_time_as_the_batch",
           MOVED: "test_rebuilt_conv_lstm1d_moves_the_values", FAILS: "test_recipe_fails_with_the_pinned_error"}



def specs_of(recipe, gives: str | None = None, saved: str | None = None, case: str | None = None) -> tuple[str, ...]:
    """The node ids (in this file) of the rows of ``recipe`` that give ``gives`` (in format ``saved``, for ``case``)."""
    return tuple(row.spec for row in MIGRATIONS if row.recipe is recipe and gives in (None, row.gives)
                 and saved in (None, row.saved) and case in (None, row.case))


# What docs/saved-models.md says about Keras 2 files on Keras 3, each with the specs that reproduce it.
WHY = (
    ("`keras.models.load_model(\"m.h5\")` of any Keras 2 recurrent model fails with `ValueError: Unrecognized keyword "
     "arguments passed to LSTM: {'time_major': False}` (GRU, ConvLSTM1D alike): Keras 2 wrote the page's "
     "`time_major` argument into every recurrent layer's config, even at its default.",
     ("test_keras2_writes_time_major_into_every_recurrent_layer",
      *specs_of(migrations.plain_load_model, saved="keras2-h5"))),
    ("A Keras 2 `.keras` file fails differently: `TypeError: Could not deserialize class 'Functional' because its "
     "parent module keras.src.engine.functional cannot be imported`; a Keras 2 SavedModel folder is refused as a "
     "format (`ValueError: File format not supported: ... Keras 3 only supports V3 .keras files, legacy H5 "
     "format files`).",
     (*specs_of(migrations.plain_load_model, saved="keras2-keras"),
      *specs_of(migrations.plain_load_model, saved="keras2-savedmodel"))),
    ("The workaround many projects copy (subclass `LSTM`, pop `time_major` in `__init__`, load with "
     "`custom_objects={\"LSTM\": ...}`) loads a batch-major LSTM, and for the model saved with `time_major=True` it "
     "silently changes the model: on the page's (2, 3, 9) data Keras 2 gave h of shape (3, 5) (axis 0 is time, "
     "axis 1 the batch); the loaded model gives (2, 5), reading axis 0 as the batch, with no error. It does not "
     "reach a GRU, a ConvLSTM1D or the LSTM inside a Bidirectional (Keras 2 recorded that one with its module).",
     (*specs_of(migrations.popular_shim_load_model, CHANGES), *specs_of(migrations.popular_shim_load_model, FAILS))),
    ("The correct migration of a time-major model keeps its contract: `TimeMajorLSTM` takes (time, batch, features), "
     "transposes to batch-major for the recurrence, and reproduces the writer's outputs.",
     specs_of(migrations.time_major_load_model, MATCHES, case=TIME_MAJOR_CASE)),
    ("What works: the Keras 2 SavedModel folder through "
     "`keras.layers.TFSMLayer(dir, call_endpoint=\"serving_default\")`; Keras 2 `save_weights(\"w.h5\")` loaded "
     "into the same architecture rebuilt on Keras 3 (Bidirectional, GRU, stacked, masked, initial_state as inputs); "
     "and tf-keras 2.21 with `TF_USE_LEGACY_KERAS=1` on TensorFlow 2.21, which loads the `.h5` and the Keras 2 "
     "`.keras` files, `time_major=True` included, with the writer's outputs.",
     (*specs_of(migrations.serving_layer), *specs_of(migrations.rebuild_and_load_weights, MATCHES),
      *specs_of(migrations.tf_keras_load_model))),
    ("Rebuilding is right only when the rebuilt architecture is the one saved: ConvLSTM1D's recurrent activation "
     "defaulted to `hard_sigmoid` (slope 0.2) in Keras 2 and is `sigmoid` in Keras 3, whose own `hard_sigmoid` has "
     "slope 1/6; rebuilt with Keras 3's defaults the weights load and the values move.",
     specs_of(migrations.rebuild_and_load_weights, MOVED)),
)

# Keras 2 reads its own files (specs/test_43); tf-keras runs only its own recipe, Keras 3 every other one.
NOTHING_TO_MIGRATE = "Keras 2 reads its own files: nothing to migrate (specs/test_43 reads them)"
KERAS_3_RECIPE = "a Keras 3 recipe; this run's Keras is tf-keras (TF_USE_LEGACY_KERAS=1)"
TF_KERAS_RECIPE = "the tf-keras recipe runs under TF_USE_LEGACY_KERAS=1: python3 suite.py matrix tf-keras"
TENSORFLOW = installed_version("tensorflow")
# TensorFlow reads TF_USE_LEGACY_KERAS from 2.16 on; before, tf.keras is its own Keras 2 whatever is installed.
TF_READS_LEGACY_KERAS = release_of(TENSORFLOW) >= (2, 16)
OLD_TENSORFLOW = (f"the tf-keras recipe is TensorFlow 2.16's and later: TensorFlow {TENSORFLOW} reads no "
                  "TF_USE_LEGACY_KERAS, and its tf.keras is its own Keras 2 (Keras 2.14's load_model never returns "
                  "on Keras 2.15's .keras files)")
pytestmark = pytest.mark.skipif(KERAS_ERA == 2 and not LEGACY_KERAS, reason=NOTHING_TO_MIGRATE)


def cases_of(gives: str):
    """``MIGRATIONS`` rows that give ``gives``, as pytest params (TFSMLayer's need TensorFlow; each recipe runs
    only on its own Keras)."""
    params = []
    for row in MIGRATIONS:
        if row.gives != gives:
            continue
        marks = [needs_tensorflow("TFSMLayer")] if row.recipe is migrations.serving_layer else []
        legacy = row.recipe is migrations.tf_keras_load_model
        if legacy != LEGACY_KERAS:
            marks.append(pytest.mark.skip(reason=KERAS_3_RECIPE if LEGACY_KERAS else TF_KERAS_RECIPE))
        elif legacy and not TF_READS_LEGACY_KERAS:
            marks.append(pytest.mark.skip(reason=OLD_TENSORFLOW))
        params.append(pytest.param(row, id=row.id, marks=marks))
    return params


@pytest.fixture(scope="module")
def keras2_files():
    """The keras2 writer's committed folder, its manifest read (every file checked against its sha256 when used)."""
    return committed(KERAS2)


def recurrent_configs(path) -> list[tuple[str, dict]]:
    """(class name, config) of every recurrent layer in a Keras 2 .h5 file's model config, in its order
    (a wrapper's inner layer after the wrapper)."""
    with h5py.File(path, "r") as saved:
        config = json.loads(saved.attrs["model_config"])
    found = []
    for layer in config["config"]["layers"]:
        for entry in (layer, layer["config"].get("layer")):
            if entry is not None and entry["class_name"] in RECURRENT:
                found.append((entry["class_name"], entry["config"]))
    return found


def repro(row: Migration, path) -> str:
    return "\n".join([f"from lstm_spec.saving.migrations import {row.recipe.__name__}",
                      f"loaded = {row.recipe.__name__}({str(path)!r})  # the keras2 writer's file, {row.case}"])


def shared_read(row: Migration):
    """The one read of the row's file that spec 43 makes too, when the row's recipe is a reader's own code
    (``lstm_spec.saving.formats.reader_running``), else None."""
    reader = reader_running(row.recipe)
    return None if reader is None else loaded(KERAS2, row.case, row.saved, reader)


def migrated(row: Migration, keras2_files):
    """The row's recipe run on its file: a model, or the TFSMLayer (raising what the recipe raises)."""
    shared = shared_read(row)
    if shared is not None:
        if shared.step == "load":
            raise shared.error
        return shared.loaded.model or shared.loaded.restored
    path = keras2_files.path(row.case, row.saved)
    if row.recipe is migrations.rebuild_and_load_weights:
        return row.recipe(CASES[row.case].build, str(path))
    return row.recipe(str(path))


def migrated_outputs(row: Migration, keras2_files) -> tuple:
    """What the row's recipe gives on the writer's input, flat (a recipe of no reader gives a model: called as inference)."""
    shared = shared_read(row)
    if shared is not None:
        if shared.error is not None:
            raise shared.error
        return shared.outputs
    return flat_outputs(migrated(row, keras2_files)(keras2_files.case(row.case).data, training=False))


@pytest.mark.parametrize("case", KERAS2.cases)
def test_keras2_writes_time_major_into_every_recurrent_layer(case, keras2_files):
    """Keras 2 wrote ``time_major`` into every recurrent layer's config it saved, even at its default False."""
    configs = recurrent_configs(keras2_files.path(case, "keras2-h5"))
    assert configs, f"{case}: no recurrent layer found in its Keras 2 .h5 config"
    first = FIRST_RECURRENT.get(case, "LSTM")
    assert configs[0][0] == first, f"{case}: the first recurrent layer saved is {configs[0][0]}, not {first}"
    for layer, config in configs:
        assert "time_major" in config, f"{case}: Keras 2 saved {layer} without time_major: {sorted(config)}"
        expected = case == TIME_MAJOR_CASE
        assert config["time_major"] is expected, f"{case}: {layer} saved time_major={config['time_major']}"


@pytest.mark.parametrize("row", cases_of(FAILS))
def test_recipe_fails_with_the_pinned_error(row, keras2_files):
    """A recipe that fails on a Keras 2 file raises exactly the error pinned for it (its message, or its start)."""
    error_type, message = row.error
    with assert_raises(error_type, message, f"{row.id}: {row.why or 'plain load_model'}"):
        migrated(row, keras2_files)


@pytest.mark.parametrize("row", cases_of(MATCHES))
def test_recipe_reproduces_the_keras2_outputs(row, keras2_files):
    """A recipe that works gives the writer's outputs on the writer's input, shapes exactly, values within float32
    tolerance."""
    record = keras2_files.case(row.case)
    outputs = migrated_outputs(row, keras2_files)
    path = keras2_files.path(row.case, row.saved)
    assert_count("outputs", len(outputs), len(record.outputs), row.id, repro(row, path))
    for index, (actual, expected) in enumerate(zip(outputs, record.outputs)):
        assert_shape(f"output {index}", actual, expected.shape, row.id, repro(row, path))
        assert_close(f"output {index}", actual, expected, row.id, repro(row, path))


@pytest.mark.parametrize("row", cases_of(CHANGES))
def test_popular_shim_reads_time_as_the_batch(row, keras2_files):
    """The popular shim loads the time-major model without an error, and reads axis 0 (time) as the batch: h of shape
    (2, 5) on the page's (2, 3, 9) data, where Keras 2 gave (3, 5)."""
    record = keras2_files.case(row.case)
    time_steps, batch = record.data.shape[:2]
    assert_shape("the writer's input", record.data, (2, 3, 9), row.id)
    assert_shape("Keras 2's h", record.outputs[0], (batch, PAGE_UNITS), "time-major: axis 1 is the batch")
    (output,) = migrated_outputs(row, keras2_files)
    path = keras2_files.path(row.case, row.saved)
    assert_shape("the shim's h", output, (time_steps, PAGE_UNITS), row.id, repro(row, path))


@pytest.mark.parametrize("row", cases_of(MOVED))
def test_rebuilt_conv_lstm1d_moves_the_values(row, keras2_files):
    """ConvLSTM1D rebuilt with Keras 3's defaults takes the Keras 2 weights but computes another function; rebuilt with
    Keras 2's hard_sigmoid as its recurrent activation it reproduces the writer's outputs."""
    record = keras2_files.case(row.case)
    path = keras2_files.path(row.case, row.saved)
    (layer, config), = recurrent_configs(keras2_files.path(row.case, "keras2-h5"))
    assert (layer, config["recurrent_activation"]) == ("ConvLSTM1D", "hard_sigmoid"), (layer, config)
    (moved,) = migrated_outputs(row, keras2_files)
    assert_differs("the rebuilt model's output", moved, "the writer's", record.outputs[0], f"{row.id}: {row.why}")

    def keras_2_architecture():
        conv = Layer.of("ConvLSTM1D", filters=4, kernel_size=3, recurrent_activation=migrations.keras_2_hard_sigmoid)
        return chain_model(Chain((conv,)), CONV_DIMS)

    rebuilt = migrations.rebuild_and_load_weights(keras_2_architecture, str(path))
    assert_close("output", call(rebuilt, record.data), record.outputs[0], "rebuilt with keras_2_hard_sigmoid")


@pytest.mark.skipif(LEGACY_KERAS, reason=KERAS_3_RECIPE)
@pytest.mark.parametrize("return_state", [False, True], ids=lambda flag: f"return_state={flag}")
def test_time_major_lstm_gives_time_major_sequences(return_state):
    """TimeMajorLSTM(return_sequences=True, time_major=True) on (time, batch, features) gives the batch-major LSTM's
    sequences transposed to (time, batch, units), as Keras 2 did (spec 6), and its states unchanged."""
    run = run_recurrent(LSTMConfig(PAGE_UNITS, return_sequences=True, return_state=return_state), PAGE_DIMS)
    layer = migrations.TimeMajorLSTM(**run.config.kwargs(), time_major=True)
    layer.build((PAGE_DIMS.seq_len, PAGE_DIMS.batch, PAGE_DIMS.features))
    layer.set_weights(list(run.weights))
    outputs = flat_outputs(layer(np.transpose(run.inputs, (1, 0, 2)), training=False))
    expected = flat_outputs(run.outputs)
    assert_count("outputs", len(outputs), len(expected), run, run.repro())
    assert_shape("sequences", outputs[0], (PAGE_DIMS.seq_len, PAGE_DIMS.batch, PAGE_UNITS), run, run.repro())
    assert_close("sequences", np.transpose(outputs[0], (1, 0, 2)), expected[0], run, run.repro())
    for index, (state, batch_major) in enumerate(zip(outputs[1:], expected[1:]), start=1):
        assert_close(f"state {index}", state, batch_major, run, run.repro())


@pytest.mark.skipif(LEGACY_KERAS, reason=KERAS_3_RECIPE)
def test_time_major_model_predicts_whole_in_time(keras2_files):
    """The migrated time-major model's ``predict()`` cuts axis 0, time here: with ``batch_size=1`` the 2 steps run as
    two 1-step sequences, h of shape (6, 5); with a batch_size of at least the steps, the writer's (3, 5)."""
    record = keras2_files.case(TIME_MAJOR_CASE)
    model = migrations.time_major_load_model(str(keras2_files.path(TIME_MAJOR_CASE, "keras2-h5")))
    time_steps, batch = record.data.shape[:2]
    cut = model.predict(record.data, batch_size=1, verbose=0)
    assert_shape("h, predicted one step at a time", cut, (time_steps * batch, PAGE_UNITS), "predict(batch_size=1)")
    whole = model.predict(record.data, batch_size=time_steps, verbose=0)
    assert_close("h, predicted whole", whole, record.outputs[0], f"predict(batch_size={time_steps})")

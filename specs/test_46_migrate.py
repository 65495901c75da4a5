"""46. migrate: a Keras 2 model file becomes a Keras 3 .keras that plain load_model reads, with its outputs.

``suite.py migrate`` (``lstm_spec/own_model/``) rewrites the file's config for Keras 3 (``config_rewrite``) and
builds the model with the weights as saved; ``CHANGES`` says, per committed file, which changes that takes.
Here each migrated model is saved as ``.keras``, loaded back with plain ``keras.models.load_model`` (no
``custom_objects``) and called on the writer's input (its manifest): the writer's shapes exactly, values within
``MATCH_TOLERANCE``; besides the saving catalog's files, the users' shapes of ``specs/own_models/``
(``lstm_spec/own_model/users_models.py``: ConvLSTM2D with TimeDistributed(Dropout), two inputs, Embedding tokens,
names TensorFlow rejects, a compiled model with optimizer state).  ``REFUSED`` are the files migrate must not
turn into a plain Keras 3 file, each with its reason.  By default the keras2 writer's files of each kind of change,
tf-keras' first model and every users' shape are migrated; ``LSTM_SPEC_SAVED_ALL=1`` migrates every committed
Keras 2 file.  On every Keras 3 backend: the migrated model
is built by the backend running (``suite.py migrate --to jax`` verifies on one).
"""

from pathlib import Path

import pytest

from lstm_spec.checks.assertions import assert_close, assert_raises, assert_shape
from lstm_spec.models.keras_under_test import keras
from lstm_spec.own_model.config_rewrite import Refused
from lstm_spec.own_model.migrate import migrated
from lstm_spec.own_model.model_file import BadInput, identify
from lstm_spec.own_model.users_models import OWN_MODEL_WRITERS
from lstm_spec.saving.formats import flat_outputs
from lstm_spec.saving.manifest import read_manifest
from lstm_spec.saving.read_files import MATCH_TOLERANCE
from lstm_spec.saving.side import SAVING_ERA, WHOLE_MATRIX
from lstm_spec.saving.writers import WRITERS

FORMATS = ("keras2-h5", "keras2-keras")
DROPPED = "time_major=False dropped"
MODULE = "model class module set to Keras 3's"
INITIAL_STATE = "call on [x, h0, c0] made x with initial_state=[h0, c0]"
TRANSPOSES = "time_major=True kept as transposes"
RENAMED = "names TensorFlow rejects made safe"
TRAINING = "training config and optimizer state dropped"
# The changes migrate makes to each committed model, by format (a .keras archive also records the model class's
# Keras 2 module).  A case not named here takes BASIC.
BASIC = (DROPPED,)
CHANGES = {"initial_state_input": (DROPPED, INITIAL_STATE), "page_time_major": (TRANSPOSES,),
           "unsafe_names": (DROPPED, RENAMED), "compiled_and_trained": (DROPPED, TRAINING)}
# The committed folders migrated: the saving catalog's Keras 2 writers, and the users' shapes (specs/own_models).
FOLDERS = {"keras2": WRITERS["keras2"], "tf-keras": WRITERS["tf-keras"],
           "own_models/keras2": OWN_MODEL_WRITERS["keras2"]}
# Migrated by default: one model of each kind of change from the keras2 writer, tf-keras' first, every user shape.
DEFAULT = {("keras2", "page_lstm"), ("keras2", "initial_state_input"), ("keras2", "page_time_major"),
           ("keras2", "bidirectional_concat"), ("tf-keras", "page_lstm")}
HARD_SIGMOID = "use(s) Keras 2's hard_sigmoid: clip(0.2 * x + 0.5, 0, 1)"
# What migrate refuses, and the part of its message that says why.
REFUSED = {
    ("conv_lstm1d", "keras2-h5"): (Refused, "conv_lstm1d (recurrent_activation) " + HARD_SIGMOID),
    ("conv_lstm1d", "keras2-keras"): (Refused, "conv_lstm1d (recurrent_activation) " + HARD_SIGMOID),
    ("page_lstm", "keras2-savedmodel"): (Refused, "keras.layers.TFSMLayer("),
    ("page_lstm", "keras2-weights"): (BadInput, "holds layer weights only, not a model's architecture"),
}

pytestmark = pytest.mark.skipif(SAVING_ERA != 3,
                                reason=f"migrate builds Keras 3 models; this run is Keras {SAVING_ERA}")


def expected_changes(case: str, saved: str) -> tuple[str, ...]:
    changes = CHANGES.get(case, BASIC)
    return (*changes[:1], MODULE, *changes[1:]) if saved == "keras2-keras" else changes


def _migrations() -> list:
    return [pytest.param(folder, case, saved, id=f"{folder}-{case}-{saved}")
            for folder, writer in FOLDERS.items() for case, record in read_manifest(writer).cases.items()
            for saved in FORMATS if saved in record.formats and (case, saved) not in REFUSED
            and (WHOLE_MATRIX or (folder, case) in DEFAULT or folder.startswith("own_models"))]


def _repro(path: Path) -> str:
    return "\n".join(["python3 suite.py migrate " + path.as_posix() + " migrated.keras",
                      "import keras; model = keras.models.load_model('migrated.keras')"])


@pytest.mark.parametrize(("folder", "case", "saved"), _migrations())
def test_migrated_file_gives_the_writers_outputs(folder, case, saved, migrated_once):
    """The migrated .keras, loaded by plain load_model, gives the writer's outputs: its shapes exactly, values close."""
    manifest = read_manifest(FOLDERS[folder])
    record, path = manifest.case(case), manifest.path(case, saved)
    result, migrated_file = migrated_once(path)
    assert [change.what for change in result.changes] == list(expected_changes(case, saved)), (
        f"migrate of {path} made {[str(change) for change in result.changes]}; CHANGES states "
        f"{expected_changes(case, saved)}")
    outputs = flat_outputs(keras.models.load_model(str(migrated_file))(record.data, training=False))
    context = f"{folder}'s {case} ({saved}) migrated and loaded with plain load_model"
    assert len(outputs) == len(record.outputs), f"{context}: {len(outputs)} outputs, the writer's {len(record.outputs)}"
    for index, (output, expected) in enumerate(zip(outputs, record.outputs)):
        assert_shape(f"output {index}", output, expected.shape, context, _repro(path))
        assert_close(f"output {index}", output, expected, context, _repro(path), rtol=0, atol=MATCH_TOLERANCE)


@pytest.mark.parametrize(("case", "saved"), list(REFUSED), ids=[f"{case}-{saved}" for case, saved in REFUSED])
def test_migrate_refuses_what_keras_3_cannot_compute(case, saved):
    """A file with no faithful plain Keras 3 form (hard_sigmoid, a SavedModel, weights alone) is refused, saying why."""
    error, fragment = REFUSED[(case, saved)]
    path = read_manifest(WRITERS["keras2"]).path(case, saved)
    with assert_raises(error, fragment, f"migrate of keras2's {case} ({saved})"):
        migrated(identify(str(path)))


def test_kept_hard_sigmoid_gives_the_writers_outputs(tmp_path):
    """With --keep-hard-sigmoid the ConvLSTM1D file migrates, needing only the registered function, and matches."""
    import lstm_spec.own_model.registered  # noqa: F401  (the function the migrated file names)

    manifest = read_manifest(WRITERS["keras2"])
    record, path = manifest.case("conv_lstm1d"), manifest.path("conv_lstm1d", "keras2-h5")
    result = migrated(identify(str(path)), keep_hard_sigmoid=True)
    assert result.registered == ("lstm_spec>keras_2_hard_sigmoid",), result.registered
    result.model.save(str(tmp_path / "migrated.keras"))
    output, = flat_outputs(keras.models.load_model(str(tmp_path / "migrated.keras"))(record.data, training=False))
    assert_close("output", output, record.outputs[0], "conv_lstm1d migrated with Keras 2's hard_sigmoid",
                 _repro(path) + " --keep-hard-sigmoid", rtol=0, atol=MATCH_TOLERANCE)

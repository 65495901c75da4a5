"""Saved across versions: a file another version wrote, read here, gives what ``OUTCOMES`` states.

Six writers (``lstm_spec/saving/writers.py``) committed their files under ``specs/saved_models/WRITER/``:
TF 2.15.1's Keras 2 (``keras2``), tf-keras on the locked TensorFlow (``tf-keras``), the oldest Keras 3 the
suite runs (``keras3-oldest``), the locked default (``locked``) and Keras 3 on JAX and PyTorch (``jax``,
``torch``), each with a manifest of its exact versions, every file's sha256, each model's input and the
outputs the writer computed.  Every reading environment (locked, keras2, tf-keras, jax, torch: the one
running is ``this_reader()``, found by its installed versions and backend) reads every other writer's
files, with every way in of each format (``load_model``, ``load_weights`` into the case rebuilt here, and
for a SavedModel or export folder ``TFSMLayer`` and ``tf.saved_model.load``), calls them on the writer's
input and compares with the writer's outputs.  ``OUTCOMES[(writer, reader, format)]`` says what that
gives: the writer's outputs (``Matches``), values moved (``Moved``, by how much and why), or an error
(``Fails``, its type and message pinned).  A writer reading its own files is the round trip
(``specs/test_41``).  Keras 3's portability promise is the ``locked``/``jax``/``torch`` rows: a ``.keras``
written on one backend loads on the others with the same outputs.

By default a run reads, of each writer's format, the first model it wrote and every model its cell states
apart (a different outcome, or a moved value), with each loader the cell states apart and one of the loaders
that give the cell's own outcome, the writers of a folder format taking those loaders in turn (a SavedModel
folder costs ~0.7 s a read); ``LSTM_SPEC_SAVED_ALL=1`` reads every model with every loader.

A committed file that is missing, changed or unreadable fails every spec that reads it with one message
naming it and the command that writes it again (``nox -s saved_files -- WRITER``); no run writes them.
"""

import pytest

from lstm_spec.models.keras_under_test import keras
from lstm_spec.saving.formats import READERS
from lstm_spec.saving.manifest import SavedFilesError
from lstm_spec.saving.outcomes import Cell, Fails, Matches, Moved, assert_outcome
from lstm_spec.saving.read_files import committed, loaders, read, this_environment, this_reader
from lstm_spec.saving.side import BUILDERS_BUILD_THE_KERAS_UNDER_TEST, NOT_UNDER_TEST, WHOLE_MATRIX
from lstm_spec.saving.writers import READING, ROOT, WRITERS

READER = this_reader()
KERAS_2 = ("keras2", "tf-keras")  # the writers and readers whose Keras is Keras 2; every other one's is Keras 3


def _refused_time_major(layer: str, time_major: bool = False) -> Fails:
    """Keras 2 and tf-keras save an LSTM, GRU and ConvLSTM1D config with time_major, which Keras 3 layers refuse."""
    return Fails("ValueError", f"Unrecognized keyword arguments passed to {layer}: {{'time_major': {time_major}}}")


KERAS_2_H5_IN_KERAS_3 = Cell(_refused_time_major("LSTM"), cases={
    "gru_reset_after": _refused_time_major("GRU"), "conv_lstm1d": _refused_time_major("ConvLSTM1D"),
    "page_time_major": _refused_time_major("LSTM", time_major=True)})

# Keras 2's ConvLSTM1D recurrent_activation defaults to hard_sigmoid, Keras 3's to sigmoid: weights loaded into
# the architecture rebuilt with the reader's defaults give other values (by how much depends on the weights,
# which each writer drew from its own random stream).
CONV_LSTM_ACTIVATION = "ConvLSTM1D's default recurrent_activation: hard_sigmoid in Keras 2, sigmoid in Keras 3"
CONV_LSTM_MOVED = {"keras2": 0.034258, "tf-keras": 0.034258, "keras3-oldest": 0.040507, "locked": 0.040507,
                   "jax": 0.023329, "torch": 0.044010}
NOT_V3 = "Keras 3 only supports V3 `.keras` files, legacy H5 format files (`.h5` extension)."
TFSM_NEEDS_TENSORFLOW = Fails("NotImplementedError",
                              "The TFSMLayer is only currently supported with the TensorFlow backend.")
# Keras 3 reading Keras 3's legacy .h5 of a Masking model: the mask's not_equal op was saved as a layer.
MASKING_H5 = Fails("ValueError", "Unknown layer: 'NotEqual'.")


def _keras_3_reads(writer: str, reader: str) -> dict:
    """What Keras 3 (on any backend) gives for another Keras 3 writer's files: its outputs, but a Masking model's .h5;
    a SavedModel export only through TensorFlow."""
    cells = {"keras3-keras": Cell(Matches()), "keras3-h5": Cell(Matches(), cases={"masking": MASKING_H5}),
             "keras3-weights": Cell(Matches())}
    if writer == "locked":
        cells["keras3-export"] = Cell(Matches(), loaders={
            "load_model": Fails("ValueError", NOT_V3),
            **({"TFSMLayer": TFSM_NEEDS_TENSORFLOW} if reader != "locked" else {})})
    return cells


def _keras_3_reads_keras_2(writer: str, reader: str) -> dict:
    """What Keras 3 gives for Keras 2's (or tf-keras') files: no model file loads; weights load into the
    architecture rebuilt; a SavedModel through TensorFlow's serving signature."""
    keras_file = {"keras2": Fails("TypeError", "Could not deserialize class 'Functional' because its parent module "
                                               "keras.src.engine.functional cannot be imported."),
                  # tf-keras writes its own module path, tf_keras.src.engine.functional, which Keras 3 never finds
                  "tf-keras": Fails("TypeError", "Could not locate class 'Functional'.")}[writer]
    return {
        "keras2-h5": KERAS_2_H5_IN_KERAS_3,
        "keras2-keras": Cell(keras_file),
        "keras2-weights": Cell(Matches(), cases={
            "conv_lstm1d": Moved(CONV_LSTM_MOVED[writer], why=CONV_LSTM_ACTIVATION),
            "page_time_major": _refused_time_major("LSTM", time_major=True)}),
        "keras2-savedmodel": Cell(Matches(), loaders={
            "load_model": Fails("ValueError", NOT_V3),
            **({"TFSMLayer": TFSM_NEEDS_TENSORFLOW} if reader != "locked" else {})}),
    }


def _keras_2_reads_keras_3(writer: str, reader: str) -> dict:
    """What Keras 2 (TF 2.15.1's or tf-keras) gives for a Keras 3 writer's files: neither model file loads
    (Keras 3's module paths, and its InputLayer's batch_shape); weights load; an export through TensorFlow only."""
    keras_module = {"keras2": "keras", "tf-keras": "tf_keras"}[reader]
    # tf-keras writes 'optional' itself; Keras 3.0.0's InputLayer config has no 'optional' key yet (nor 'ragged').
    unknown = "['batch_shape']" if reader == "tf-keras" or writer == "keras3-oldest" else "['batch_shape', 'optional']"
    cells = {
        "keras3-keras": Cell(Fails("TypeError", f"Could not deserialize class 'Functional' because its parent module "
                                                f"{keras_module}.src.models.functional cannot be imported.")),
        "keras3-h5": Cell(Fails("TypeError", f"Exception encountered: Unrecognized keyword arguments: {unknown}")),
        "keras3-weights": Cell(Matches(), cases={
            "conv_lstm1d": Moved(CONV_LSTM_MOVED[writer], why=CONV_LSTM_ACTIVATION)}),
    }
    if writer == "locked":
        cells["keras3-export"] = Cell(Matches(), loaders={
            # Keras 2 restores an export as a plain trackable without Keras metadata
            "load_model": Fails("TypeError", "'_UserObject' object is not callable"),
            "TFSMLayer": Fails("AttributeError", f"module '{keras_module}.layers' has no attribute 'TFSMLayer'")})
    return cells


def _keras_2_reads_keras_2(writer: str, reader: str) -> dict:
    """Keras 2.15 and tf-keras 2.21 between themselves: tf-keras reads Keras 2.15's files whole; Keras 2.15 refuses
    the InputLayer key tf-keras added ('optional') and its module path, and reads the weights and the SavedModel."""
    keras_module = {"keras2": "keras", "tf-keras": "tf_keras"}[reader]
    tfsm = Fails("AttributeError", f"module '{keras_module}.layers' has no attribute 'TFSMLayer'")
    if reader == "tf-keras":
        return {"keras2-h5": Cell(Matches()), "keras2-keras": Cell(Matches()), "keras2-weights": Cell(Matches()),
                "keras2-savedmodel": Cell(Matches(), loaders={"TFSMLayer": tfsm})}
    return {
        "keras2-h5": Cell(Fails("TypeError", "Exception encountered: Unrecognized keyword arguments: ['optional']")),
        "keras2-keras": Cell(Fails("TypeError", "Could not deserialize class 'Functional' because its parent module "
                                                "tf_keras.src.engine.functional cannot be imported.")),
        "keras2-weights": Cell(Matches()),
        "keras2-savedmodel": Cell(Matches(), loaders={"TFSMLayer": tfsm}),
    }


_READS = {(False, False): _keras_3_reads, (False, True): _keras_3_reads_keras_2,
          (True, False): _keras_2_reads_keras_3, (True, True): _keras_2_reads_keras_2}
OUTCOMES = {
    (writer, reader, saved): cell
    for writer in WRITERS for reader in READING if reader != writer
    for saved, cell in _READS[(reader in KERAS_2, writer in KERAS_2)](writer, reader).items()
}


def _read_by_default(writer, saved: str, case: str) -> bool:
    """Whether a run reads ``case``'s ``saved`` file of ``writer`` without LSTM_SPEC_SAVED_ALL=1: the first case
    the writer wrote in that format (each cell's own outcome) and every case the cell states apart."""
    first = next(name for name, each in writer.files() if each == saved)
    return case == first or case in OUTCOMES[(writer.name, READER.name, saved)].cases


def _loaders_by_default(writer, saved: str) -> tuple[str, ...]:
    """The loaders a run reads ``writer``'s ``saved`` files with without LSTM_SPEC_SAVED_ALL=1: each loader the cell
    states apart, and one of those that give the cell's own outcome, the format's writers taking them in turn."""
    named = OUTCOMES[(writer.name, READER.name, saved)].loaders
    plain = [loader for loader in loaders(saved) if loader not in named]
    if not plain:
        return tuple(named)
    writing = [each.name for each in WRITERS.values() if any(written == saved for _, written in each.files())]
    turn = plain[writing.index(writer.name) % len(plain)]
    return tuple(loader for loader in loaders(saved) if loader in named or loader == turn)


def _reads_here() -> list:
    if READER is None or not READER.reads:
        return []
    return [pytest.param(writer.name, saved, loader, case, id=f"{writer.name}-{saved}-{loader}-{case}")
            for writer in WRITERS.values() if writer.name != READER.name
            for case, saved in writer.files() if WHOLE_MATRIX or _read_by_default(writer, saved, case)
            for loader in (loaders(saved) if WHOLE_MATRIX else _loaders_by_default(writer, saved))]


def _skip_reason() -> str:
    if READER is None:
        return (f"no column for this environment ({this_environment()}): the reading environments are "
                f"{', '.join(READING)} (lstm_spec/saving/writers.py)")
    return f"{READER.name} writes saved files but reads none here (no column in OUTCOMES)"


pytestmark = pytest.mark.skipif(READER is None or not READER.reads, reason=_skip_reason())


def _repro(writer: str, saved: str, loader: str, case: str, path) -> str:
    return "\n".join([
        f"# in the {READER.name} environment: {READER.description}",
        f"import {keras.__name__} as keras, tensorflow as tf",
        "from lstm_spec.saving.catalog import CASES",
        f"case = CASES[{case!r}]",
        f"path = {path.relative_to(ROOT).as_posix()!r}",
        READERS[loader].code,
        f"# the writer's input and outputs: specs/saved_models/{writer}/manifest.json, cases.{case}",
    ])


@pytest.mark.parametrize(("writer", "saved", "loader", "case"), _reads_here() or [pytest.param(*[None] * 4, id="none")])
def test_a_file_another_version_wrote(writer, saved, loader, case):
    """Another writer's committed file, read here with one loader, gives the outcome the table states."""
    if loader == "load_weights" and not BUILDERS_BUILD_THE_KERAS_UNDER_TEST:
        pytest.skip(f"load_weights rebuilds the case here: {NOT_UNDER_TEST}")
    try:
        manifest = committed(WRITERS[writer])
        observation = read(manifest, case, saved, loader)
    except SavedFilesError as error:
        pytest.fail(str(error), pytrace=False)
    expected = OUTCOMES[(writer, READER.name, saved)].expected(case, loader)
    context = f"written by {writer} ({WRITERS[writer].description}), read by {READER.name}"
    assert_outcome(observation, expected, context, _repro(writer, saved, loader, case, manifest.path(case, saved)))

"""47. check: your own model here, every way in; on a committed file, plain load_model is what OUTCOMES states.

``suite.py check`` runs ``lstm_spec.own_model.probe`` on each side: ``read`` tries every way in (``WAYS_IN``) on
the writer's input and says, per way, whether it gives the writer's outputs.  Here the probe reads committed
files of other writers with their manifest's input and outputs, and its ``load_model`` outcome must be the cell
``specs/test_43``'s ``OUTCOMES`` states for this reader; on Keras 3, ``migrate``'s file must give the writer's
outputs where plain ``load_model`` does not.
"""

import pytest

from lstm_spec.own_model.arrays import write_arrays
from lstm_spec.own_model.model_file import identify
from lstm_spec.own_model.probe import migrate_step, read, ways_in_here
from lstm_spec.own_model.users_models import OWN_MODEL_WRITERS
from lstm_spec.saving.manifest import read_manifest
from lstm_spec.saving.outcomes import assert_outcome
from lstm_spec.saving.read_files import Observation
from lstm_spec.saving.side import SAVING_ERA
from lstm_spec.saving.writers import WRITERS
from specs.test_43_saved_across_versions import OUTCOMES, READER

# One model of each writer era, in each format a user has: a Keras 2 file and a Keras 3 file.
CHECKED = (("keras2", "page_lstm", "keras2-h5"), ("keras2", "page_lstm", "keras2-keras"),
           ("locked", "page_lstm", "keras3-keras"))

pytestmark = pytest.mark.skipif(READER is None or not READER.reads, reason="no OUTCOMES column for this environment")


def _work(tmp_path, writer: str, case: str, writers=WRITERS):
    """A check's work folder as the writer's side leaves it: the writer's input and outputs."""
    record = read_manifest(writers[writer]).case(case)
    write_arrays(tmp_path / "input.npz", (record.data if isinstance(record.data, list) else [record.data]))
    write_arrays(tmp_path / "outputs.npz", record.outputs)
    return tmp_path


def _checked() -> list:
    return [pytest.param(*row, id="-".join(row)) for row in CHECKED if READER is not None and row[0] != READER.name]


@pytest.mark.parametrize(("writer", "case", "saved"), _checked())
def test_plain_load_is_what_outcomes_states(writer, case, saved, tmp_path):
    """check's load_model outcome on a committed file is the OUTCOMES cell of this reader, type and message."""
    path = read_manifest(WRITERS[writer]).path(case, saved)
    model_file = identify(str(path))
    outcomes = {outcome["way"]: outcome for outcome in read(model_file, _work(tmp_path, writer, case))}
    assert set(outcomes) == {way.name for way in ways_in_here(model_file)} - {"migrate"}, outcomes  # no file given
    plain = outcomes["load_model"]
    observation = Observation(writer, saved, "load_model", case, str(path), plain["status"], plain["max_abs_diff"],
                              plain["shapes"], plain["error"])
    assert_outcome(observation, OUTCOMES[(writer, READER.name, saved)].expected(case, "load_model"),
                   f"suite.py check {path} on {READER.name}", f"python3 suite.py check {path} --to {READER.name}")


@pytest.mark.skipif(SAVING_ERA != 3, reason="migrate's file is a Keras 3 file")
def test_migrated_way_in_gives_the_writers_outputs(tmp_path):
    """On Keras 3, check's 'migrate' way in gives a Keras 2 file's writer outputs, which plain load_model does not."""
    path = read_manifest(WRITERS["keras2"]).path("page_lstm", "keras2-h5")
    model_file = identify(str(path))
    work = _work(tmp_path, "keras2", "page_lstm")
    migrate_step(model_file, work)
    outcomes = {outcome["way"]: outcome for outcome in read(model_file, work, work / "migrated.keras")}
    assert outcomes["load_model"]["status"] == "fails", outcomes["load_model"]
    assert outcomes["migrate"]["status"] == "matches", outcomes["migrate"]


USERS = OWN_MODEL_WRITERS["keras2"]
# The first recurrent layer of each users' model, which plain load_model names on Keras 3 (LSTM unless here).
FIRST_RECURRENT = {"conv_lstm2d_dropout": "ConvLSTM2D", "gru_time_distributed_dense": "GRU",
                   "simple_rnn_dense": "SimpleRNN"}


@pytest.mark.parametrize("case", list(read_manifest(USERS).cases))
def test_users_shapes_on_this_keras(case, tmp_path, migrated_once):
    """A users' shape as Keras 2 saved it: Keras 2 loads it; Keras 3 refuses time_major, and migrate's file matches."""
    path = read_manifest(USERS).path(case, "keras2-h5")
    model_file = identify(str(path))
    work = _work(tmp_path, "keras2", case, OWN_MODEL_WRITERS)
    if SAVING_ERA == 2:
        plain, = read(model_file, work, ways=("load_model",))
        assert plain["status"] == "matches", f"{path} on {READER.name}: {plain}"
        return
    _, migrated_file = migrated_once(path)  # spec 46's migration of the same file (test_migrated_way_in runs the step)
    outcomes = {outcome["way"]: outcome for outcome in read(model_file, work, migrated_file,
                                                            ways=("load_model", "migrate"))}
    refused = f"Unrecognized keyword arguments passed to {FIRST_RECURRENT.get(case, 'LSTM')}: {{'time_major': False}}"
    assert outcomes["load_model"]["status"] == "fails" and refused in outcomes["load_model"]["error"]["message"], (
        f"{path} with plain load_model on {READER.name}: {outcomes['load_model']}; should fail saying {refused!r}")
    assert outcomes["migrate"]["status"] == "matches", f"{path} migrated, on {READER.name}: {outcomes['migrate']}"

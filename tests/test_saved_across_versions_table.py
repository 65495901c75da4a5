"""The saved-files machinery: specs/test_43's OUTCOMES covers every writer x reader x format, the committed
folders are their writers' and within budget, a run knows which reader it is, and outcomes are checked."""

import importlib.util
import re

import numpy as np
import pytest

from lstm_spec.saving.manifest import read_manifest
from lstm_spec.saving.outcomes import Cell, Fails, Matches, Moved, assert_outcome, expected_cells, table_problems
from lstm_spec.saving.read_files import Observation, classify, main, max_abs_diff
from lstm_spec.saving.write_files import WrongEnvironment, check_environment
from lstm_spec.saving.writers import (OLDEST_KERAS_3, READING, ROOT, SAVED_MODELS, SIZE_BUDGET, WRITERS,
                                      UnknownWriter, environment_named, writer_named)

SPEC_PATH = ROOT / "specs" / "test_43_saved_across_versions.py"


@pytest.fixture(scope="module")
def outcomes_table():
    spec = importlib.util.spec_from_file_location("saved_across_versions_spec", SPEC_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.OUTCOMES


def test_the_table_states_every_cell(outcomes_table):
    """Every writer x reader x format (a writer's own files aside) has an entry, and nothing else has."""
    assert table_problems(outcomes_table) == []
    assert len(expected_cells()) == len(outcomes_table)


def test_a_missing_or_stray_cell_is_named():
    """The coverage check can fail: a cell left out, a cell no writer writes, a case or loader not written."""
    table = {cell: Cell(Matches()) for cell in expected_cells()}
    del table[("keras2", "torch", "keras2-h5")]
    table[("locked", "locked", "keras3-h5")] = Cell(Matches())
    table[("jax", "locked", "keras3-h5")] = Cell(Matches(), cases={"stateful": Matches()})
    table[("keras2", "locked", "keras2-savedmodel")] = Cell(Matches(), loaders={"load_weights": Matches()})
    assert sorted(table_problems(table)) == sorted([
        "no entry for writer 'keras2', reader 'torch', format 'keras2-h5'",
        "an entry for ('locked', 'locked', 'keras3-h5') that no writer writes and no environment reads",
        "('keras2', 'locked', 'keras2-savedmodel') names loader 'load_weights'; keras2-savedmodel is read with "
        "load_model, TFSMLayer, tf.saved_model.load",
        "('jax', 'locked', 'keras3-h5') names case 'stateful', which jax does not write in keras3-h5",
    ])


def test_the_backend_cells_are_there():
    """Keras 3's portability promise: a .keras written on each backend is read on the two others."""
    cells = set(expected_cells())
    for writer in ("locked", "jax", "torch"):
        for reader in {"locked", "jax", "torch"} - {writer}:
            assert (writer, reader, "keras3-keras") in cells


@pytest.mark.parametrize("writer", WRITERS)
def test_each_committed_folder_is_its_writers(writer):
    """The committed folder holds every file its writer writes, intact, written by the writer's versions."""
    manifest = read_manifest(WRITERS[writer])
    manifest.check_all()
    written = {(case, saved) for case, record in manifest.cases.items() for saved in record.formats}
    assert written == set(WRITERS[writer].files())
    tensorflow, keras_name, keras_version, backend = WRITERS[writer].identity()
    assert (manifest.versions["tensorflow"], manifest.versions[keras_name], manifest.versions["backend"]) == (
        tensorflow, keras_version, backend)


def test_the_committed_files_fit_the_budget():
    """All writers' files together stay within 5 MB (a SavedModel folder is ~600 KB: few are written)."""
    total = sum(path.stat().st_size for path in SAVED_MODELS.rglob("*") if path.is_file())
    assert 0 < total <= SIZE_BUDGET


def test_a_run_knows_its_reader():
    """Each writer's pinned versions and backend name it; another version (TF 2.20.0) has no column."""
    for writer in WRITERS.values():
        assert environment_named(writer.identity()) is writer
    assert environment_named(("2.20.0", "keras", "3.15.1", "tensorflow")) is None
    assert environment_named(("2.21.0", "keras", "3.15.1", "jax")) is WRITERS["jax"]
    assert set(READING) == {"locked", "keras2", "tf-keras", "jax", "torch"}


def test_an_unknown_writer_is_named_with_the_writers():
    """A writer name the table lacks: the writers it has."""
    with pytest.raises(UnknownWriter, match=r"'keras4' is not a writer of saved files; the writers are keras2, "):
        writer_named("keras4")


def test_the_writer_tool_refuses_another_environment():
    """Writing keras2's files anywhere but TF 2.15.1 / Keras 2.15 is refused, naming the session that can."""
    with pytest.raises(WrongEnvironment) as refused:
        check_environment(WRITERS["keras2"], WRITERS["locked"].identity())
    assert "writes in TensorFlow 2.15.1, Keras under test keras, its version 2.15.0" in str(refused.value)
    assert str(refused.value).endswith("Run `nox -s saved_files -- keras2`, which installs the writer's environment.")
    check_environment(WRITERS["locked"], WRITERS["locked"].identity())


def test_the_session_installs_the_writers_lock_and_pins():
    """keras3-oldest is the locked lock with its Keras over it; tf-keras runs with TF_USE_LEGACY_KERAS=1."""
    oldest = WRITERS["keras3-oldest"]
    assert oldest.install_plan()[1] == ["install", f"keras=={OLDEST_KERAS_3}"]
    assert oldest.install_plan()[0][-1].endswith("requirements/lock.txt")
    assert WRITERS["tf-keras"].env == {"KERAS_BACKEND": "tensorflow", "TF_USE_LEGACY_KERAS": "1"}


def test_outputs_of_other_shapes_have_no_difference():
    """Outputs of other count or shapes are not compared; the same shapes give the largest difference."""
    assert max_abs_diff((np.zeros((2, 5)),), (np.zeros((2, 4)),)) is None
    assert max_abs_diff((np.zeros(3),), (np.zeros(3), np.zeros(3))) is None
    assert max_abs_diff((np.float32([1, 2]),), (np.float32([1, 2.5]),)) == 0.5
    assert [classify(None), classify(1e-5), classify(2e-5)] == ["other_shapes", "matches", "moved"]


def _observation(status, difference=None, error=None):
    return Observation("keras2", "keras2-h5", "load_model", "page_lstm", "keras2/page_lstm/model.h5", status,
                       difference, [[2, 5]], error)


@pytest.mark.parametrize(("observation", "expected"), [
    (_observation("matches", 1e-7), Matches()),
    (_observation("moved", 0.0343), Moved(0.03426)),
    (_observation("fails", error={"type": "ValueError", "message": "Unrecognized keyword arguments passed to LSTM"}),
     Fails("ValueError", "passed to LSTM")),
], ids=["matches", "moved", "fails"])
def test_an_outcome_as_stated_passes(observation, expected):
    """An observation that is what the cell states passes."""
    assert_outcome(observation, expected, "context", "repro")


@pytest.mark.parametrize(("observation", "expected"), [
    (_observation("moved", 2e-5), Matches()),
    (_observation("matches", 2e-6), Matches(within=1e-6)),
    (_observation("other_shapes"), Matches()),
    (_observation("moved", 0.05), Moved(0.03426)),
    (_observation("matches", 1e-7), Moved(0.0)),
    (_observation("fails", error={"type": "TypeError", "message": "passed to LSTM"}), Fails("ValueError", "LSTM")),
    (_observation("fails", error={"type": "ValueError", "message": "passed to GRU"}), Fails("ValueError", "LSTM")),
    (_observation("matches", 0.0), Fails("ValueError", "LSTM")),
], ids=["moved-not-matches", "beyond-a-tighter-bound", "other-shapes", "moved-by-another-amount", "matches-not-moved",
        "another-type", "another-message", "loads-instead-of-failing"])
def test_an_outcome_other_than_stated_fails(observation, expected):
    """Any other observation fails, saying what it was and what the cell states."""
    with pytest.raises(AssertionError, match=r"(?s)keras2/page_lstm/model.h5 read with load_model: .*but should be: "):
        assert_outcome(observation, expected, "context", "repro")


def test_the_reader_command_refuses_a_folder_of_no_writer(tmp_path, capsys):
    """read_files on a folder that is no writer's, or not a folder: exit 2 and what to name instead."""
    (tmp_path / "keras4").mkdir()
    assert main([str(tmp_path), "--out", str(tmp_path / "out.json")]) == 2
    assert "keras4 is not a writer's folder (the writers are keras2, keras3-oldest" in capsys.readouterr().err
    assert main([str(tmp_path / "absent"), "--out", str(tmp_path / "out.json")]) == 2
    assert "is not a folder; name specs/saved_models or one writer's folder in it" in capsys.readouterr().err


class RecordingSession:
    """A stand-in nox session: records what the session would run, raises on session.error."""

    def __init__(self, *posargs):
        self.posargs, self.env, self.runs = list(posargs), {}, []

    def run(self, *arguments, **options):
        self.runs.append(arguments)

    run_install = run  # the noxfile's pip steps (an install step, so that --install-only makes the environment)

    def error(self, message):
        raise RuntimeError(message)


@pytest.fixture
def saved_files_session(noxfile):
    return noxfile.saved_files


def test_the_session_installs_the_writer_then_writes(saved_files_session):
    """`nox -s saved_files -- keras3-oldest`: the locked lock, the oldest Keras 3 over it, then the writer tool."""
    session = RecordingSession("keras3-oldest")
    saved_files_session(session)
    assert session.runs == [("python", "-m", "pip", "--quiet", "install", "-r", str(ROOT / "requirements/lock.txt")),
                            ("python", "-m", "pip", "--quiet", "install", f"keras=={OLDEST_KERAS_3}"),
                            ("python", "-m", "lstm_spec.saving.write_files", "keras3-oldest")]
    assert session.env == {"KERAS_BACKEND": "tensorflow", "TF_USE_LEGACY_KERAS": "0"}


@pytest.mark.parametrize(("posargs", "said"), [
    ((), "name one writer: nox -s saved_files -- keras2"),
    (("keras2", "locked"), "name one writer: nox -s saved_files -- keras2"),
    (("keras4",), "'keras4' is not a writer of saved files; the writers are keras2, keras3-oldest, tf-keras, "),
], ids=["none", "two", "unknown"])
def test_the_session_refuses_anything_but_one_writer(saved_files_session, posargs, said):
    """No writer, two, or an unknown one: the session stops before installing, saying how to name one."""
    session = RecordingSession(*posargs)
    with pytest.raises(RuntimeError, match=re.escape(said)):
        saved_files_session(session)
    assert session.runs == []

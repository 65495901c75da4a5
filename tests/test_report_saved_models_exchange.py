"""The report's saved-model exchange: side A writes, side B reads what A wrote, the section says what B got."""

import shutil

import pytest

from lstm_spec.saving import read_files, write_files
from lstm_spec.saving.writers import REPORT_SIDE, WRITERS, report_side_writer
from lstm_spec.versions import upgrade_report
from lstm_spec.versions.report_sections import saved_models
from lstm_spec.versions.side_results import read_saved_models
from test_report_saved_models import make_outcomes, make_written, observation
from test_upgrade_report_command import speed_section  # noqa: F401 (a fixture: the Speed section stands in)
from test_upgrade_report_writing import upgrade


def results_with(tmp_path):
    """Two side results whose collected folders are under tmp_path/before and tmp_path/after."""
    before, after = upgrade()
    before.collected, after.collected = tmp_path / "before" / "collected", tmp_path / "after" / "collected"
    return before, after


def test_side_a_is_told_to_write_and_side_b_to_read_what_a_wrote(tmp_path):
    """A's run gets LSTM_SPEC_WRITE_SAVED, B's LSTM_SPEC_READ_SAVED naming A's written folder."""
    writes, reads = saved_models.side_environments(tmp_path / "before" / "collected")
    assert {"LSTM_SPEC_WRITE_SAVED": "1"} == writes
    assert {"LSTM_SPEC_READ_SAVED": str(tmp_path / "before" / "collected" / "saved-models" / "written")} == reads


def test_the_report_command_runs_side_a_writing_then_side_b_reading(tmp_path, monkeypatch, speed_section):
    """upgrade_report.main gives each side its half of the exchange, A first."""
    before, after = upgrade()
    seen = []

    def fake_side(side, workdir, *, source, environment=None):
        seen.append((side.name, workdir.name, environment))
        return before if side.name == "2.15.1" else after

    monkeypatch.setattr(upgrade_report, "run_side", fake_side)
    upgrade_report.main(["2.15.1", "2.21.0", "--no-speed", "--out", str(tmp_path / "r.md"), "--keep",
                         str(tmp_path / "keep")])
    written = tmp_path / "keep" / "before" / "collected" / "saved-models" / "written"
    assert [("2.15.1", "before", {"LSTM_SPEC_WRITE_SAVED": "1"}),
            ("2.21.0", "after", {"LSTM_SPEC_READ_SAVED": str(written)})] == seen


def test_no_exchange_no_section(tmp_path):
    """Results with no saved-models folder on either side (read from elsewhere, or older runs) add no section."""
    assert [] == saved_models.section(*results_with(tmp_path))


def test_a_failed_step_is_said_with_its_side(tmp_path):
    """A write or read that failed is one line naming the side and the command, not a crash."""
    before, after = results_with(tmp_path)
    (before.collected / "saved-models").mkdir(parents=True)
    (before.collected / "saved-models" / "write-failed.txt").write_text("`python -m ...write_files` failed\n")
    before.saved_models = read_saved_models(before.collected)
    assert ["## Saved models", "", "On 2.15.1: `python -m ...write_files` failed", ""] == saved_models.section(
        before, after)


def test_what_side_b_read_of_side_a_is_the_section(tmp_path):
    """With A's folder and B's outcomes in place, the section is the per-model lines, A named by its side."""
    before, after = results_with(tmp_path)
    make_written(before.collected / "saved-models" / "written", {"page_lstm": ["keras2-h5"]}, writer=REPORT_SIDE)
    (after.collected / "saved-models").mkdir(parents=True)
    make_outcomes(after.collected / "saved-models" / "read.json", [
        observation("page_lstm", "keras2-h5", "matches", writer=REPORT_SIDE, diff=3e-8, shapes=[[2, 5]])])
    before.saved_models, after.saved_models = read_saved_models(before.collected), read_saved_models(after.collected)
    shutil.rmtree(tmp_path / "before"), shutil.rmtree(tmp_path / "after")  # as the report removes its scratch copy
    lines = saved_models.section(before, after)
    assert lines[2].startswith("Side A, 2.15.1 (tensorflow 2.15.1, keras 2.15.0) wrote 1 files of 1 models; "
                               "side B read them on locked")
    assert "- `keras2-h5` with `load_model`: loads and matches (largest difference 3e-08)" in lines


def test_side_b_that_left_no_outcomes_is_not_compared(tmp_path):
    """A's folder without B's outcomes says what is missing and how it is written."""
    before, after = results_with(tmp_path)
    make_written(before.collected / "saved-models" / "written", writer=REPORT_SIDE)
    before.saved_models = read_saved_models(before.collected)
    assert ["## Saved models", "", "Not compared: 2.21.0 left no saved-models/read.json.", ""] == saved_models.section(
        before, after)


def test_a_run_keeps_the_exchange_as_text_and_nothing_else(tmp_path):
    """read_saved_models keeps side A's manifest, side B's outcomes and a failed step's words, no model file."""
    folder = make_written(tmp_path / "saved-models" / "written", writer=REPORT_SIDE)
    (tmp_path / "saved-models" / "read-failed.txt").write_text("failed")
    kept = read_saved_models(tmp_path)
    assert ["read-failed.txt", "written/manifest.json"] == sorted(kept)
    assert (folder / "manifest.json").read_text() == kept["written/manifest.json"]
    assert {} == read_saved_models(tmp_path / "nothing-here")


@pytest.mark.parametrize("era, like", [(2, "keras2"), (3, "locked")])
def test_a_report_side_writes_its_eras_cases_and_formats_without_folders(era, like):
    """Side A writes what the keras2 or locked writer writes, less the SavedModel/export folders; no spec reads it."""
    writer = report_side_writer(era)
    assert (WRITERS[like].cases, WRITERS[like].formats, ()) == (writer.cases, writer.formats, writer.folder_formats)
    assert REPORT_SIDE not in WRITERS and "report" in writer.command


def test_the_reader_takes_a_report_sides_folder(tmp_path):
    """read_files accepts a folder whose manifest is a report side's, though its name is no writer's."""
    folder = make_written(tmp_path / "written", writer=REPORT_SIDE)
    [(writer, path)] = read_files.writer_folders(folder)
    assert (REPORT_SIDE, folder) == (writer.name, path)
    other = make_written(tmp_path / "elsewhere", writer="someone")
    with pytest.raises(ValueError, match="elsewhere is not a writer's folder"):
        read_files.writer_folders(other)


@pytest.mark.parametrize("argv, said", [(["--report-side"], "needs --into DIR"),
                                        (["locked", "--report-side", "--into", "x"], "takes no writer name"),
                                        ([], "name a writer")])
def test_the_writer_tool_refuses_a_half_told_report_side(argv, said, capsys):
    """--report-side needs --into and no writer name; no argument at all names what to give."""
    with pytest.raises(SystemExit) as stop:
        write_files.main(argv)
    assert 2 == stop.value.code and said in capsys.readouterr().err

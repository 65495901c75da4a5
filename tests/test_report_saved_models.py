"""The upgrade report's "Saved models" section: side A's written folder and side B's read outcomes, as Markdown."""

import json

import pytest

from lstm_spec.versions.report_saved_models import SavedModelsInputError, saved_models_section

ERROR = ("Unrecognized keyword arguments passed to LSTM: {'time_major': False}\n"
         "(a second line, kept whole)")


def make_written(folder, cases=None, writer="keras2"):
    """A writer folder as lstm_spec.saving.write_files makes it: the files and the manifest."""
    cases = cases or {"page_lstm": ["keras2-h5", "keras2-weights"], "page_time_major": ["keras2-h5"]}
    folder.mkdir(parents=True, exist_ok=True)
    records = {}
    for case, formats in cases.items():
        (folder / case).mkdir(exist_ok=True)
        paths = {}
        for saved in formats:
            name = {"keras2-h5": "model.h5", "keras2-weights": "model-weights.h5"}.get(saved, saved)
            (folder / case / name).write_bytes(b"fake")
            paths[saved] = f"{case}/{name}"
        records[case] = {"description": case, "formats": paths, "inputs": [], "outputs": []}
    manifest = {"writer": writer, "command": f"nox -s saved_files -- {writer}",
                "versions": {"tensorflow": "2.15.1", "keras": "2.15.0"}, "files": {}, "cases": records}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def observation(case, saved, status, loader="load_model", writer="keras2", diff=None, shapes=None, error=None):
    file = f"{writer}/{case}/" + {"keras2-h5": "model.h5", "keras2-weights": "model-weights.h5"}[saved]
    return {"writer": writer, "format": saved, "loader": loader, "case": case, "file": file, "status": status,
            "max_abs_diff": diff, "shapes": shapes, "error": error}


def make_outcomes(path, observations, reader="locked"):
    path.write_text(json.dumps({"reader": reader, "versions": {"tensorflow": "2.21.0", "keras": "3.15.1"},
                                "tolerance": 1e-5, "observations": observations}))
    return path


@pytest.fixture
def written(tmp_path):
    return make_written(tmp_path / "written" / "keras2")


def test_each_model_and_format_says_what_reading_gave(written, tmp_path):
    """Matches with its largest difference, moved values with theirs, a failure with its whole error, per model."""
    outcomes = make_outcomes(tmp_path / "outcomes.json", [
        observation("page_lstm", "keras2-h5", "fails", error={"type": "ValueError", "message": ERROR}),
        observation("page_lstm", "keras2-weights", "matches", "load_weights", diff=4.8e-08, shapes=[[2, 5]]),
        observation("page_time_major", "keras2-h5", "moved", diff=0.0343, shapes=[[9, 5]]),
    ])
    lines = saved_models_section(written, outcomes)
    text = "\n".join(lines)
    assert lines[0] == "## Saved models"
    assert "keras2 (tensorflow 2.15.1, keras 2.15.0) wrote 3 files of 2 models" in text
    assert "side B read them on locked (tensorflow 2.21.0, keras 3.15.1)" in text
    assert "- `keras2-weights` with `load_weights`: loads and matches (largest difference 4.8e-08)" in lines
    assert "- `keras2-h5` with `load_model`: values moved (largest difference 0.0343)" in lines
    failure = lines.index("- `keras2-h5` with `load_model`: fails")
    assert lines[failure + 1:failure + 6] == ["", "  ```text", "  ValueError: Unrecognized keyword arguments "
                                              "passed to LSTM: {'time_major': False}",
                                              "  (a second line, kept whole)", "  ```"]
    assert text.index("### page_lstm") < text.index("### page_time_major")


def test_other_shapes_and_files_not_read_are_said(written, tmp_path):
    """Outputs of other shapes name both shapes; a written file no observation read is 'not read'."""
    outcomes = make_outcomes(tmp_path / "outcomes.json", [
        observation("page_time_major", "keras2-h5", "other_shapes", shapes=[[2, 5]]),
        observation("page_lstm", "keras2-h5", "matches", writer="locked", diff=0.0),  # another writer's: left out
    ])
    lines = saved_models_section(written, outcomes)
    assert "- `keras2-h5` with `load_model`: loads, outputs of other shapes: [[2, 5]]" in lines
    assert "- `keras2-h5`: not read" in lines
    assert "- `keras2-weights`: not read" in lines
    assert not any("locked/" in line for line in lines)


def test_counts_sum_up_the_outcomes(written, tmp_path):
    """The section's first paragraph counts the reads by outcome."""
    outcomes = make_outcomes(tmp_path / "outcomes.json", [
        observation("page_lstm", "keras2-h5", "fails", error={"type": "ValueError", "message": "no"}),
        observation("page_lstm", "keras2-weights", "matches", "load_weights", diff=0.0, shapes=[[2, 5]]),
        observation("page_time_major", "keras2-h5", "fails", error={"type": "ValueError", "message": "no"}),
    ])
    assert "3 reads: 1 loads and matches, 2 fail." in saved_models_section(written, outcomes)


def test_the_outcomes_may_be_given_as_the_document(written, tmp_path):
    """The read_files document itself (a dict) is read like its JSON file."""
    document = {"reader": None, "versions": {"tensorflow": "2.21.0"}, "tolerance": 1e-5, "observations": []}
    text = "\n".join(saved_models_section(written, document))
    assert "read them on an environment outside the writers table (tensorflow 2.21.0)" in text


@pytest.mark.parametrize("breakage, message", [
    ("no manifest", "has no manifest.json: give the folder `python -m lstm_spec.saving.write_files WRITER"),
    ("manifest not JSON", "manifest.json is unreadable (not JSON: "),
    ("manifest without cases", "manifest.json has no cases"),
    ("outcomes missing", "outcomes.json is missing; write it with `python -m lstm_spec.saving.read_files"),
    ("outcomes without observations", "outcomes.json has no observations"),
])
def test_bad_inputs_say_what_is_wrong_and_how_to_fix_it(written, tmp_path, breakage, message):
    """A missing or malformed folder or outcomes file is one clear error naming the file and the command."""
    outcomes = make_outcomes(tmp_path / "outcomes.json", [])
    if breakage == "no manifest":
        (written / "manifest.json").unlink()
    elif breakage == "manifest not JSON":
        (written / "manifest.json").write_text("{")
    elif breakage == "manifest without cases":
        (written / "manifest.json").write_text(json.dumps({"writer": "keras2", "versions": {}}))
    elif breakage == "outcomes missing":
        outcomes.unlink()
    else:
        outcomes.write_text(json.dumps({"reader": "locked", "versions": {}}))
    with pytest.raises(SavedModelsInputError) as raised:
        saved_models_section(written, outcomes)
    assert message in str(raised.value)

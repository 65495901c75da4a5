"""One JSON reader for a writer's manifest and the upgrade report's exchange files: the same words for the same
fault, each ending with what to do."""

import json

import pytest

from lstm_spec.saving.json_file import parse_object, read_object
from lstm_spec.saving.manifest import SavedFilesError, read_manifest
from lstm_spec.saving.writers import MANIFEST, WRITERS
from lstm_spec.versions.history_saved_models import observations
from lstm_spec.versions.report_saved_models import SavedModelsInputError, read_written
from lstm_spec.versions.report_sections.saved_models import section
from lstm_spec.versions.side_results import READ_OUTCOMES, WRITTEN_MANIFEST, SideResult


class Refused(Exception):
    """The caller's own error type."""


@pytest.mark.parametrize("content, said", [
    (None, "is missing; fix it"), (b"{", "is unreadable (not JSON: Expecting property name"),
    (b"\xff", "is unreadable (not JSON: 'utf-8' codec can't decode"),
    (b"[1]", "is unreadable (not a manifest); fix it"),
], ids=["missing", "not-json", "not-utf8", "not-an-object"])
def test_each_fault_is_the_callers_error_naming_the_file_and_the_fix(tmp_path, content, said):
    """Missing, not JSON, not text, not an object: the caller's error, the file's path first, its fix last."""
    path = tmp_path / "manifest.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(Refused) as raised:
        read_object(path, Refused, "fix it", "a manifest")
    assert str(raised.value).startswith(f"{path} {said}") and str(raised.value).endswith("; fix it")


def test_an_object_is_given_back():
    """What the file holds, when it is a JSON object."""
    assert {"writer": "keras2"} == parse_object('{"writer": "keras2"}', "here", Refused, "fix it")


def test_a_manifest_and_the_reports_written_folder_say_the_same_of_the_same_broken_file(tmp_path):
    """read_manifest (the specs' reader) and the report's reader of side A's folder share the reader: same words."""
    (tmp_path / MANIFEST).write_text("{")
    with pytest.raises(SavedFilesError) as manifest:
        read_manifest(WRITERS["keras2"], tmp_path)
    with pytest.raises(SavedModelsInputError) as report:
        read_written(tmp_path)
    said = f"{tmp_path / MANIFEST} is unreadable (not JSON: Expecting property name enclosed in double quotes"
    assert str(manifest.value).startswith(said) and str(report.value).startswith(said)


def test_an_exchange_text_that_is_not_json_is_not_compared_and_says_why():
    """The report's section and the history's saved-model matrix read the exchange's texts with the same parser."""
    before = SideResult("a", "locked", saved_models={WRITTEN_MANIFEST: "{"})
    after = SideResult("b", "locked", saved_models={READ_OUTCOMES: json.dumps({"reader": None, "observations": []})})
    assert "Not compared: a's written/manifest.json is unreadable (not JSON: " in "\n".join(section(before, after))
    assert observations(after) == [] and observations(SideResult("c", "locked", saved_models={READ_OUTCOMES: "[]"})) \
        is None

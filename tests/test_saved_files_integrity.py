"""The committed saved files' manifest and its integrity check: a missing, changed or unreadable file gives one
message naming the file and the command that writes it again."""

import json

import numpy as np
import pytest

from lstm_spec.saving.manifest import (SavedFilesError, array_from, array_record, file_records, read_manifest,
                                       write_manifest)
from lstm_spec.saving.writers import MANIFEST, WRITERS

WRITER = WRITERS["keras2"]
AGAIN = "write the folder again with `nox -s saved_files -- keras2`"


@pytest.fixture
def folder(tmp_path):
    """A writer folder as write_files leaves it: one file format and one folder format of one case."""
    (tmp_path / "page_lstm" / "savedmodel" / "variables").mkdir(parents=True)
    (tmp_path / "page_lstm" / "model.h5").write_bytes(b"h5 bytes")
    (tmp_path / "page_lstm" / "savedmodel" / "saved_model.pb").write_bytes(b"graph")
    (tmp_path / "page_lstm" / "savedmodel" / "variables" / "variables.index").write_bytes(b"index")
    cases = {"page_lstm": {"description": "LSTM(5)",
                           "formats": {"keras2-h5": "page_lstm/model.h5", "keras2-savedmodel": "page_lstm/savedmodel"},
                           "inputs": [np.arange(6, dtype=np.float32).reshape(1, 2, 3) / 7],
                           "outputs": [np.array([[0.25, -1e-8]], dtype=np.float32)]}}
    write_manifest(tmp_path, WRITER, {"tensorflow": "2.15.1"}, cases)
    return tmp_path


def _message(call) -> str:
    with pytest.raises(SavedFilesError) as raised:
        call()
    return str(raised.value)


def test_an_intact_folder_reads_back(folder):
    """The manifest names every file with its sha256 and gives each case's arrays back."""
    manifest = read_manifest(WRITER, folder)
    manifest.check_all()
    assert sorted(manifest.files) == ["page_lstm/model.h5", "page_lstm/savedmodel/saved_model.pb",
                                      "page_lstm/savedmodel/variables/variables.index"]
    assert manifest.path("page_lstm", "keras2-savedmodel") == folder / "page_lstm" / "savedmodel"
    record = manifest.case("page_lstm")
    np.testing.assert_array_equal(record.data, np.arange(6, dtype=np.float32).reshape(1, 2, 3) / 7)
    assert record.outputs[0].tolist() == [[0.25, np.float32(-1e-8)]]


@pytest.mark.parametrize("content", ["{not json", '{"writer": "keras2"}', "[1, 2]", "\udcff"], ids=[
    "not-json", "keys-missing", "not-an-object", "not-utf8"])
def test_an_unreadable_manifest_names_itself_and_the_command(folder, content):
    """A manifest that is not the writer's JSON fails with its path and the command that writes it again."""
    (folder / MANIFEST).write_bytes(content.encode("utf-8", "surrogateescape"))
    message = _message(lambda: read_manifest(WRITER, folder))
    assert message.startswith(f"{folder / MANIFEST} is unreadable") and message.endswith(AGAIN)


def test_a_missing_manifest_names_itself_and_the_command(folder):
    """No manifest: its path and the command."""
    (folder / MANIFEST).unlink()
    assert _message(lambda: read_manifest(WRITER, folder)) == f"{folder / MANIFEST} is missing; {AGAIN}"


def test_another_writers_manifest_is_refused(folder):
    """A manifest copied from another writer's folder is not this writer's."""
    message = _message(lambda: read_manifest(WRITERS["locked"], folder))
    assert "is writer 'keras2''s manifest, not 'locked''s" in message
    assert message.endswith("write the folder again with `nox -s saved_files -- locked`")


def test_a_missing_file_names_it_and_the_command(folder):
    """A recorded file that is gone: the file and the command, when a spec asks for it."""
    (folder / "page_lstm" / "model.h5").unlink()
    manifest = read_manifest(WRITER, folder)
    message = _message(lambda: manifest.path("page_lstm", "keras2-h5"))
    assert message == f"{folder / 'page_lstm' / 'model.h5'} is missing (the manifest records it); {AGAIN}"


def test_a_changed_file_in_a_folder_format_names_that_file(folder):
    """One changed file inside a SavedModel folder: that file, both sha256 and the way back."""
    changed = folder / "page_lstm" / "savedmodel" / "variables" / "variables.index"
    changed.write_bytes(b"other bytes")
    manifest = read_manifest(WRITER, folder)
    message = _message(lambda: manifest.path("page_lstm", "keras2-savedmodel"))
    recorded = manifest.files["page_lstm/savedmodel/variables/variables.index"]["sha256"]
    assert message.startswith(f"{changed} has changed: its sha256 is ")
    assert f"the manifest records {recorded}; restore the committed file (git checkout) or {AGAIN}" in message
    manifest.path("page_lstm", "keras2-h5")  # the other format's file is intact


def test_a_case_or_format_the_manifest_lacks_names_the_manifest(folder):
    """A spec asking for a case or a format the folder was not written with: the manifest and the command."""
    manifest = read_manifest(WRITER, folder)
    assert _message(lambda: manifest.case("stacked")).endswith(f"has no case 'stacked' (it has page_lstm); {AGAIN}")
    lacking = _message(lambda: manifest.path("page_lstm", "keras2-keras"))
    assert "has no keras2-keras file of case 'page_lstm'" in lacking


def test_file_records_leave_the_manifest_out(folder):
    """Every file but the manifest, sorted, with its size."""
    records = file_records(folder)
    assert MANIFEST not in records and list(records) == sorted(records)
    assert records["page_lstm/model.h5"]["bytes"] == len(b"h5 bytes")


@pytest.mark.parametrize("array", [
    np.random.default_rng(0).normal(size=(2, 3, 4)).astype(np.float32),
    np.array([[1, 7, 0]], dtype=np.int32),
    np.float32([np.finfo(np.float32).tiny, np.finfo(np.float32).max, -0.0]),
], ids=["normal-float32", "int32-tokens", "float32-extremes"])
def test_arrays_read_back_bit_for_bit(array):
    """A manifest array, through JSON, is the same dtype, shape and bits."""
    back = array_from(json.loads(json.dumps(array_record(array))))
    assert back.dtype == array.dtype and back.shape == array.shape
    assert back.tobytes() == array.tobytes()


def test_a_read_touches_no_file_beside_the_one_it_reads(folder, monkeypatch):
    """read() loads a copy in a folder of its own: a loader that deletes what lies beside its file (Keras 3.4's
    .keras load) leaves the committed folder whole, and its error names the committed file, not the copy."""
    from lstm_spec.saving import formats, read_files

    def deleting_loader(saved, path, case, loader=None):
        for neighbour in path.parent.iterdir():
            if neighbour != path and neighbour.is_file():
                neighbour.unlink()
        raise ValueError(f"cannot read {path}")

    (folder / "page_lstm" / "model.weights.h5").write_bytes(b"the user's")
    monkeypatch.setattr(formats, "load", deleting_loader)
    observation = read_files.read(read_manifest(WRITER, folder), "page_lstm", "keras2-h5", "load_model")
    assert (folder / "page_lstm" / "model.weights.h5").read_bytes() == b"the user's"
    assert ("fails", f"cannot read {folder / 'page_lstm' / 'model.h5'}") == (observation.status,
                                                                             observation.error["message"])


def test_a_file_is_read_once_and_checked_at_every_read(folder, monkeypatch):
    """read_once loads a file with a loader once per process (every spec shares it), yet checks the file each
    time: changed after its first read, it fails the next with the integrity message."""
    from lstm_spec.saving import formats, read_files

    loads = []

    def counting_loader(saved, path, case, loader=None):
        loads.append(loader)
        raise ValueError("a loader that gives nothing")

    monkeypatch.setattr(formats, "load", counting_loader)
    manifest = read_manifest(WRITER, folder)
    first = read_files.read_once(manifest, "page_lstm", "keras2-h5", "load_model")
    assert read_files.read_once(manifest, "page_lstm", "keras2-h5", "load_model") is first
    assert (loads, first.step, first.message) == (["load_model"], "load", "a loader that gives nothing")
    (folder / "page_lstm" / "model.h5").write_bytes(b"other bytes")
    assert "page_lstm/model.h5 has changed" in _message(
        lambda: read_files.read_once(manifest, "page_lstm", "keras2-h5", "load_model"))

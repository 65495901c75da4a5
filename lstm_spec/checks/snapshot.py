"""The suite's syrupy extension: arrays stored as readable text, compared with a tolerance.

``pytest.ini`` makes ``ArraySnapshotExtension`` syrupy's default extension, so a
spec writes ``assert snapshot == {"output": out, "h": h, "c": c}``.  Strings (``model.summary()``)
are stored as they are and compared exactly.

Files live in ``specs/__snapshots__/<kind>/<spec module>.ambr`` (syrupy's amber layout, one
named entry per spec and configuration).  Seeded-weight values follow Keras' random stream and so
belong to a Keras era and backend: their kind is ``seeded-keras3`` (or ``seeded-keras2``) on
TensorFlow, ``seeded-jax`` or ``seeded-torch`` on the other Keras 3 backends
(``lstm_spec.models.backend.SEEDED_FOLDER``).
Values from pinned weights depend on the math alone and are of kind ``pinned``, the same on every
version (``PinnedArraySnapshotExtension``, the ``pinned_snapshot`` fixture).

A tighter or looser tolerance for one assertion::

    assert snapshot(extension_class=ArraySnapshotExtension.with_tolerance(rtol=1e-4)) == out
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from syrupy.data import SnapshotCollection
from syrupy.extensions.amber import AmberSnapshotExtension
from syrupy.extensions.amber.serializer import MalformedAmberFile

from lstm_spec.checks import arrays_text


class StoredSnapshot(str):
    """Snapshot text as read from disk, remembering where it came from for error messages."""

    location: str = "?"
    name: str = "?"
    unreadable: str | None = None  # why the text cannot be used, when it cannot

    @classmethod
    def of(cls, text: str, *, location: str, name: str, unreadable: str | None = None):
        stored = cls(text)
        stored.location, stored.name, stored.unreadable = location, name, unreadable
        return stored


class SeededFolder:
    """The seeded ``kind``: the running Keras era's and backend's folder, looked up when first read
    (it imports Keras, which a run whose snapshots are all pinned never needs)."""

    def __get__(self, instance, owner) -> str:
        from lstm_spec.models.backend import SEEDED_FOLDER, for_this_backend

        return for_this_backend(SEEDED_FOLDER)


class ArraySnapshotExtension(AmberSnapshotExtension):
    """Amber files whose entries are ``arrays_text`` blocks (or plain text), tolerance-matched."""

    rtol = arrays_text.DEFAULT_RTOL
    atol = arrays_text.DEFAULT_ATOL
    kind = SeededFolder()

    @classmethod
    def with_tolerance(cls, *, rtol: float | None = None, atol: float | None = None):
        """This extension with another tolerance, for ``snapshot(extension_class=...)``."""
        rtol = cls.rtol if rtol is None else rtol
        atol = cls.atol if atol is None else atol
        return type(f"{cls.__name__}(rtol={rtol:g},atol={atol:g})", (cls,), {"rtol": rtol, "atol": atol})

    @classmethod
    def dirname(cls, *, test_location) -> str:
        return str(Path(test_location.filepath).parent / "__snapshots__" / cls.kind)

    def serialize(self, data, **kwargs) -> str:
        if isinstance(data, str):
            return data
        return arrays_text.format_arrays(data)

    def read_snapshot_collection(self, *, snapshot_location):
        # A hand-broken file must not crash syrupy's end-of-session report: the failing spec
        # has already said what is wrong with it.
        return _read_file(self.serializer_class, snapshot_location)

    def read_snapshot_data_from_location(self, *, snapshot_location, snapshot_name, session_id):
        collection = _read_collection(self.serializer_class, snapshot_location, session_id)
        snapshot = collection.get(snapshot_name)
        if snapshot is None:
            if collection.tainted and Path(snapshot_location).exists():
                return StoredSnapshot.of(
                    "", location=snapshot_location, name=snapshot_name,
                    unreadable="the file is not a syrupy amber file (its first line must be "
                    "'# serializer version: 1' and each entry '# name: ...' ... '# ---')",
                )
            return None
        return StoredSnapshot.of(
            snapshot.data, location=snapshot_location, name=snapshot_name,
            unreadable=_why_unreadable(snapshot.data),
        )

    def matches(self, *, serialized_data, snapshot_data) -> bool:
        if getattr(snapshot_data, "unreadable", None):
            return False
        if not (arrays_text.looks_like_arrays(serialized_data)
                and arrays_text.looks_like_arrays(snapshot_data)):
            return serialized_data == snapshot_data
        return not self._differences(serialized_data, snapshot_data)

    def _differences(self, serialized_data, snapshot_data):
        return arrays_text.compare_arrays(
            arrays_text.parse_arrays(snapshot_data),
            arrays_text.parse_arrays(serialized_data),
            rtol=self.rtol,
            atol=self.atol,
        )

    def diff_lines(self, serialized_data, snapshot_data):
        where = f"snapshot {getattr(snapshot_data, 'name', '?')!r} in {getattr(snapshot_data, 'location', '?')}"
        unreadable = getattr(snapshot_data, "unreadable", None)
        if unreadable:
            yield f"Cannot read {where}: {unreadable}."
            yield ("Fix: restore the file from git (git checkout -- FILE), or review the values and "
                   "rewrite it with --snapshot-update.")
            return
        if not snapshot_data:
            return  # syrupy has already said the snapshot does not exist
        if arrays_text.looks_like_arrays(serialized_data) and arrays_text.looks_like_arrays(snapshot_data):
            yield f"Values differ from {where} (rtol={self.rtol:g}, atol={self.atol:g}):"
            for difference in self._differences(serialized_data, snapshot_data):
                yield from difference.lines()
            return
        yield f"Text differs from {where}:"
        yield from super().diff_lines(serialized_data, snapshot_data)


def _why_unreadable(text: str) -> str | None:
    if not arrays_text.looks_like_arrays(text):
        return None
    try:
        arrays_text.parse_arrays(text)
    except arrays_text.SnapshotTextError as error:
        return str(error)
    return None


@lru_cache
def _read_collection(serializer_class, location: str, session_id: str):
    # Read once per file and test session (session_id is the cache key), as
    # AmberSnapshotExtension does.
    return _read_file(serializer_class, location)


def _read_file(serializer_class, location: str):
    """The amber file at ``location``; a malformed one reads as an empty, tainted collection."""
    try:
        return serializer_class.read_file(location)
    except MalformedAmberFile:
        collection = SnapshotCollection(location=location)
        collection.tainted = True
        return collection


class PinnedArraySnapshotExtension(ArraySnapshotExtension):
    """Values computed from pinned weights (``lstm_spec.models.pinned``): they depend on the math alone, so
    one file, ``specs/__snapshots__/pinned/<spec module>.ambr``, holds for every Keras version.
    A diff here means the computation changed: a regression until explained."""

    kind = "pinned"

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

from dataclasses import dataclass
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
        # Discovery at the end of the session: a garbled file must not crash it (the specs that
        # read the file have said what is wrong with it).
        return read_snapshot_file(self.serializer_class, snapshot_location)

    def read_snapshot_data_from_location(self, *, snapshot_location, snapshot_name, session_id):
        collection = _read_collection(self.serializer_class, snapshot_location, session_id)
        if collection.garbled:
            # Every entry of a garbled file is refused: a truncated or foreign file may hold
            # values that only look right.
            return StoredSnapshot.of("", location=snapshot_location, name=snapshot_name,
                                     unreadable=collection.garbled)
        snapshot = collection.get(snapshot_name)
        if snapshot is None:
            return None
        return StoredSnapshot.of(
            snapshot.data, location=snapshot_location, name=snapshot_name,
            unreadable=_why_unreadable(snapshot.data),
        )

    @classmethod
    def write_snapshot_collection(cls, *, snapshot_collection, name_order=None):
        # --snapshot-update into a garbled file: keep the entries that can be read, write the rest anew
        # (syrupy's own merge would fail on it, or keep its broken header).
        stored = read_snapshot_file(cls.serializer_class, snapshot_collection.location)
        if not stored.garbled:
            return super().write_snapshot_collection(snapshot_collection=snapshot_collection, name_order=name_order)
        stored.merge(snapshot_collection)
        cls.serializer_class.write_file(stored, merge=False, name_order=name_order)

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
            location = _shown_path(getattr(snapshot_data, "location", "?"))
            yield (f"Cannot read {where}: {unreadable}. Fix: restore the file from git "
                   f"(git checkout -- {location}), or review the values and rewrite it with "
                   "--snapshot-update (python3 suite.py test --snapshot-update), then read its git diff.")
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
    return read_snapshot_file(serializer_class, location)


@dataclass
class SnapshotFile(SnapshotCollection):
    """A snapshot file as read: its entries, and why it cannot be trusted when it cannot."""

    garbled: str | None = None


def read_snapshot_file(serializer_class, location: str) -> SnapshotFile:
    """The amber file at ``location``: every entry that can be read, and ``garbled`` set to what
    is wrong with the file when it is not whole (an empty collection when nothing can be read)."""
    stored = SnapshotFile(location=location)
    try:
        data = Path(location).read_bytes()
    except FileNotFoundError:
        return stored
    stored.garbled = garbled_reason(data, serializer_class)
    try:
        data.decode("utf-8")
        entries = serializer_class.read_file(location)
    except (UnicodeDecodeError, MalformedAmberFile) as error:
        stored.garbled = stored.garbled or str(error)
        return stored
    for entry in entries:
        stored.add(entry)
    return stored


def garbled_reason(data: bytes, serializer_class) -> str | None:
    """What is wrong with a snapshot file's bytes, None when they are a whole amber file of the
    serializer version this suite writes (header first, every entry closed by its '# ---' line)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"it is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
    marker = serializer_class._marker_prefix
    header = f"{marker}{serializer_class.Marker.Version}: {serializer_class.VERSION}"
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return "it is empty"
    if lines[0] != header:
        if lines[0].startswith(f"{marker}{serializer_class.Marker.Version}:"):
            return f"its header is {lines[0]!r}, but this suite reads and writes {header!r}"
        return f"its first line must be the header {header!r}, not {lines[0][:60]!r}"
    closing = f"{marker}{serializer_class.Marker.Divider}"
    if len(lines) > 1 and lines[-1] != closing:
        names = [line for line in lines if line.startswith(f"{marker}{serializer_class.Marker.Name}:")]
        last = names[-1].split(":", 1)[1].strip() if names else "?"
        return f"it is truncated: its last entry ({last}) has no closing {closing!r} line"
    return None


def _shown_path(location: str) -> str:
    """``location`` relative to the working directory when it is inside it (as git takes it)."""
    try:
        return str(Path(location).resolve().relative_to(Path.cwd()))
    except ValueError:
        return location


class PinnedArraySnapshotExtension(ArraySnapshotExtension):
    """Values computed from pinned weights (``lstm_spec.models.pinned``): they depend on the math alone, so
    one file, ``specs/__snapshots__/pinned/<spec module>.ambr``, holds for every Keras version.
    A diff here means the computation changed: a regression until explained."""

    kind = "pinned"

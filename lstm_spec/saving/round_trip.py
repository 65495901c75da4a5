"""A case saved in a format and read back by each of the format's readers, once per process.

``round_trips(case, saved, folder)`` writes the case's model (built once: ``catalog.built``) into a new
folder under ``folder``, reads it back with every reader of the format, calls each on the case's input and
deletes the folder: what was read lives in memory, so nothing is left behind and a second spec asking for
the same case and format reuses the result.  A step that raises is recorded with the step's name
(``save``, ``load``, ``call``), so a spec pins where a format cannot hold a model.

A stateful case is saved holding its first call's final state, so one save shows both what a reader gives
and where its state starts: from zeros, a read back gives ``expected_outputs`` (the first call's); carrying
the saved state, ``carried_outputs`` (the second call's of the model saved).
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lstm_spec.saving import catalog
from lstm_spec.saving.formats import Loaded, SavedFormat, flat_outputs, load


@dataclass(frozen=True)
class RoundTrip:
    """One case, saved in one format, read by one reader: what came back, or the error and its step."""

    case: catalog.SavedCase
    saved: SavedFormat
    reader: str
    loaded: Loaded | None = None
    outputs: tuple | None = None
    error: BaseException | None = None
    step: str | None = None  # where the error was raised

    def __str__(self) -> str:
        return f"{self.case} saved as {self.saved.id}, read by {self.reader}"

    def repro(self) -> str:
        return self.saved.repro(self.case, self.reader)


_TRIPS: dict = {}


def round_trips(case: catalog.SavedCase, saved: SavedFormat, folder: Path) -> dict[str, RoundTrip]:
    """``{reader: RoundTrip}`` for every reader of ``saved``, computed once per process."""
    key = (case.name, saved.id)
    if key not in _TRIPS:
        _TRIPS[key] = _round_trips(case, saved, Path(folder))
    return _TRIPS[key]


def _round_trips(case, saved, folder: Path) -> dict[str, RoundTrip]:
    built = catalog.built(case)
    written = Path(tempfile.mkdtemp(prefix=f"{case.name}-{saved.id}-", dir=folder))
    try:
        try:
            path = _write(saved, built, written)
        except Exception as error:  # noqa: BLE001 (any error is the observation)
            return {reader: RoundTrip(case, saved, reader, error=error, step="save") for reader in saved.readers}
        return {reader: read_back(case, saved, reader, path, built.data) for reader in saved.readers}
    finally:
        shutil.rmtree(written)


def _write(saved: SavedFormat, built: catalog.BuiltCase, folder: Path) -> Path:
    """The built model saved in ``folder``; a stateful one holding its first call's final state, reset after."""
    if not built.case.stateful:
        return saved.write(built.model, folder)
    catalog.call(built.model, built.data)
    try:
        return saved.write(built.model, folder)
    finally:
        catalog.reset_states(built.model)


def read_back(case, saved: SavedFormat, reader: str, path: Path, data) -> RoundTrip:
    """``path`` read by ``reader`` and called on ``data``, or the error and the step that raised it."""
    try:
        loaded = load(saved, path, case, reader)
    except Exception as error:  # noqa: BLE001
        return RoundTrip(case, saved, reader, error=error, step="load")
    try:
        outputs = loaded.outputs(data)
    except Exception as error:  # noqa: BLE001
        return RoundTrip(case, saved, reader, loaded, error=error, step="call")
    return RoundTrip(case, saved, reader, loaded, outputs)


def expected_outputs(case: catalog.SavedCase) -> tuple:
    """The outputs of the case's model as built, flattened like a reader's."""
    return flat_outputs(catalog.built(case).outputs)


def carried_outputs(case: catalog.SavedCase) -> tuple:
    """A stateful case's second call, from the state its first call left (what a round trip saves), flattened."""
    return _second_call(case.name)


@functools.lru_cache(maxsize=None)
def _second_call(name: str) -> tuple:
    built = catalog.built(catalog.CASES[name])
    catalog.call(built.model, built.data)
    try:
        return flat_outputs(catalog.call(built.model, built.data))
    finally:
        catalog.reset_states(built.model)

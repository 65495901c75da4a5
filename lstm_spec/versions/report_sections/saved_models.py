"""The report's "Saved models" section: side A writes the saved-model files, side B reads them.

The exchange runs inside the two sides' nox sessions (``noxfile.py``): with ``LSTM_SPEC_WRITE_SAVED`` set,
side A writes its era's cases and formats (``python -m lstm_spec.saving.write_files --report-side``) into
``saved-models/written`` of its collected folder; with ``LSTM_SPEC_READ_SAVED`` naming that folder, side B
reads them (``python -m lstm_spec.saving.read_files``) into ``saved-models/read.json`` of its own.  A step
that failed leaves ``saved-models/<step>-failed.txt`` instead, said here.  The lines per model and format
are ``lstm_spec.versions.report_saved_models``'s.
"""

from __future__ import annotations

from pathlib import Path

from lstm_spec.saving.json_file import parse_object
from lstm_spec.versions.report_saved_models import SavedModelsInputError, saved_models_section
from lstm_spec.versions.side_results import (FAILED_STEPS, READ_OUTCOMES, SAVED_MODELS, WRITTEN_FOLDER,
                                             WRITTEN_MANIFEST, SideResult)

# The environment variables the sides' sessions act on (noxfile.py).
WRITE_VARIABLE = "LSTM_SPEC_WRITE_SAVED"
READ_VARIABLE = "LSTM_SPEC_READ_SAVED"


def written_folder(collected: Path) -> Path:
    return Path(collected) / SAVED_MODELS / WRITTEN_FOLDER


def side_environments(before_collected: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The variables side A's run and side B's run are given: A writes, B reads what A wrote."""
    return {WRITE_VARIABLE: "1"}, {READ_VARIABLE: str(written_folder(before_collected))}


def section(before: SideResult, after: SideResult) -> list[str]:
    """Per model and format that side A wrote: what reading it on side B gave."""
    if not (before.saved_models or after.saved_models):
        return []  # no exchange was made (results read from elsewhere, or runs before this section existed)
    heading = ["## Saved models", ""]
    failed = [f"On {side.name}: {side.saved_models[name].strip()}" for side in (before, after)
              for name in FAILED_STEPS if name in side.saved_models]
    if failed:
        return heading + [line for said in failed for line in (said, "")]
    if WRITTEN_MANIFEST not in before.saved_models:
        return heading + [f"Not compared: {before.name} left no {SAVED_MODELS}/{WRITTEN_MANIFEST}.", ""]
    if READ_OUTCOMES not in after.saved_models:
        return heading + [f"Not compared: {after.name} left no {SAVED_MODELS}/{READ_OUTCOMES}.", ""]
    try:
        written = parse_object(before.saved_models[WRITTEN_MANIFEST], f"{before.name}'s {WRITTEN_MANIFEST}",
                               SavedModelsInputError, "run the report again", "a writer's manifest")
        outcomes = parse_object(after.saved_models[READ_OUTCOMES], f"{after.name}'s {READ_OUTCOMES}",
                                SavedModelsInputError, "run the report again", "read_files outcomes")
        return saved_models_section(written, outcomes, side_a=before.name)
    except SavedModelsInputError as error:
        return heading + [f"Not compared: {error}", ""]

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

from lstm_spec.versions.report_saved_models import SavedModelsInputError, saved_models_section
from lstm_spec.versions.side_results import SideResult

FOLDER = "saved-models"  # under a side's collected folder
WRITTEN = "written"  # side A's files and manifest, in FOLDER
READ = "read.json"  # side B's outcomes, in FOLDER
# The environment variables the sides' sessions act on (noxfile.py).
WRITE_VARIABLE = "LSTM_SPEC_WRITE_SAVED"
READ_VARIABLE = "LSTM_SPEC_READ_SAVED"


def written_folder(collected: Path) -> Path:
    return Path(collected) / FOLDER / WRITTEN


def side_environments(before_collected: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The variables side A's run and side B's run are given: A writes, B reads what A wrote."""
    return {WRITE_VARIABLE: "1"}, {READ_VARIABLE: str(written_folder(before_collected))}


def section(before: SideResult, after: SideResult) -> list[str]:
    """Per model and format that side A wrote: what reading it on side B gave."""
    folders = [Path(side.collected) / FOLDER for side in (before, after) if side.collected]
    if not any(folder.is_dir() for folder in folders):
        return []  # no exchange was made (results read from elsewhere, or runs before this section existed)
    failed = [(side, path) for side in (before, after) if side.collected
              for path in sorted((Path(side.collected) / FOLDER).glob("*-failed.txt"))]
    if failed:
        out = ["## Saved models", ""]
        for side, path in failed:
            out += [f"On {side.name}: {path.read_text().strip()}", ""]
        return out
    if before.collected is None or after.collected is None:
        return ["## Saved models", "", "Not compared: one side left no collected folder.", ""]
    try:
        return saved_models_section(written_folder(before.collected), Path(after.collected) / FOLDER / READ,
                                    side_a=before.name)
    except SavedModelsInputError as error:
        return ["## Saved models", "", f"Not compared: {error}", ""]

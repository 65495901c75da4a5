"""The upgrade report's "Saved models" section: side A writes the files, side B reads them.

``saved_models_section(written, outcomes)`` takes side A's written folder (the files and ``manifest.json``
that ``python -m lstm_spec.saving.write_files WRITER --into DIR`` writes) and side B's outcomes (the JSON
that ``python -m lstm_spec.saving.read_files DIR --out outcomes.json`` writes in side B's environment, or
that document as a dict), and returns Markdown lines: per model and format (and the loader that read it),
loads and matches (the largest difference), values moved (the largest difference), outputs of other
shapes, or fails (the error; a model config Keras prints in it said by its size, ``error_text``, the whole
text staying in side B's outcomes); a written file no read reached is "not read".  Only the reads of side A's
files count (the outcomes may hold other writers' too).
"""

from __future__ import annotations

from pathlib import Path

from lstm_spec.saving.json_file import read_object
from lstm_spec.versions.error_text import without_config

MANIFEST = "manifest.json"
WRITE = "python -m lstm_spec.saving.write_files WRITER --into DIR"
READ = "python -m lstm_spec.saving.read_files DIR --out outcomes.json"
# What each read_files status reads as in the report, and how its count is said.
SAID = {"matches": "loads and matches", "moved": "values moved", "other_shapes": "loads, outputs of other shapes",
        "fails": "fails", "unreadable_file": "unreadable file"}
COUNTED = {"matches": "loads and matches", "moved": "values moved", "other_shapes": "other shapes",
           "fails": ("fails", "fail"), "unreadable_file": ("unreadable file", "unreadable files")}


class SavedModelsInputError(ValueError):
    """Side A's folder or side B's outcomes are missing or not what the tools write."""


def read_written(written) -> dict:
    """Side A's manifest (from its folder, or as given), checked for what the section needs."""
    fix = f"give the folder `{WRITE}` wrote"
    if isinstance(written, dict):
        manifest, where = written, "side A's manifest"
    else:
        folder = Path(written)
        if not (folder / MANIFEST).is_file():
            raise SavedModelsInputError(f"{folder} has no {MANIFEST}: {fix}")
        where = str(folder / MANIFEST)
        manifest = read_object(folder / MANIFEST, SavedModelsInputError, fix, "a writer's manifest")
    for key in ("writer", "versions", "cases"):
        if key not in manifest:
            raise SavedModelsInputError(f"{where} has no {key}: {fix}")
    return manifest


def read_outcomes(outcomes) -> dict:
    """Side B's outcomes document (from its file, or as given)."""
    fix = f"write it with `{READ}` in side B's environment"
    document = outcomes if isinstance(outcomes, dict) else read_object(
        Path(outcomes), SavedModelsInputError, fix, "read_files outcomes")
    where = "the outcomes" if isinstance(outcomes, dict) else str(outcomes)
    for key in ("reader", "versions", "observations"):
        if key not in document:
            raise SavedModelsInputError(f"{where} has no {key}: {fix}")
    return document


def versions_text(versions: dict) -> str:
    return ", ".join(f"{name} {version}" for name, version in versions.items()
                     if version is not None and name in ("tensorflow", "keras", "tf-keras", "backend"))


def number(value) -> str:
    return f"{value:.3g}"


def read_line(observation: dict) -> list[str]:
    """One list item for one read; a failure's error whole in a text block beneath."""
    head = f"- `{observation['format']}` with `{observation['loader']}`: {SAID[observation['status']]}"
    status, difference = observation["status"], observation.get("max_abs_diff")
    if status in ("matches", "moved") and difference is not None:
        return [f"{head} (largest difference {number(difference)})"]
    if status == "other_shapes":
        return [f"{head}: {observation.get('shapes')}"]
    if status in ("fails", "unreadable_file"):
        error = observation.get("error") or {}
        message = without_config(error.get("message", ""))
        text = f"{error.get('type', 'error')}: {message}".replace("```", "` ` `")
        return [head, "", "  ```text", *(f"  {line}" for line in text.splitlines()), "  ```", ""]
    return [head]


def count_text(observations: list[dict]) -> str:
    counts = {status: sum(o["status"] == status for o in observations) for status in SAID}
    parts = []
    for status, count in counts.items():
        if count:
            said = COUNTED[status]
            said = said if isinstance(said, str) else said[count != 1]
            parts.append(f"{count} {said}")
    return f"{len(observations)} read{'s' if len(observations) != 1 else ''}: " + (", ".join(parts) or "none") + "."


def saved_models_section(written, outcomes, side_a: str | None = None) -> list[str]:
    """The section's Markdown lines (module docstring); ``side_a`` names the writer in the text (else its
    manifest's writer name)."""
    manifest = read_written(written)
    document = read_outcomes(outcomes)
    writer = manifest["writer"]
    ours = [o for o in document["observations"] if o.get("writer") == writer]
    reader = document["reader"] or "an environment outside the writers table"
    files = sum(len(case["formats"]) for case in manifest["cases"].values())
    out = ["## Saved models", "",
           f"Side A, {side_a or writer} ({versions_text(manifest['versions'])}) wrote {files} files of "
           f"{len(manifest['cases'])} models{'' if isinstance(written, dict) else f' (`{Path(written).as_posix()}`)'}; "
           f"side B read them on {reader} "
           f"({versions_text(document['versions'])}), each called on the writer's input and compared with the "
           f"writer's outputs (matching within {document.get('tolerance', 'the reader tolerance')}).",
           "", count_text(ours), ""]
    for case, record in manifest["cases"].items():
        out += [f"### {case}", ""]
        for saved in record["formats"]:
            reads = [o for o in ours if o.get("case") == case and o.get("format") == saved]
            if not reads:
                out.append(f"- `{saved}`: not read")
            for observation in reads:
                out += read_line(observation)
        out.append("")
    return out

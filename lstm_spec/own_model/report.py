"""What ``check`` found, as data (``CheckResult``) and as the terminal table, Markdown report and JSON document."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

PLAIN, CODE = "load_model", "load_weights"
VERDICTS = {
    "matches": "loads, gives the writer's outputs",
    "moved": "LOADS BUT GIVES OTHER VALUES (silently wrong)",
    "other_shapes": "LOADS BUT GIVES OTHER SHAPES (silently wrong)",
    "fails": "fails",
}
# The recipes of lstm_spec/saving/migrations.py as check's ways in (docs/saved-models.md names them beside each).
WAY_OF_RECIPE = {
    "plain_load_model": "`load_model`", "rebuild_and_load_weights": "`module:function --weights FILE` (your code)",
    "serving_layer": "`TFSMLayer` (a SavedModel folder)", "tf_keras_load_model": "`load_model` on `--to tf-keras`",
    "popular_shim_load_model": "`popular shim`", "time_major_load_model": "`time-major migration`",
}
MESSAGE_LENGTH = 240  # of an error message in the table; the JSON keeps it whole


@dataclass(frozen=True)
class SideReading:
    """One reading side: its versions and the outcome of every way in, or why it could not run."""

    side: str
    versions: dict = field(default_factory=dict)
    outcomes: list = field(default_factory=list)
    error: str | None = None

    def outcome(self, way: str) -> dict | None:
        return next((outcome for outcome in self.outcomes if outcome["way"] == way), None)


@dataclass(frozen=True)
class CheckResult:
    model: str
    writer: str
    writer_note: str
    written: dict
    migration: dict
    readings: list[SideReading]
    tolerance: float

    @property
    def plain_load_matches_everywhere(self) -> bool:
        """Whether the plain way in (``load_model``; for code, its ``load_weights``) gives the writer's outputs on
        every reading side."""
        return all((reading.outcome(PLAIN) or reading.outcome(CODE) or {}).get("status") == "matches"
                   for reading in self.readings)

    def document(self) -> dict:
        return {**asdict(self), "plain_load_matches_everywhere": self.plain_load_matches_everywhere}


def verdict(outcome: dict) -> str:
    if outcome["status"] in ("matches", "moved"):
        return f"{VERDICTS[outcome['status']]}: largest difference {outcome['max_abs_diff']:.3g}"
    if outcome["status"] == "other_shapes":
        return f"{VERDICTS['other_shapes']}: {outcome['shapes']}"
    message = " ".join(outcome["error"]["message"].split())
    cut = message if len(message) <= MESSAGE_LENGTH else message[:MESSAGE_LENGTH - 3] + "..."
    return f"fails: {outcome['error']['type']}: {cut}"


def _keras(versions: dict) -> str:
    return f"TensorFlow {versions.get('tensorflow')}, {versions.get('keras_under_test')} on {versions.get('backend')}"


def migration_lines(migration: dict) -> list[str]:
    if "not_needed" in migration:
        return [f"migrate: {migration['not_needed']}"]
    if "refused" in migration:
        return [f"migrate: refused: {migration['refused']}"]
    if "failed" in migration:
        return [f"migrate: failed: {migration['failed']}"]
    return ["migrate: a Keras 3 .keras file made with these changes:",
            *(f"  - {change}" for change in migration["changes"]),
            *([f"  needs the registered function {', '.join(migration['registered'])} to load"]
              if migration.get("registered") else [])]


def _writer_lines(result: CheckResult) -> list[str]:
    written = result.written
    return [f"model: {result.model}",
            f"writer: {result.writer} ({_keras(written['versions'])}): {result.writer_note}",
            f"input: {written['input_shapes']} ({written['input']})",
            f"outputs: {written['output_shapes']}; {written['parameters']} parameters in {written['weights']} weights",
            *(f"recurrent: {_layer(layer)}" for layer in written["recurrent"])]


def _layer(layer: dict) -> str:
    options = ", ".join(f"{key}={value}" for key, value in layer.items() if key not in ("class", "name"))
    return f"{layer['class']} {layer['name']!r}: {options}"


def terminal(result: CheckResult) -> str:
    lines = ["", *_writer_lines(result), *migration_lines(result.migration), ""]
    for reading in result.readings:
        if reading.error:
            lines.append(f"{reading.side}: could not run: {reading.error}")
            continue
        lines.append(f"{reading.side} ({_keras(reading.versions)}):")
        width = max(len(outcome["way"]) for outcome in reading.outcomes)
        lines += [f"  {outcome['way']:<{width}}  {verdict(outcome)}" for outcome in reading.outcomes]
    lines += ["", "plain load_model gives the writer's outputs on every side" if result.plain_load_matches_everywhere
              else "plain load_model does NOT give the writer's outputs on every side (exit 1)"]
    return "\n".join(lines)


def markdown(result: CheckResult) -> str:
    lines = [f"# check: {result.model}", "", *(f"- {line}" for line in _writer_lines(result)), "",
             "## migrate", "", *migration_lines(result.migration), ""]
    for reading in result.readings:
        lines += [f"## {reading.side}", ""]
        if reading.error:
            lines += [f"Could not run: {reading.error}", ""]
            continue
        lines += [f"{_keras(reading.versions)}; matches: within {result.tolerance:g}.", "",
                  "| way in | recipe | outcome |", "|---|---|---|"]
        lines += [f"| {o['way']} | `{o['recipe']}` | {verdict(o).replace('|', '/')} |" for o in reading.outcomes]
        lines.append("")
    return "\n".join(lines)

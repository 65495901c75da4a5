"""The history page's saved-model matrix: the committed writers' files read by each release.

Every history side reads every writer folder under ``specs/saved_models`` (``history.READS_SAVED``: the
saved-model exchange's read step, ``python -m lstm_spec.saving.read_files``), so each release says which
of each writer's files load there and give the writer's outputs.  The writers are releases themselves
(TF 2.15.1's Keras 2, Keras 3.3.0, tf-keras 2.21, the locked TF 2.21 / Keras 3.15 on each backend): a
release older than a writer reading its files is a downgrade, a newer one an upgrade.
"""

from __future__ import annotations

from lstm_spec.saving.json_file import parse_object
from lstm_spec.saving.writers import WRITERS
from lstm_spec.versions.release_lines import LINES, Release
from lstm_spec.versions.side_results import FAILED_STEPS, READ_OUTCOMES, SideResult

MARKS = {"matches": "✓", "moved": "~", "other_shapes": "≠", "fails": "✗", "unreadable_file": "?"}
LEGEND = ("✓ loads and gives the writer's outputs (within 1e-5), ~ loads with values moved, ≠ loads with other "
          "shapes, ✗ fails (the error's type), ? the committed file failed its integrity check")


def observations(result: SideResult) -> list[dict] | None:
    """The reads a side's run recorded, or None when it recorded none (or its record cannot be read)."""
    text = result.saved_models.get(READ_OUTCOMES)
    if text is None:
        return None
    try:
        found = parse_object(text, READ_OUTCOMES, ValueError, "the side's run left it unreadable")["observations"]
    except (ValueError, KeyError):
        return None
    return found if isinstance(found, list) else None


def _why_none(result: SideResult) -> str:
    failed = [result.saved_models[name] for name in FAILED_STEPS if name in result.saved_models]
    return failed[0].strip() if failed else "no reads recorded (a run from before the history read saved files)"


def counts(reads: list[dict]) -> str:
    """One cell: how many reads gave each outcome, failures by the error's type."""
    tally: dict[str, int] = {}
    for read in reads:
        mark = MARKS[read["status"]]
        if read["status"] == "fails" and read.get("error"):
            mark += " " + read["error"]["type"]
        tally[mark] = tally.get(mark, 0) + 1
    order = list(MARKS.values())
    return ", ".join(f"{mark} {count}" for mark, count in sorted(tally.items(), key=lambda kv: (order.index(kv[0][0]),
                                                                                                   kv[0])))


def _runs(line: list[tuple[Release, list[dict]]]) -> str:
    """A line's releases grouped into runs of the same cell: where a format's outcome changed along it."""
    return grouped([(release.release, counts(reads)) for release, reads in line])


def grouped(line: list[tuple[str, str]]) -> str:
    """Releases (in order, each with its cell) grouped into runs of the same cell, ``first–last: cell``."""
    runs: list[tuple[str, str, str]] = []
    for release, cell in line:
        if runs and runs[-1][2] == cell:
            runs[-1] = (runs[-1][0], release, cell)
        else:
            runs.append((release, release, cell))
    return "<br>".join(f"{first}{'–' + last if last != first else ''}: {cell}" for first, last, cell in runs)


def section(results: dict[Release, SideResult]) -> list[str]:
    """The page's saved-model section: a release x writer matrix, then, per writer, each format and loader
    along each line, a run of releases per outcome."""
    out = ["## Saved models: the committed writers' files read by each release", ""]
    read: dict[Release, list[dict]] = {}
    unread: list[tuple[Release, str]] = []
    for line in LINES.values():
        for release in line:
            result = results.get(release)
            if result is None or not result.usable:
                continue
            found = observations(result)
            if found is None:
                unread.append((release, _why_none(result)))
            else:
                read[release] = found
    if not read:
        return out + ["No release that ran recorded its reads of the committed saved files.", ""]
    writers = [name for name in WRITERS if any(o["writer"] == name for reads in read.values() for o in reads)]
    out += ["Each release read every file the writers committed under `specs/saved_models/` (each writer's "
            "`manifest.json` names its exact versions), with every loader of each format, and compared the outputs "
            "with the writer's. A cell counts the reads by outcome: " + LEGEND + ". The same reads, spec by spec "
            "against a table of expected outcomes, are `specs/test_43_saved_across_versions.py` (on the reading "
            "environments the suite pins).", "",
            "| line | release | " + " | ".join(f"`{name}`" for name in writers) + " |",
            "|---|---|" + "---|" * len(writers)]
    for release, reads in read.items():
        cells = [counts([o for o in reads if o["writer"] == name]) or "—" for name in writers]
        out.append(f"| {release.line} | {release.release} | " + " | ".join(cells) + " |")
    out.append("")
    if unread:
        out += ["Releases without reads: " + "; ".join(f"{r.line} {r.release} ({why})" for r, why in unread), ""]
    for name in writers:
        out += [f"### Files of `{name}`: {WRITERS[name].description}", "",
                "| format | loader | " + " | ".join(line for line in LINES) + " |", "|---|---|" + "---|" * len(LINES)]
        ways = sorted({(o["format"], o["loader"]) for reads in read.values() for o in reads if o["writer"] == name})
        for saved, loader in ways:
            columns = []
            for members in LINES.values():
                line = [(release, [o for o in read[release] if (o["writer"], o["format"], o["loader"]) ==
                                   (name, saved, loader)]) for release in members if release in read]
                columns.append(_runs([(release, reads) for release, reads in line if reads]) or "—")
            out.append(f"| `{saved}` | `{loader}` | " + " | ".join(columns) + " |")
        out.append("")
    return out

"""The top of ``docs/history.md``: what an upgrade to each release brings, one line per change a user would notice.

Each step of a line (``history_page.Step``: a release against the one before it on its line) gives its facts:
specs that start failing or are fixed, snapshot values that move, layer defaults that change, and the committed
saved files (``history_saved_models``) that stop loading, load with other values or load again.  A line's first
release, with nothing before it, gives what fails there and is fixed later on the line.  Facts of one cause in one
step fold into one line with their count: a note (``upgrade_notes.NOTES``, kept beside its release as ``TOLD``
keeps reasons) says what the facts it covers are, and under which kind; the facts no note covers fold by their
spec, kind and error.  A note whose release ran but that covers none of its facts is listed as one the results no
longer support (``tests/test_history_brings.py`` fails on the committed page then).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lstm_spec.saving.writers import WRITERS
from lstm_spec.versions.error_text import gist
from lstm_spec.versions.history_saved_models import observations
from lstm_spec.versions.release_lines import LINES, Release
from lstm_spec.versions.side_results import SideResult
from lstm_spec.versions.upgrade_notes import LAYER_DEFAULTS, NOTES, SAVED_FILES, Note

# Each kind of line, in the order a release lists them: the four that need action first.
KINDS = {"stops loading": "a file that loaded fails", "values move": "other numbers from the same model or seed",
         "raises": "an error that starts", "breaks": "a behaviour a spec states no longer holds",
         "broken": "fails here, fixed later on the line", "fixed": "works again",
         "loads": "a file that failed loads", "changed": "anything else a user would see"}
ACTION = ("stops loading", "values move", "raises", "breaks")
UNSUPPORTED = "Notes the results no longer support"
PACKAGES = (("tensorflow", "TensorFlow"), ("keras", "Keras"), ("tf-keras", "tf-keras"),
            ("keras-nightly", "keras-nightly"))
_EXCEPTION = re.compile(r"\b([A-Z]\w*(?:Error|Exception))\b")
_PARTICULARS = re.compile(r"'[^']*'|\"[^\"]*\"|\b[\w.]+\(\.\.\.\)|\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Fact:
    """One change at a step that a user would notice, before it is folded into a line."""

    spec: str  # the spec module that states it
    item: str  # which: the spec's test, the snapshot entry, the file read (writer format loader case)
    kind: str  # a KINDS key
    what: tuple[str, str]  # the line's words for one fact and for {n} of them
    words: str = ""  # what it is, said after ``what`` (the first fact's words speak for the fold)
    text: str = ""  # everything a note's pattern is searched in beside the item (the whole message)
    cause: str = ""  # facts of one spec, kind, ``what`` and cause fold into one line
    size: float | None = None  # a value's or a file's largest difference
    until: str = ""  # on a line's first release: the release that fixes it
    who: str = ""  # whose file (a writer): ``{who}`` in ``words`` names every writer of the facts folded


@dataclass(frozen=True)
class Line:
    """One line of a release: what changed, how many facts it folds, and the specs that state them."""

    kind: str
    says: str
    specs: tuple[str, ...]
    count: int

    @property
    def action(self) -> bool:
        return self.kind in ACTION

    def markdown(self) -> str:
        return f"**{self.kind}**: {self.says} ({', '.join(f'`{spec}`' for spec in self.specs)})"


@dataclass
class Brought:
    """One release's lines, and the step it was compared in (None for a line's first release)."""

    release: Release
    step: object | None
    lines: list[Line]
    first: bool = False


def anchor(release: Release) -> str:
    """The release's heading slug, as GitHub and MyST (``myst_heading_anchors``) make it: ``keras-3124``."""
    return re.sub(r"[^\w\- ]", "", heading(release).strip().lower()).replace(" ", "-")


def heading(release: Release) -> str:
    return f"{release.line} {release.release}"


def outcome_facts(step) -> list[Fact]:
    """Specs whose outcome changed at the step: now failing, fixed, or run or not run in this release's era."""
    facts = []
    for module, tests in step.comparison.outcomes.items():
        for test, old, new in tests:
            was, now = (old.outcome if old else "not collected"), (new.outcome if new else "not collected")
            if (was, now) == ("passed", "failed"):
                words = gist(new.message)
                facts.append(Fact(module, test, "breaks", ("a spec now fails", "{n} specs now fail"), words,
                                  new.message, _cause(new.message)))
            elif (was, now) == ("failed", "passed"):
                facts.append(Fact(module, test, "fixed", ("a spec passes again", "{n} specs pass again"),
                                  f"before, {gist(old.message)}", old.message, _cause(old.message)))
            else:
                said = gist(new.message) if new and now in ("skipped", "failed") else ""
                facts.append(Fact(module, test, "changed", _transition(was, now), said, new.message if new else "",
                                  f"{was} {now} {_cause(said) if said else ''}"))
    before, after = step.comparison.before.outcomes, step.comparison.after.outcomes
    for key in sorted(set(before) & set(after)):
        old, new = before[key], after[key]
        if old.outcome == new.outcome == "failed" and old.message != new.message:
            facts.append(Fact(new.module, new.test, "changed", ("a failure's message changes",
                                                                "{n} failures' messages change"),
                              f"now {gist(new.message)}", new.message, _cause(new.message)))
    return facts


# A spec that runs in one era and not the other, in words (its outcome on the release before, then on this one).
TRANSITIONS = {
    ("not collected", "passed"): ("a spec new here passes", "{n} specs new here pass"),
    ("not collected", "failed"): ("a spec new here fails", "{n} specs new here fail"),
    ("not collected", "skipped"): ("a spec new here is skipped", "{n} specs new here are skipped"),
    ("skipped", "passed"): ("a skipped spec runs here and passes", "{n} skipped specs run here and pass"),
    ("skipped", "failed"): ("a skipped spec runs here and fails", "{n} skipped specs run here and fail"),
    ("passed", "skipped"): ("a spec is skipped here", "{n} specs are skipped here"),
    ("failed", "skipped"): ("a failing spec is skipped here", "{n} failing specs are skipped here"),
}


def _transition(was: str, now: str) -> tuple[str, str]:
    if now == "not collected":
        return f"a spec that {was} before is not run here", f"{{n}} specs that {was} before are not run here"
    return TRANSITIONS.get((was, now), (f"a spec {was} → {now}", f"{{n}} specs {was} → {now}"))


def value_facts(step) -> list[Fact]:
    """Snapshot values moved beyond tolerance, pinned (the math) or seeded (the random stream); printed texts."""
    facts = []
    for value in step.comparison.values:
        if value.moved:
            what = (("a pinned-weights value moves", "{n} pinned-weights values move") if value.kind == "pinned"
                    else ("a seeded value moves", "{n} seeded values move"))
            words = "the same weights give other numbers" if value.kind == "pinned" else "Keras' random stream changed"
            facts.append(Fact(value.module, value.entry, "values move", what, words, value.problem, value.kind,
                              value.largest_absolute))
    for _, module, entry, diff in step.comparison.texts:
        facts.append(Fact(module, entry, "changed", ("a printed text changes", "{n} printed texts change"),
                          "", diff, "text"))
    return facts


def default_facts(step) -> list[Fact]:
    """Layer defaults (``get_config()`` with default arguments) that can change numbers or shapes: a value that
    changed moves values, unless it is only a class's name; one that came or went is a change to read."""
    facts = []
    for change in step.changes:
        if change.kind != "default":
            continue
        setting = change.item.split(" in ", 1)[0].rsplit(".", 1)[-1]
        moves = change.to.endswith("(value changed)") and setting != "class_name"
        facts.append(Fact(LAYER_DEFAULTS, change.item, "values move" if moves else "changed",
                          ("a layer default changes", "{n} layer defaults change"), f"`{change.item}`: {change.to}",
                          change.to, change.item))
    return facts


def _reads(result: SideResult) -> dict[tuple, dict]:
    return {(o["writer"], o["format"], o["loader"], o["case"]): o for o in observations(result) or []}


def file_facts(before: SideResult, after: SideResult) -> list[Fact]:
    """Each committed file read on both releases whose outcome changed between them: it stops loading, loads with
    other values, or loads again (a failure that only changed its error is left to the details)."""
    facts = []
    old_reads, new_reads = _reads(before), _reads(after)
    for key in sorted(set(old_reads) & set(new_reads)):
        old, new = old_reads[key], new_reads[key]
        kind = _file_change(old["status"], new["status"])
        if kind:
            facts.append(_file_fact(key, new, kind))
    return facts


def _file_change(was: str, now: str) -> str | None:
    loaded = ("matches", "moved")
    if was in loaded and now not in loaded:
        return "stops loading"
    if (was, now) == ("matches", "moved"):
        return "values move"
    if now == "matches" and was != "matches":
        return "loads"
    return None


def _file_fact(key: tuple, read: dict, kind: str, until: str = "") -> Fact:
    writer, saved, loader, case = key
    error = read.get("error") or {}
    said = f"{error.get('type', 'error')}: {gist(error.get('message', ''))}" if error else ""
    what = {"stops loading": ("a file", "{n} files"),
            "values move": ("a file loads with other values", "{n} files load with other values"),
            "loads": ("a file loads now", "{n} files load now"),
            "broken": (f"a file fails here until {until}", f"{{n}} files fail here until {until}")}[kind]
    words = f"`{saved}` of {{who}} read by `{loader}`" + (f": {said}" if said and kind != "loads" else "")
    size = read.get("max_abs_diff") if kind == "values move" else None
    return Fact(SAVED_FILES, " ".join(key), kind, what, words, f"{said} {error.get('message', '')}",
                f"{saved} {loader} {error.get('type', '')} {until}", size, until, writer)


def _writer_title(writer: str) -> str:
    """A writer's versions in a few words: ``TF 2.15.1 / Keras 2.15``."""
    known = WRITERS.get(writer)
    return known.description.split(" (", 1)[0] if known else writer


def first_release_facts(release: Release, result: SideResult, line_steps: list) -> list[Fact]:
    """What fails on a line's first release and is fixed later on the line, with the release that fixes it: specs
    that fail there and pass later, committed files that fail to load there and load later."""
    facts = []
    failing = {key for key, outcome in result.outcomes.items() if outcome.outcome == "failed"}
    unread = {key for key, read in _reads(result).items() if read["status"] != "matches"}
    for step in line_steps:
        after = step.after.release
        for key in sorted(failing):
            now = step.comparison.after.outcomes.get(key)
            if now is None or now.outcome == "failed":
                continue
            failing.discard(key)
            if now.outcome == "passed":
                old = result.outcomes[key]
                facts.append(Fact(old.module, old.test, "broken", (f"a spec fails here until {after}",
                                                                   f"{{n}} specs fail here until {after}"),
                                  gist(old.message), old.message, _cause(old.message) + after, until=after))
        now_reads = _reads(step.comparison.after)
        for key in sorted(unread):
            if key in now_reads and now_reads[key]["status"] == "matches":
                unread.discard(key)
                facts.append(_file_fact(key, _reads(result)[key], "broken", after))
    return facts


def _cause(message: str) -> str:
    """What folds failures: the exception a failure names (other than the assertion's), else its words with the
    particulars (quoted names, numbers, ``layer(...)``) left out."""
    text = gist(message.strip().split("\n", 1)[0], limit=10_000)
    named = [name for name in _EXCEPTION.findall(text) if name != "AssertionError"]
    return named[0] if named else _PARTICULARS.sub("…", text)


def fold(facts: list[Fact], notes: tuple[Note, ...]) -> tuple[list[Line], list[Note]]:
    """The facts as lines: each note's in one line, the rest one line per spec, kind, words and cause; and the
    notes that covered no fact."""
    lines, unsupported, rest = [], [], list(facts)
    for note in notes:
        covered = [fact for fact in rest if note.covers(fact.spec, fact.kind, _searched(fact))]
        if not note.supported_by([_searched(fact) for fact in covered]):
            unsupported.append(note)
            continue
        rest = [fact for fact in rest if fact not in covered]
        sizes = [fact.size for fact in covered if fact.size is not None]
        says = note.says.format(count=len(covered), largest=f"{max(sizes):.3g}" if sizes else "?",
                                until=covered[0].until)
        lines.append(Line(note.kind or covered[0].kind, says, _specs(covered), len(covered)))
    groups: dict[tuple, list[Fact]] = {}
    for fact in rest:
        groups.setdefault((fact.spec if fact.kind != "values move" or fact.cause not in ("pinned", "seeded")
                           else "", fact.kind, fact.what, fact.cause), []).append(fact)
    for (_, kind, what, _), members in groups.items():
        count = len(members)
        says = what[0] if count == 1 else what[1].format(n=count)
        who = ", ".join(f"`{writer}` ({_writer_title(writer)})" for writer in dict.fromkeys(f.who for f in members))
        says += f": {members[0].words.replace('{who}', who)}" if members[0].words else ""
        sizes = [fact.size for fact in members if fact.size is not None and fact.size == fact.size]
        if sizes:
            says += f" (largest difference {max(sizes):.3g})"
        lines.append(Line(kind, says, _specs(members), count))
    order = list(KINDS)
    return sorted(lines, key=lambda line: order.index(line.kind)), unsupported


def _searched(fact: Fact) -> str:
    return f"{fact.item} {fact.words.replace('{who}', fact.who)} {fact.text}"


def _specs(facts: list[Fact]) -> tuple[str, ...]:
    return tuple(sorted({fact.spec for fact in facts}))


def brought(results: dict[Release, SideResult], all_steps: dict[str, list]) -> tuple[list[Brought], list]:
    """Every release that ran, in line order, with its lines; and the unsupported notes, with their releases."""
    out, unsupported = [], []
    for name, line in LINES.items():
        line_steps = all_steps.get(name, [])
        compared = {step.after: step for step in line_steps}
        for release in line:
            result = results.get(release)
            if result is None or not result.usable:
                continue
            step = compared.get(release)
            if step is not None:
                facts = (outcome_facts(step) + value_facts(step) + default_facts(step)
                         + file_facts(step.comparison.before, step.comparison.after))
            else:  # the line's first usable release: steps compare each later one with the one before it
                facts = first_release_facts(release, result, line_steps)
            lines, missing = fold(facts, NOTES.get((release.line, release.release), ()))
            unsupported += [(release, note) for note in missing]
            out.append(Brought(release, step, lines, first=step is None))
    return out, unsupported


def section(results: dict[Release, SideResult], all_steps: dict[str, list]) -> list[str]:
    """The page's "What an upgrade brings": the changes that need action, release by release, then every release's
    lines under its own heading (its anchor), then any note the results no longer support."""
    releases, unsupported = brought(results, all_steps)
    out = ["## What an upgrade brings", "",
           "Each release against the one before it on its line: one line per change a user would notice, with the "
           "spec that states it. Kinds that need action: " + "; ".join(f"**{kind}** ({KINDS[kind]})" for kind in ACTION)
           + ". Every change of every step is in the lines' sections below.", "", "### Needs action", ""]
    urgent = [(item.release, line) for item in releases for line in item.lines if line.action]
    out += [f"- [{heading(release)}](#{anchor(release)}) {line.markdown()}" for release, line in urgent] or [
        "Nothing that ran needs action."]
    out += [""]
    for item in releases:
        out += [f"### {heading(item.release)}", "", _against(item)]
        out += [f"- {line.markdown()}" for line in item.lines] or ["- nothing a user would notice"]
        out.append("")
    if unsupported:
        out += [f"### {UNSUPPORTED}", "", "Each covers none of its release's changes: the results say otherwise now "
                "(`lstm_spec/versions/upgrade_notes.py`).", ""]
        out += [f"- {heading(release)}: {note.describe()}" for release, note in unsupported] + [""]
    return out


def _against(item: Brought) -> str:
    if item.first:
        return ("The line's first release, with nothing before it: what fails here and is fixed later on the line."
                if item.lines else "The line's first release, with nothing before it.")
    comparison = item.step.comparison
    moved = [f"{title} {comparison.before.packages.get(package, '(absent)')} → "
             f"{comparison.after.packages.get(package, '(absent)')}" for package, title in PACKAGES
             if comparison.before.packages.get(package) != comparison.after.packages.get(package)]
    return f"Against {heading(item.step.before)}" + (f": {', '.join(moved)}." if moved else ".")

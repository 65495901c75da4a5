"""The history page's top, "What an upgrade brings": each release's changes folded into lines with their count, the
ones that need action first, notes kept beside their release and checked against the results, and the
committed page's first screen."""

import json
import re

import pytest

from lstm_spec.versions import history_brings
from lstm_spec.versions.history_brings import UNSUPPORTED, anchor, brought, section
from lstm_spec.versions.history_page import steps
from lstm_spec.versions.release_lines import LINES, Release
from lstm_spec.versions.side_results import Outcome, SideResult
from lstm_spec.versions.sides import ROOT
from lstm_spec.versions.upgrade_notes import NOTES, Note

PAGE = ROOT / "docs" / "history.md"
FIRST, SECOND, THIRD = LINES["keras"][:3]
SCREEN = 60  # the lines a reader takes in without scrolling far


def result(name, failing=(), passing=("test_a", "test_b", "test_c"), reads=None, keras=None):
    """A usable side: ``failing`` fail with a stateful error, ``passing`` pass (all of specs.test_31_errors)."""
    outcomes = {f"test_31_errors::{test}": Outcome("test_31_errors", test, "passed") for test in passing}
    outcomes |= {f"test_31_errors::{test}": Outcome("test_31_errors", test, "failed", message)
                 for test, message in dict(failing).items()}
    saved = {"read.json": json.dumps({"reader": None, "observations": reads})} if reads is not None else {}
    return SideResult(name, "version", packages={"keras": keras or name}, outcomes=outcomes, saved_models=saved)


def read(status, case="page_lstm", error=None, diff=None, writer="keras2"):
    return {"writer": writer, "format": "keras2-h5", "loader": "load_model", "case": case, "file": "f",
            "status": status, "max_abs_diff": diff, "shapes": None,
            "error": {"type": error[0], "message": error[1]} if error else None}


@pytest.fixture(name="notes")
def notes_fixture(monkeypatch):
    """NOTES replaced (by none unless the test sets some): the synthetic results are no release's."""
    def use(notes):
        monkeypatch.setattr(history_brings, "NOTES", notes)

    use({})
    return use


def brings(results):
    """The keras line's releases brought from ``results``: each with its lines, and the unsupported notes."""
    line = [(release, results[release]) for release in LINES["keras"] if release in results]
    return brought(results, {"keras": steps(line, LINES["keras"])})


STATEFUL = "AssertionError: raised OperatorNotAllowedInGraphError: Using a symbolic `tf.Tensor` as a Python `bool`"


def test_failures_of_one_cause_in_one_step_are_one_line_with_their_count(notes):
    """Three specs starting to fail with the same exception are one line of three, filed as needing action."""
    failing = {test: STATEFUL + f" [case {test}]" for test in ("test_a", "test_b", "test_c")}
    releases, unsupported = brings({FIRST: result("3.0.5"), SECOND: result("3.1.1", failing)})
    [line] = releases[1].lines
    assert (line.kind, line.count, line.action) == ("breaks", 3, True)
    assert line.markdown() == ("**breaks**: 3 specs now fail: raised OperatorNotAllowedInGraphError: Using a symbolic "
                               "`tf.Tensor` as a Python `bool` (`test_31_errors`)")
    assert [] == unsupported


def test_a_note_says_what_the_changes_it_covers_are_and_files_them_under_its_kind(notes):
    """A note's sentence replaces the changes it covers, with their count; what it does not cover stays apart."""
    note = Note(("test_31_errors",), r"OperatorNotAllowedInGraphError", "a stateful LSTM raises ({count} specs)",
                kind="raises")
    failing = {"test_a": STATEFUL, "test_b": STATEFUL, "test_c": "AssertionError: raised ValueError: no"}
    notes({("keras", "3.1.1"): (note,)})
    releases, unsupported = brings({FIRST: result("3.0.5"), SECOND: result("3.1.1", failing)})
    assert [(line.kind, line.says) for line in releases[1].lines] == [
        ("raises", "a stateful LSTM raises (2 specs)"), ("breaks", "a spec now fails: raised ValueError: no")]
    assert [] == unsupported


def test_a_note_the_results_no_longer_support_is_listed_as_such(notes):
    """A note whose release ran but which covers none of its changes is named under UNSUPPORTED, not said."""
    note = Note(("test_31_errors",), r"OperatorNotAllowedInGraphError", "a stateful LSTM raises", kind="raises")
    results = {FIRST: result("3.0.5"), SECOND: result("3.1.1")}
    notes({("keras", "3.1.1"): (note,)})
    line = [(release, results[release]) for release in LINES["keras"] if release in results]
    text = "\n".join(section(results, {"keras": steps(line, LINES["keras"])}))
    assert f"### {UNSUPPORTED}" in text
    assert "- keras 3.1.1: `OperatorNotAllowedInGraphError` in test_31_errors: a stateful LSTM raises" in text


def test_a_file_that_stops_loading_or_moves_is_said_with_its_error_or_difference(notes):
    """A committed file loading on one release and failing on the next stops loading (its error's first words, no
    printed config); one whose values moved says by how much."""
    error = ("TypeError", "Could not deserialize class 'Functional'. Full object config: {'module': 'keras'}")
    before = result("3.0.5", reads=[read("matches"), read("matches", "conv_lstm1d")])
    after = result("3.1.1", reads=[read("fails", error=error), read("moved", "conv_lstm1d", diff=0.034258)])
    [stops, moves] = brings({FIRST: before, SECOND: after})[0][1].lines
    assert stops.markdown() == ("**stops loading**: a file: `keras2-h5` of `keras2` (TF 2.15.1 / Keras "
                                "2.15) read by `load_model`: TypeError: Could not deserialize class 'Functional'. "
                                "(`test_43_saved_across_versions`)")
    assert moves.says.endswith("read by `load_model` (largest difference 0.0343)") and moves.kind == "values move"


def test_a_lines_first_release_says_what_fails_there_until_a_later_release_fixes_it(notes):
    """On the line's first release, a spec failing there and passing two releases on is broken until that one."""
    failing = {"test_a": "AssertionError: raised TypeError: can only concatenate list"}
    releases, _ = brings({FIRST: result("3.0.5", failing), SECOND: result("3.1.1", failing), THIRD: result("3.2.1")})
    [line] = releases[0].lines
    assert (line.kind, line.says) == ("broken", "a spec fails here until 3.2.1: raised TypeError: can only concatenate "
                                                "list")
    assert releases[0].first and "nothing before it" in "\n".join(section(
        {FIRST: result("3.0.5", failing)}, {"keras": []}))


def test_each_release_has_a_heading_whose_anchor_the_needs_action_list_links(notes):
    """Each release that ran is a heading (its anchor: GitHub's and MyST's slug), linked from its action lines."""
    failing = {"test_a": STATEFUL}
    results = {FIRST: result("3.0.5"), SECOND: result("3.1.1", failing)}
    line = [(release, results[release]) for release in LINES["keras"] if release in results]
    text = "\n".join(section(results, {"keras": steps(line, LINES["keras"])}))
    assert "### keras 3.0.5" in text and "### keras 3.1.1" in text
    assert "- [keras 3.1.1](#keras-311) **breaks**: a spec now fails" in text
    assert "keras-3124" == anchor(Release("keras", "3.12.4", "3.12.4"))


@pytest.mark.parametrize("release, notes", sorted(NOTES.items()), ids=lambda value: str(value))
def test_every_note_names_specs_and_a_pattern_that_can_match(release, notes):
    """A note's specs are spec modules (or the saved files' spec), its pattern compiles, its kind is a kind."""
    spec_files = {path.stem for path in (ROOT / "specs").glob("test_*.py")}
    assert release[0] in LINES and release[1] in [known.release for known in LINES[release[0]]]
    for note in notes:
        assert set(note.specs) <= spec_files, note
        re.compile(note.pattern)
        assert note.kind in (None, *history_brings.KINDS) and set(note.of) <= set(history_brings.KINDS), note


def _committed():
    return PAGE.read_text()


def test_the_committed_page_has_no_note_its_results_do_not_support():
    """Every note of a release the committed page ran is on it, said: the results it was written from support it."""
    page = _committed()
    assert f"### {UNSUPPORTED}" not in page
    ran = re.search(r"^- ran \(\d+\): (.*)$", page, flags=re.MULTILINE).group(1).split(", ")
    for (line, release), notes in NOTES.items():
        if f"{line} {release}" in ran:
            for note in notes:
                said = max(re.split(r"\{\w+\}", note.says), key=len)
                assert said in page, f"{line} {release}: {note.says}"


def test_every_release_the_committed_page_ran_has_its_heading_and_anchor():
    """Each release that ran is a heading once, its slug the anchor the needs-action list and the site link to."""
    page = _committed()
    ran = re.search(r"^- ran \(\d+\): (.*)$", page, flags=re.MULTILINE).group(1).split(", ")
    headings = re.findall(r"^### (.*)$", page, flags=re.MULTILINE)
    assert [name for name in ran if headings.count(name) != 1] == []
    for link, target in re.findall(r"^- \[([^]]+)\]\(#([^)]+)\)", page, flags=re.MULTILINE):
        line, release = link.rsplit(" ", 1)
        assert target == anchor(Release(line, release, release)) and link in headings


def test_the_committed_pages_first_screen_holds_the_picture_and_what_needs_action():
    """Within its first 60 lines: the picture, and the list of changes that need action, ended."""
    head = _committed().splitlines()[:SCREEN]
    assert any(line.startswith("![") and "history.png" in line for line in head)
    start = head.index("### Needs action")
    assert any(line.startswith("### ") for line in head[start + 1:]), "the needs-action list runs past the screen"


@pytest.mark.parametrize("release, fragment", [
    ("tensorflow 2.16.2", "Unrecognized keyword arguments passed to LSTM: {'time_major': False}"),
    ("tensorflow 2.16.2", "`recurrent_activation`"),
    ("keras 3.0.5", "can only concatenate list"),
    ("keras 3.0.5", "`.keras` file does not load back"),
    ("keras 3.12.4", "OperatorNotAllowedInGraphError"),
    ("keras-nightly nightly", "KerasSaveable"),
])
def test_the_changes_a_user_upgrading_most_needs_are_on_the_first_screen(release, fragment):
    """The five changes the last closing note named (Keras 2 files at TF 2.16.2, ConvLSTM1D's activation, Keras
    3.0-3.2's Bidirectional, 3.12.4's stateful LSTM, keras-nightly and Keras 3.0's files) need action, up top."""
    head = _committed().splitlines()[:SCREEN]
    assert any(line.startswith(f"- [{release}](#") and fragment in line for line in head), (release, fragment)

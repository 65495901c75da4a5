"""A run that leaves out any spec is a partial run: ``partial_run_reason`` reads pytest's own parsed options.

The shape page (``docs/shapes.md``) is compared only after a run of every spec; each pytest option
that selects part of them must be seen.  These tests parse real command lines with pytest (in a
scratch folder holding a ``specs/`` folder), rather than building the options by hand, so a renamed
pytest option fails here.
"""

import pytest

from lstm_spec.living_docs.shapes_page import partial_run_reason

WHOLE = "the run's arguments do not name the whole specs folder"
# parseconfig registers the suite's plugins again, already imported (and so not assert-rewritten) here.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")


@pytest.fixture
def suite(pytester):
    """A scratch checkout with a specs folder holding one spec file and a benchmarks folder."""
    pytester.mkdir("specs")
    pytester.mkdir("specs/benchmarks")
    (pytester.path / "specs" / "test_01_input.py").write_text("def test_x():\n    pass\n")
    return pytester


@pytest.mark.parametrize("arguments, expected", [
    (["specs"], None),
    (["."], None),
    (["specs", "--ignore", "specs/benchmarks"], None),
    (["specs", "-m", "b1"], "-m selects part of the specs"),
    (["specs", "--lf"], "--lf selects part of the specs"),
    (["specs", "--collect-only"], "--collect-only selects part of the specs"),
    (["specs", "--ignore-glob", "*_01_*"], "--ignore-glob selects part of the specs"),
    (["specs", "-k", "return_state"], "-k selects part of the specs"),
    (["specs", "--deselect", "specs/test_01_input.py::test_x"], "--deselect selects part of the specs"),
    (["specs", "--sw"], "--sw selects part of the specs"),
    (["specs", "--ignore", "specs/test_01_input.py"], "--ignore leaves out test_01_input.py"),
    (["specs/test_01_input.py"], WHOLE),
    (["specs/test_01_input.py::test_x"], WHOLE),
    (["specs::test_x"], WHOLE),
], ids=lambda value: " ".join(value) if isinstance(value, list) else str(value))
def test_partial_run_reason_of_a_command_line(suite, arguments, expected):
    """Only a run naming the whole specs folder, with no option that selects, compares the page (None)."""
    assert expected == partial_run_reason(suite.parseconfig(*arguments))


def test_specs_named_from_inside_their_folder_are_whole(suite, monkeypatch):
    """A run started inside specs/ naming '.' is a run of every spec: paths are read from where pytest started."""
    monkeypatch.chdir(suite.path / "specs")
    assert partial_run_reason(suite.parseconfig(".")) is None
    assert WHOLE == partial_run_reason(suite.parseconfig("test_01_input.py"))


def test_a_specs_path_with_a_space_is_whole(suite):
    """A path to the whole specs folder is read whole, spaces included (here a link named 'the specs')."""
    (suite.path / "the specs").symlink_to(suite.path / "specs")
    assert partial_run_reason(suite.parseconfig(str(suite.path / "the specs"))) is None

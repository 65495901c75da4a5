"""The site's sources: every behaviour and every generated page staged and in the navigation, links mended."""

from pathlib import Path, PurePosixPath

import pytest

from lstm_spec.living_docs import site_sources
from lstm_spec.living_docs.behaviours import spec_files
from lstm_spec.living_docs.site_contents import contents_markdown
from lstm_spec.living_docs.site_sources import (ROOT, behaviour_page, in_navigation, markdown_text, page_sources,
                                                rewrite_links, stage, staged_document, toctree_entries)

GENERATED_PAGES = ("docs/shapes.md", "docs/keras-vs-pytorch.md", "docs/deployment.md")


@pytest.fixture(scope="module")
def staged(tmp_path_factory) -> tuple[Path, list[PurePosixPath]]:
    """The site's sources staged from this checkout into a temporary folder."""
    destination = tmp_path_factory.mktemp("site") / "_generated"
    return destination, stage(destination)


@pytest.fixture(scope="module")
def navigation() -> list[str]:
    """The toctree entries of the landing page's contents, which docs/site/index.md includes."""
    return toctree_entries(contents_markdown())


def assert_in_navigation(page: PurePosixPath, written: list[PurePosixPath], entries: list[str]) -> None:
    __tracebackhide__ = True
    assert page in written, f"{page} was not staged (staged: {len(written)} pages); see site_sources.PAGE_GLOBS"
    document = staged_document(page)
    assert in_navigation(document, entries), (
        f"observed: {document} in no toctree of the landing page\nexpected: its line in a group of "
        f"lstm_spec/living_docs/site_contents.py (a spec's number in a topic)\nentries: {entries}")


def test_every_behaviour_has_a_page_in_the_navigation(staged, navigation):
    """Each spec file specs/test_NN_name.py (1-40) has its page, specs/test_NN_name.md, in a toctree."""
    _, written = staged
    specs = spec_files(ROOT)
    assert len(specs) >= 38 and {1, 19, 40} <= {int(spec.name[5:7]) for spec in specs}
    for spec in specs:
        assert_in_navigation(PurePosixPath("specs") / spec.with_suffix(".md").name, written, navigation)


@pytest.mark.parametrize("page", GENERATED_PAGES)
def test_generated_pages_are_in_the_navigation(page, staged, navigation):
    """The shape reference and the Keras-vs-PyTorch page are staged and in a toctree."""
    assert_in_navigation(PurePosixPath(page), staged[1], navigation)


def test_every_page_under_docs_is_in_the_navigation(staged, navigation):
    """Every Markdown page the site picks up under docs/ (upgrade reports, guides, ...) is in a toctree."""
    pages = page_sources()
    upgrade_reports = [page for page in pages if page.parent.name == "upgrade-reports"]
    assert len(upgrade_reports) == len(list((ROOT / "docs" / "upgrade-reports").glob("*.md"))) > 0
    for page in pages:
        assert_in_navigation(PurePosixPath(page.as_posix()), staged[1], navigation)


def test_links_to_spec_files_become_links_to_behaviour_pages():
    """``../specs/test_04_return_state.py`` in docs/shapes.md points to the staged behaviour page instead."""
    text, files = rewrite_links("see [spec 4](../specs/test_04_return_state.py) and [README](../README.md)",
                                PurePosixPath("docs/shapes.md"))
    assert text == "see [spec 4](../specs/test_04_return_state.md) and [README](../../index.md)"
    assert files == set()


def test_a_link_whose_text_is_a_test_id_is_pointed_too():
    """A link text holding a code span with brackets of its own (a test id, as docs/saved-models.md writes) is a link."""
    text, _ = rewrite_links("[`test_x[keras2-h5-*]`](../specs/test_04_return_state.py)", PurePosixPath("docs/x.md"))
    assert text == "[`test_x[keras2-h5-*]`](../specs/test_04_return_state.md)"


def test_links_to_other_files_are_copied_and_missing_ones_left_for_sphinx(tmp_path):
    """A link to a repository file that is no page keeps its target, which is copied; a missing one is left as is."""
    original = "[data](input_output_lstm.txt) [gone](../nowhere.py) [web](https://example.org) [here](#top)"
    text, files = rewrite_links(original, PurePosixPath("docs/page/README.md"))
    assert text == original
    assert files == {PurePosixPath("docs/page/input_output_lstm.txt")}


def test_staged_pages_keep_no_link_to_a_spec_source(staged):
    """No staged copy links a spec's .py file: every such link was pointed at the behaviour's page."""
    destination, written = staged
    for page in written:
        assert "specs/test_" not in "".join(
            match["target"] for match in site_sources.LINK.finditer((destination / page).read_text())
            if match["target"].endswith(".py")), page


def test_behaviour_page_has_the_title_the_specs_and_the_source():
    """A behaviour's page is titled as the outline titles it and lists every spec with its docstring."""
    spec = ROOT / "specs" / "test_04_return_state.py"
    page = behaviour_page(spec)
    assert page.startswith("# 4. return\\_state=True: three arrays [output, h, c]")
    assert "- `test_output_equals_h`: The output is the last hidden state" in page
    assert spec.read_text().rstrip() in page


def test_toctree_globs_follow_sphinx():
    """``*`` stays within a folder, ``**`` crosses folders, an entry without a glob names one page."""
    entries = toctree_entries("```{toctree}\n:glob:\n\nspecs/*\ndocs/**\nindex\n```\n")
    assert entries == ["specs/*", "docs/**", "index"]
    assert in_navigation("specs/test_01_input", entries) and not in_navigation("specs/sub/x", ["specs/*"])
    assert in_navigation("docs/a/b", entries) and in_navigation("index", entries)
    assert not in_navigation("guides/x", entries)


def test_docstring_text_is_taken_literally_outside_code_spans():
    """``4*units`` and ``h_{t-1}`` in a docstring are no Markdown emphasis; code spans are left as they are."""
    assert markdown_text("W (units, 4*units), h_{t-1} ``a_b*c`` `x_y` <K>") == (
        "W (units, 4\\*units), h\\_{t-1} ``a_b*c`` `x_y` \\<K>")

"""The landing page's grouped contents: every page in one group, a new page one line of data, table cells breakable."""

from collections import Counter
from dataclasses import replace
from pathlib import Path, PurePosixPath

import pytest

from lstm_spec.living_docs.behaviours import behaviour_handles, spec_files
from lstm_spec.living_docs.cell_breaks import breakable, breakable_code
from lstm_spec.living_docs.site_contents import CONTENTS, GROUPS, contents_markdown, grouped_documents, ungrouped
from lstm_spec.living_docs.site_sources import INDEX, ROOT, stage, toctree_entries

GROUP_TITLES = ["The page", "Behaviours", "Guides", "Generated pages", "Reports"]


@pytest.fixture(scope="module")
def staged_pages(tmp_path_factory) -> list[PurePosixPath]:
    """The pages the site stages from this checkout."""
    return stage(tmp_path_factory.mktemp("site") / "_generated")


def group(title: str):
    """The group of GROUPS with this title."""
    return next(group for group in GROUPS if group.title == title)


def write_pages(root: Path, *pages: str) -> None:
    """Writes each page (a path under ``root``) as a one-line Markdown page."""
    for page in pages:
        (root / page).parent.mkdir(parents=True, exist_ok=True)
        (root / page).write_text("# A page\n")


def test_every_staged_page_is_in_a_group(staged_pages):
    """Each page the site stages (behaviours, guides, generated pages, reports) is listed by a group."""
    assert len(staged_pages) > 60
    assert ungrouped(staged_pages) == [], (
        "observed: pages in no group of the landing page\n"
        "expected: each page's line in a group of lstm_spec/living_docs/site_contents.py (a spec's number in a topic)")


def test_each_behaviour_is_in_exactly_one_topic():
    """Every spec file's number is in one topic, and every number of a topic names a spec file."""
    numbers = Counter(number for topic in group("Behaviours").topics for number in topic.numbers)
    files = {behaviour_handles(spec)[0] for spec in spec_files(ROOT)}
    assert set(numbers) == files, (
        f"in no topic: {sorted(files - set(numbers))}; no spec file: {sorted(set(numbers) - files)}")
    assert [number for number, count in numbers.items() if count > 1] == []


def test_no_page_is_listed_twice():
    """A document appears once in the landing page's contents."""
    documents = grouped_documents()
    assert [document for document, count in Counter(documents).items() if count > 1] == []


def test_the_landing_page_has_its_groups_in_order_and_the_behaviours_by_topic():
    """The contents have the five sections in order, a subsection per topic, and the five generated pages."""
    markdown = contents_markdown()
    sections = [line[3:] for line in markdown.splitlines() if line.startswith("## ")]
    topics = [line[4:] for line in markdown.splitlines() if line.startswith("### ")]
    assert sections == GROUP_TITLES
    assert topics == [topic.title for topic in group("Behaviours").topics] and len(topics) >= 5
    generated = toctree_entries(contents_markdown((group("Generated pages"),)))
    assert generated == ["_generated/docs/shapes", "_generated/docs/saved-models", "_generated/docs/history",
                         "_generated/docs/keras-vs-pytorch", "_generated/docs/deployment"]


def test_the_landing_page_includes_the_contents():
    """docs/site/index.md includes the contents the build writes into _generated/."""
    assert f"```{{include}} _generated/{CONTENTS}\n```" in INDEX.read_text()


def test_a_listed_page_with_no_file_is_left_out(tmp_path):
    """A guide listed before its file exists (docs/guides/check-your-own-model.md) is no entry; a group of
    missing pages has no toctree, so the build has nothing to fail on."""
    write_pages(tmp_path, "docs/guides/reading-a-run.md")
    assert "docs/guides/check-your-own-model.md" in group("Guides").pages
    assert toctree_entries(contents_markdown((group("Guides"),), tmp_path)) == ["_generated/docs/guides/reading-a-run"]
    assert "toctree" not in contents_markdown((group("Generated pages"),), tmp_path)


def test_a_new_guide_is_one_line_of_data(tmp_path):
    """A new guide is reported ungrouped until one line names it; then it is in the contents."""
    write_pages(tmp_path, "docs/guides/reading-a-run.md", "docs/guides/new-guide.md")
    written = stage(tmp_path / "out", root=tmp_path)
    assert ungrouped(written, GROUPS, tmp_path) == [PurePosixPath("docs/guides/new-guide.md")]
    guides = group("Guides")
    groups = tuple(replace(guides, pages=guides.pages + ("docs/guides/new-guide.md",)) if each is guides else each
                   for each in GROUPS)
    assert ungrouped(written, groups, tmp_path) == []
    assert "_generated/docs/guides/new-guide" in toctree_entries(contents_markdown(groups, tmp_path))


def test_a_new_upgrade_report_needs_no_line(tmp_path):
    """A report `python3 suite.py report` writes under docs/upgrade-reports/ is grouped by its folder's glob."""
    write_pages(tmp_path, "docs/upgrade-reports/a-to-b.md")
    assert ungrouped(stage(tmp_path / "out", root=tmp_path), GROUPS, tmp_path) == []


def test_long_words_in_a_cell_may_break_after_an_underscore():
    """A test name of 20 characters or more gets a break opportunity after each underscore; a short one none."""
    assert breakable("test_axis_0_of_the_batch, test_c_is_not_h") == (
        "test_<wbr>axis_<wbr>0_<wbr>of_<wbr>the_<wbr>batch, test_c_is_not_h")


def test_code_in_a_cell_may_break_after_commas_and_slashes_inside_its_words_only():
    """``LSTM(units=1,return_state=True)`` breaks after the comma; the span tags around it stay whole."""
    html = '<span class="pre">LSTM(units=1,return_state=True)</span> <span class="pre">seeded/x</span>'
    assert breakable_code(html) == ('<span class="pre">LSTM(units=1,<wbr>return_state=True)</span> '
                                    '<span class="pre">seeded/<wbr>x</span>')

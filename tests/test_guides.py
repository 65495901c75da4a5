"""The README as a landing page and the guides under docs/guides/: every old section kept, every link resolving."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GUIDES = ROOT / "docs" / "guides"
SECTION_MAP = GUIDES / "old-readme-sections.md"
# The last commit whose README was the whole manual (issue 24 moved its sections into the guides).
OLD_README_COMMIT = "efda3ae"
MAX_README_LINES = 200

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
MAP_ROW = re.compile(r"^\| `(#{2,3}) (.+?)` \| \[[^\]]+\]\(([^)]+)\) \| (.+?) \|$", re.MULTILINE)


def prose(text: str) -> str:
    """The Markdown outside fenced blocks and code spans (a ``#`` or ``[x](y)`` in code is no heading or link)."""
    return CODE_SPAN.sub("code", FENCE.sub("", text))


def headings(text: str, levels: str = "1-6") -> list[str]:
    return re.findall(rf"^#{{{levels.replace('-', ',')}}} (.+?)\s*$", FENCE.sub("", text), re.MULTILINE)


def slug(heading: str) -> str:
    """GitHub's (and MyST's) anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = CODE_SPAN.sub(lambda match: match.group(0).strip("`"), heading).lower()
    return re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", text))


def pages() -> list[Path]:
    return [README, *sorted(GUIDES.glob("*.md"))]


def map_rows() -> list[tuple[str, str, str]]:
    """``(old heading with its #s, guide file, heading there)`` for each row of the section map."""
    return [(f"{hashes} {old}", guide, new) for hashes, old, guide, new in MAP_ROW.findall(SECTION_MAP.read_text())]


def old_readme() -> str:
    if shutil.which("git") is None:
        pytest.skip("git is not installed: the old README is read from the repository's history")
    shown = subprocess.run(["git", "-C", str(ROOT), "show", f"{OLD_README_COMMIT}:README.md"],
                           capture_output=True, text=True)
    if shown.returncode:
        pytest.skip(f"commit {OLD_README_COMMIT} is not in this checkout (a shallow clone?): {shown.stderr.strip()}")
    return shown.stdout


def test_readme_is_a_landing_page_of_at_most_200_lines():
    """The README stays short enough to read as a landing page; the manual lives in the guides."""
    count = len(README.read_text().splitlines())
    assert count <= MAX_README_LINES, f"README.md has {count} lines, more than {MAX_README_LINES}: move text to a guide"


def test_readme_names_what_ci_runs():
    """Every command of ``.ci/run`` is written in the README, and the README says CI runs ``.ci/run``."""
    readme = README.read_text()
    commands = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.startswith("python3 suite.py")]
    assert "python3 suite.py test" in commands
    missing = [command for command in commands if command not in readme
               and command.replace("python3 suite.py matrix", "matrix") not in readme]
    assert not missing, f".ci/run runs {missing}, which README.md does not show"
    assert "CI runs [`.ci/run`](.ci/run)" in readme
    assert "python3 suite.py docs" in readme


def test_every_guide_is_in_the_readme_map():
    """The README's Documentation section links every guide, so none is unreachable from the landing page."""
    documentation = README.read_text().split("\n## Documentation\n", 1)
    assert len(documentation) == 2, "README.md has no '## Documentation' section"
    linked = {Path(target).name for target in LINK.findall(documentation[1]) if target.startswith("docs/guides/")}
    unlinked = sorted(guide.name for guide in GUIDES.glob("*.md") if guide.name not in linked)
    assert not unlinked, f"guides missing from README.md's Documentation section: {unlinked}"


@pytest.mark.parametrize("guide", sorted(GUIDES.glob("*.md")), ids=lambda path: path.name)
def test_a_guide_has_one_title(guide):
    """Each guide has exactly one ``#`` title (a site renders it as the page's title)."""
    assert 1 == len(headings(guide.read_text(), "1")), f"{guide.name}: {headings(guide.read_text(), '1')}"


def test_every_old_readme_section_is_mapped():
    """Each ``##``/``###`` heading of the README as it was at efda3ae has a row in the section map."""
    old = headings(old_readme(), "2-3")
    assert len(old) >= 10, f"too few headings read from the old README: {old}"
    mapped = {row[0].split(" ", 1)[1] for row in map_rows()}
    missing = [heading for heading in old if heading not in mapped]
    assert not missing, f"old README sections without a row in {SECTION_MAP.name}: {missing}"
    invented = sorted(mapped - set(old))
    assert not invented, f"rows in {SECTION_MAP.name} for sections the old README did not have: {invented}"


def test_the_section_map_has_rows():
    """The map's rows are read (a changed table format would otherwise pass the tests below vacuously)."""
    assert len(map_rows()) >= 14


@pytest.mark.parametrize("old, guide, heading", map_rows(), ids=lambda value: value[:40])
def test_a_mapped_heading_exists_in_its_guide(old, guide, heading):
    """The guide a row names exists and has the heading it names."""
    path = GUIDES / guide
    assert path.is_file(), f"{SECTION_MAP.name}: {old!r} is mapped to {guide}, which does not exist"
    found = headings(path.read_text())
    assert heading in found, f"{SECTION_MAP.name}: {old!r} is mapped to {guide} '{heading}', not among {found}"


def relative_links(page: Path) -> list[str]:
    return [target for target in LINK.findall(prose(page.read_text()))
            if not re.match(r"[a-z][a-z0-9+.-]*:", target)]


@pytest.mark.parametrize("page", pages(), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_relative_links_resolve(page):
    """Every relative link of the README and the guides names an existing file, and its #anchor a heading there."""
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and linked.suffix == ".md" and anchor not in map(slug, headings(linked.read_text())):
            broken.append(f"{target} (no heading with the anchor #{anchor})")
    assert not broken, f"{page.relative_to(ROOT)}: broken links: {broken}"


def test_the_link_check_sees_broken_links(tmp_path):
    """The link reader finds links in prose, not in code, and anchors are GitHub's slugs."""
    page = tmp_path / "page.md"
    page.write_text("See [a](a.md#x) and [`b`](../b.md).\n\n```\n[c](c.md)\n```\n`[d](d.md)`\n[web](https://x.org)\n")
    assert ["a.md#x", "../b.md"] == relative_links(page)
    assert "keras-2-and-keras-3-as-data" == slug("Keras 2 and Keras 3, as data")
    assert "predict-speed-benchmarks" == slug("`predict()` speed (benchmarks)")

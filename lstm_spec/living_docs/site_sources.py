"""The documentation site's sources, gathered at build time into ``docs/site/_generated/`` (git-ignored).

Sphinx reads only its source folder, ``docs/site/``; the pages live elsewhere.  ``stage`` writes:

- one page per behaviour, ``specs/test_NN_name.md``, from its spec file: the title and text of the
  module's docstring, one entry per spec (test function) with its docstring sentence, the source;
- a copy of every Markdown page under ``docs/`` (``docs/*.md``, ``docs/guides/*.md``, the upgrade
  reports, ...), picked by glob so a new page appears in the site with no list to edit.

The staged tree mirrors the repository (``_generated/docs/shapes.md``, ``_generated/specs/...``), so
the pages' relative links stay valid: a link to a spec file becomes a link to its behaviour page, one
to ``README.md`` the site's landing page, one to any other file of the repository a download of a
staged copy.  A link to a file that does not exist is left alone, for Sphinx to report as a broken
link (the build turns warnings into errors).  Generated pages are never edited: only their copies.
Standard library only.
"""

from __future__ import annotations

import ast
import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lstm_spec.living_docs.behaviours import behaviour_handles, behaviour_title, spec_files

ROOT = Path(__file__).resolve().parents[2]
STAGED = PurePosixPath("_generated")
# Every Markdown page under docs/ (but the site's own): a page that no group of the landing page lists
# (site_contents.GROUPS) fails the build.
PAGE_GLOBS = ("docs/**/*.md",)
# A link's text may hold code spans with brackets of their own (a test id: `test_x[case]`).
LINK = re.compile(r"(?P<open>!?\[(?:`[^`]*`|[^\]`])*\]\()(?P<target>[^)\s]+)(?P<close>\))")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", re.IGNORECASE)


def page_sources(root: Path = ROOT) -> list[Path]:
    """The Markdown pages under ``docs/`` that the site shows, relative to ``root``."""
    found = {path.relative_to(root) for pattern in PAGE_GLOBS for path in root.glob(pattern)}
    return sorted(path for path in found if "site" not in path.parts[:2])


def behaviour_page_name(spec: Path) -> PurePosixPath:
    """``specs/test_04_return_state.py`` -> ``specs/test_04_return_state.md``, the behaviour's page."""
    return PurePosixPath("specs") / Path(spec).with_suffix(".md").name


@dataclass(frozen=True)
class Spec:
    """One test function of a spec file: its name and docstring."""

    name: str
    sentence: str


def read_spec_file(path: Path) -> tuple[str, str, list[Spec]]:
    """(title, the docstring's further text, the specs) of a spec file, read without importing it."""
    module = ast.parse(path.read_text())
    docstring = ast.get_docstring(module) or path.stem
    first, _, rest = docstring.partition("\n")
    specs = [Spec(node.name, " ".join((ast.get_docstring(node) or "").split()))
             for node in module.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]
    return behaviour_title(path, first.strip()), rest.strip(), specs


CODE_SPAN = re.compile(r"(`+)(?:.+?)\1", re.DOTALL)
MARKDOWN_SPECIAL = re.compile(r"([*_<\\])")


def markdown_text(text: str) -> str:
    """A docstring's text for Markdown: ``*``, ``_`` and ``<`` outside code spans taken literally
    (``4*units``, ``h_{t-1}`` are no emphasis), code spans (```x```, ```` ``x`` ````) kept."""
    pieces, position = [], 0
    for span in CODE_SPAN.finditer(text):
        pieces += [MARKDOWN_SPECIAL.sub(r"\\\1", text[position:span.start()]), span.group()]
        position = span.end()
    return "".join(pieces + [MARKDOWN_SPECIAL.sub(r"\\\1", text[position:])])


def behaviour_page(path: Path, root: Path = ROOT) -> str:
    """The Markdown page of one behaviour, from its spec file."""
    title, text, specs = read_spec_file(path)
    title, text = markdown_text(title), markdown_text(text)
    number, name = behaviour_handles(path)
    source = path.relative_to(root).as_posix()
    lines = [f"# {title}", "", text, "",
             f"Spec file: `{source}`; run it with `python3 suite.py test {number}` (or `test {name}`).", "",
             "## The specs", ""]
    lines += [f"- `{spec.name}`: {markdown_text(spec.sentence) or '(no docstring)'}" for spec in specs]
    lines += ["", "## The source", "", f"`{source}`:", "", "````python", path.read_text().rstrip(), "````", ""]
    return "\n".join(lines)


def rewrite_links(text: str, page: PurePosixPath, root: Path = ROOT) -> tuple[str, set[PurePosixPath]]:
    """``text`` (the page at ``page``, relative to the repository) with its links pointed into the staged
    tree; and the repository files it links that are no page, to copy beside it."""
    pages = set(map(PurePosixPath, (path.as_posix() for path in page_sources(root))))
    files: set[PurePosixPath] = set()

    def point(match: re.Match) -> str:
        target = match["target"]
        if EXTERNAL.match(target):
            return match.group()
        path_text, hash_, fragment = target.partition("#")
        linked = _normalize(page.parent / path_text)
        if linked is None or not (root / linked).is_file() or linked in pages:
            return match.group()  # a page (its link holds in the mirror), or missing: Sphinx reports it
        if behaviour_handles(linked.name) and linked.parent == PurePosixPath("specs"):
            new = behaviour_page_name(Path(linked.name))
        elif linked == PurePosixPath("README.md"):
            new = PurePosixPath("index.md")
        else:
            files.add(linked)
            return match.group()
        relative = _relative(new if new.name != "index.md" else PurePosixPath("..") / new, page)
        return f"{match['open']}{relative}{hash_}{fragment}{match['close']}"

    return LINK.sub(point, text), files


def _normalize(path: PurePosixPath) -> PurePosixPath | None:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None  # above the repository
            parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts)


def _relative(target: PurePosixPath, page: PurePosixPath) -> str:
    """``target`` (relative to the staged root; ``../index.md`` is the site's own root) from ``page``'s folder."""
    ups = len(page.parent.parts)
    return "/".join([".."] * ups + [str(target)]) if ups else str(target)


def stage(destination: Path, root: Path = ROOT) -> list[PurePosixPath]:
    """Writes the site's generated sources into ``destination`` (emptied first); returns the pages written."""
    if destination.exists():
        shutil.rmtree(destination)
    written = []
    for spec in spec_files(root):
        written.append(_write(destination, behaviour_page_name(spec), behaviour_page(spec, root)))
    for source in page_sources(root):
        page = PurePosixPath(source.as_posix())
        text, files = rewrite_links((root / source).read_text(), page, root)
        written.append(_write(destination, page, text))
        for linked in files:
            (destination / linked).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / linked, destination / linked)
    return written


def _write(destination: Path, page: PurePosixPath, text: str) -> PurePosixPath:
    target = destination / page
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    return page


INDEX = ROOT / "docs" / "site" / "index.md"
TOCTREE = re.compile(r"^```\{toctree\}\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)


def toctree_entries(index_text: str) -> list[str]:
    """The entries (pages or glob patterns) of the toctrees of a Markdown text (the landing page's contents)."""
    return [line.strip() for match in TOCTREE.finditer(index_text) for line in match["body"].splitlines()
            if line.strip() and not line.strip().startswith(":")]


def _pattern(entry: str) -> re.Pattern:
    # Sphinx's toctree globs: `**` crosses folders, `*` does not.
    text = re.escape(entry).replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
    return re.compile(rf"^{text}$")


def in_navigation(document: str, entries: list[str]) -> bool:
    """Whether a document (``_generated/specs/test_04_return_state``, no suffix) is in one of the toctrees."""
    return any(_pattern(entry).match(document) for entry in entries)


def staged_document(page: PurePosixPath) -> str:
    """The Sphinx document name of a staged page: ``docs/shapes.md`` -> ``_generated/docs/shapes``."""
    return str(STAGED / page.with_suffix(""))

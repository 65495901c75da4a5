"""The landing page's contents, grouped as documentation sites group theirs: the page the suite started
from, the behaviours by topic, the guides, the generated pages and the reports.

``docs/site/index.md`` includes ``_generated/contents.md``, which ``contents_markdown`` writes from
``GROUPS`` when the build starts (``docs/site/_ext/site_pages.py``); each group is a section of the
landing page and a caption of the navigation.  A page is one line of data: its path in the repository
(a glob for the pages a command names itself, such as the upgrade reports), or, without ``.md``, a
document of the site's own as Sphinx names it (the page run again).  A listed page whose file does not
exist is left out, so its line may come before it.  A page the site stages that no group lists is
``ungrouped``: the build warns (an error under -W) and tests/test_site_sources.py fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lstm_spec.living_docs.behaviours import behaviour_handles, spec_files
from lstm_spec.living_docs.site_sources import ROOT, behaviour_page_name, staged_document

CONTENTS = "contents.md"  # in the staged folder, _generated/; conf.py keeps it out of the documents
GLOB = set("*?[")


@dataclass(frozen=True)
class Topic:
    """The behaviours of one topic, by spec number, in reading order."""

    title: str
    numbers: tuple[int, ...]


@dataclass(frozen=True)
class Group:
    """One section of the landing page: its pages, or its behaviours by topic."""

    title: str
    about: str
    pages: tuple[str, ...] = ()
    topics: tuple[Topic, ...] = ()


GROUPS = (
    Group("The page", "The page the suite started from, \"understanding Input/output of LSTM\" (TensorFlow 2.7), "
          "and that page run again on today's versions, block by block beside what it printed then.",
          pages=("page-again/index", "docs/page/README.md")),
    Group("Behaviours", "Each behaviour is a spec file under `specs/`, run by `python3 suite.py test`: its page "
          "lists the specs, one sentence each, and shows the source.",
          topics=(Topic("Input and output shapes", (1, 2, 3, 4, 5, 6, 20)),
                  Topic("Models around the layer", (7, 8, 9, 23, 24)),
                  Topic("Weights and equations", (10, 13, 14, 15, 16, 21)),
                  Topic("Options, wrappers and ConvLSTM1D", (22, 25, 26, 27, 28, 29, 30)),
                  Topic("Values and defaults", (11, 17, 18, 19)),
                  Topic("What Keras prints and raises", (12, 31)),
                  Topic("PyTorch and the backends", (32, 33, 34, 35, 36, 37, 40)),
                  Topic("Saved models", (41, 42, 43, 44, 45)),
                  Topic("Your own model: check and migrate", (46, 47)),
                  Topic("Deployed: LiteRT, ONNX and OpenVINO", (48, 49, 50, 51, 52, 53)))),
    Group("Guides", "How to run, read and extend the suite, one topic each.",
          pages=("docs/guides/reading-a-run.md",
                 "docs/guides/check-your-own-model.md",
                 "docs/guides/the-numpy-oracle.md",
                 "docs/guides/snapshots.md",
                 "docs/guides/versions-and-upgrade-reports.md",
                 "docs/guides/backends.md",
                 "docs/guides/keras-beside-pytorch.md",
                 "docs/guides/saved-models.md",
                 "docs/guides/deployment.md",
                 "docs/guides/speed.md",
                 "docs/guides/the-suites-own-tests.md",
                 "docs/guides/layout.md",
                 "docs/guides/old-readme-sections.md")),
    Group("Generated pages", "Written from the specs' own runs by the command each page names; "
          "a spec run fails when one differs from what the specs observe.",
          pages=("docs/shapes.md", "docs/saved-models.md", "docs/history.md", "docs/keras-vs-pytorch.md",
                 "docs/deployment.md")),
    Group("Reports", "Upgrade reports written by `python3 suite.py report`, benchmark runs and the "
          "machinery's mutation scores.",
          pages=("docs/upgrade-reports/*.md", "docs/benchmarks/README.md", "docs/benchmarks/backends/README.md",
                 "docs/mutation.md")),
)


def page_documents(pages: tuple[str, ...], root: Path = ROOT) -> list[str]:
    """The Sphinx documents of a group's pages, in order; listed pages with no file left out."""
    documents = []
    for page in pages:
        if not page.endswith(".md"):
            documents.append(page)
        elif GLOB & set(page):
            documents += [_staged(path.relative_to(root)) for path in sorted(root.glob(page))]
        elif (root / page).is_file():
            documents.append(_staged(Path(page)))
    return documents


def topic_documents(topic: Topic, root: Path = ROOT) -> list[str]:
    """The Sphinx documents of a topic's behaviour pages, in order; numbers with no spec file left out."""
    by_number = {behaviour_handles(spec)[0]: spec for spec in spec_files(root)}
    return [staged_document(behaviour_page_name(by_number[number])) for number in topic.numbers
            if number in by_number]


def grouped_documents(groups: tuple[Group, ...] = GROUPS, root: Path = ROOT) -> list[str]:
    """Every document the groups list, in the landing page's order (a document listed twice, twice)."""
    return [document for group in groups
            for document in page_documents(group.pages, root)
            + [document for topic in group.topics for document in topic_documents(topic, root)]]


def ungrouped(staged: list[PurePosixPath], groups: tuple[Group, ...] = GROUPS,
              root: Path = ROOT) -> list[PurePosixPath]:
    """The staged pages (``docs/x.md``, ``specs/test_NN_name.md``) that no group lists."""
    listed = set(grouped_documents(groups, root))
    return [page for page in staged if staged_document(page) not in listed]


def contents_markdown(groups: tuple[Group, ...] = GROUPS, root: Path = ROOT) -> str:
    """The landing page's sections: per group a heading, its sentence and a toctree (one per topic)."""
    lines: list[str] = []
    for group in groups:
        lines += [f"## {group.title}", "", group.about, ""]
        lines += _toctree(group.title, page_documents(group.pages, root))
        for topic in group.topics:
            lines += [f"### {topic.title}", ""]
            lines += _toctree(f"{group.title}: {topic.title}", topic_documents(topic, root))
    return "\n".join(lines)


def _toctree(caption: str, documents: list[str]) -> list[str]:
    if not documents:
        return []
    return ["```{toctree}", f":caption: {caption}", ":maxdepth: 1", "", *documents, "```", ""]


def _staged(page: Path) -> str:
    return staged_document(PurePosixPath(page.as_posix()))

"""Sphinx extension: ``.. page-printed:: N``, what the page's cell N printed under TensorFlow 2.7, and the
spec that states it.  Used in the text after each block of the page run again (``gallery/``):

    .. page-printed:: 4
       :spec: 2
       :changed: why the block above is not the page's code verbatim (optional)

It renders the cell's output as ``lstm_spec.living_docs.page_again.printed_output`` lays it out,
and a link to the behaviour's page (a missing spec is an error, so is a link Sphinx cannot resolve).
"""

from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from lstm_spec.living_docs.behaviours import behaviour_title, find_spec_file
from lstm_spec.living_docs.page_again import printed_output, terminal_text
from lstm_spec.living_docs.site_sources import ROOT, STAGED, behaviour_page_name, read_spec_file
from lstm_spec.models.page import PAGE_FILE, split_cells


class PagePrinted(SphinxDirective):
    """What the page's cell printed under TensorFlow 2.7, and the spec that states the block."""

    required_arguments = 1
    option_spec = {"spec": directives.unchanged_required, "changed": directives.unchanged}

    def run(self):
        cells = split_cells(PAGE_FILE.read_text())
        index = int(self.arguments[0])
        if not 0 <= index < len(cells):
            raise self.error(f"page-printed: the page has cells 0-{len(cells) - 1}, not {index}")
        spec = find_spec_file(ROOT, self.options.get("spec", ""))
        if spec is None:
            raise self.error(f"page-printed {index}: :spec: {self.options.get('spec')!r} names no spec file "
                             "(a behaviour's number or short name, as `python3 suite.py list` shows them)")
        self.env.note_dependency(str(PAGE_FILE))
        self.env.note_dependency(str(spec))
        box = nodes.container(classes=["page-printed"])
        printed = printed_output(cells[index])
        intro = ("Under TensorFlow 2.7 the page printed:" if printed
                 else "Under TensorFlow 2.7 this block printed nothing.")
        box += nodes.paragraph(text=intro)
        if printed:
            box += nodes.literal_block(printed, printed, language="none", classes=["page-printed-output"])
        if "changed" in self.options:
            box += nodes.paragraph(text=f"Changed from the page: {self.options['changed']}.")
        box += self._spec_link(spec)
        return [box]

    def _spec_link(self, spec: Path) -> nodes.paragraph:
        title, _, _ = read_spec_file(spec)
        target = "/" + str(STAGED / behaviour_page_name(spec).with_suffix(""))
        link = addnodes.pending_xref("", refdomain="std", reftype="doc", reftarget=target, refexplicit=True)
        link += nodes.inline(title, title)
        paragraph = nodes.paragraph(text="Stated by ")
        paragraph += link
        return paragraph


def _as_a_terminal_shows_it(app, docname: str, source: list[str]) -> None:
    """Today's output as the reader's terminal would show it: Keras' progress bar redraws itself with
    carriage returns and backspaces, which Sphinx-Gallery captures as they were written.  The file is read
    again without newline translation: Sphinx's reading turned each carriage return into a new line."""
    if docname.startswith(app.config.sphinx_gallery_conf["gallery_dirs"] + "/"):
        with open(app.env.doc2path(docname), encoding="utf-8", newline="") as written:
            source[0] = terminal_text(written.read().replace("\r\n", "\n"))


def setup(app):
    app.add_directive("page-printed", PagePrinted)
    app.connect("source-read", _as_a_terminal_shows_it)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

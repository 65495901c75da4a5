"""Sphinx extension: a table cell's long words may break (``lstm_spec.living_docs.cell_breaks`` says where),
so that a table scrolls sideways only when its columns cannot fit at all.  Only the HTML changes: the
text, which the search index reads, is as written.  site.css lets a cell's code wrap at those points."""

from docutils import nodes
from sphinx.writers.html5 import HTML5Translator

from lstm_spec.living_docs.cell_breaks import breakable, breakable_code


def in_table_cell(node: nodes.Node) -> bool:
    """Whether ``node`` lies in a table's cell."""
    while node is not None:
        if isinstance(node, nodes.entry):
            return True
        node = node.parent
    return False


class TableBreaksTranslator(HTML5Translator):
    """Sphinx's HTML translator, with table cells' long words breakable."""

    def visit_Text(self, node: nodes.Text) -> None:
        start = len(self.body)
        super().visit_Text(node)
        if in_table_cell(node):
            mend = breakable_code if self.protect_literal_text else breakable
            self.body[start:] = [mend(piece) for piece in self.body[start:]]


def setup(app):
    app.set_translator("html", TableBreaksTranslator)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Sphinx extension: gathers the generated pages and the behaviours' pages into ``_generated/`` when the
build starts (``lstm_spec.living_docs.site_sources.stage``), before Sphinx looks for its sources, and
writes the landing page's grouped contents beside them (``lstm_spec.living_docs.site_contents``)."""

from pathlib import Path

from sphinx.util import logging

from lstm_spec.living_docs.site_contents import CONTENTS, contents_markdown, ungrouped
from lstm_spec.living_docs.site_sources import stage

logger = logging.getLogger(__name__)


def _stage(app, config) -> None:
    generated = Path(app.srcdir) / "_generated"
    written = stage(generated)
    (generated / CONTENTS).write_text(contents_markdown())
    logger.info(f"site_pages: {len(written)} pages staged into _generated/")
    for page in ungrouped(written):
        logger.warning(f"site_pages: {page} is in no group of the landing page; add its line to a group "
                       "(or its spec number to a topic) in lstm_spec/living_docs/site_contents.py")


def setup(app):
    app.connect("config-inited", _stage)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

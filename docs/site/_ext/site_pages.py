"""Sphinx extension: gathers the generated pages and the behaviours' pages into ``_generated/`` when the
build starts (``lstm_spec.living_docs.site_sources.stage``), before Sphinx looks for its sources."""

from pathlib import Path

from sphinx.util import logging

from lstm_spec.living_docs.site_sources import stage

logger = logging.getLogger(__name__)


def _stage(app, config) -> None:
    written = stage(Path(app.srcdir) / "_generated")
    logger.info(f"site_pages: {len(written)} pages staged into _generated/")


def setup(app):
    app.connect("config-inited", _stage)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

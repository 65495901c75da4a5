"""Sphinx configuration of the documentation site: ``python3 suite.py site`` (``nox -s site``) builds it.

MyST reads the Markdown pages, Sphinx-Gallery runs the page the suite started from again
(``gallery/``), and ``_ext/site_pages.py`` gathers the generated pages and the behaviours' pages
into ``_generated/`` before Sphinx reads its sources (``lstm_spec/living_docs/site_sources.py``),
with the landing page's grouped contents (``lstm_spec/living_docs/site_contents.py``).  The theme
is Furo; ``_ext/table_breaks.py`` and ``_static/site.css`` fit the generated tables to its width.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE / "_ext")]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up lines, while the example runs

project = "LSTM shape specs"
author = "the LSTM shape specs project"
extensions = ["myst_parser", "sphinx_gallery.gen_gallery", "sphinx.ext.mathjax", "site_pages", "page_cells",
              "table_breaks"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_generated/contents.md"]  # the landing page's contents, included by index.md
html_theme = "furo"  # requirements/docs-lock.txt pins it
html_title = project
html_theme_options = {"navigation_with_keys": True}
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_show_sourcelink = False
templates_path = []

# Headings get anchors so that pages can link to each other's sections: [x](shapes.md#section).
myst_heading_anchors = 3

sphinx_gallery_conf = {
    "examples_dirs": "gallery",
    "gallery_dirs": "page-again",
    "filename_pattern": r"/plot_",  # run every example (there is one: the page)
    "run_stale_examples": True,  # run at every build, on the versions installed now
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "show_memory": False,
    "line_numbers": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "default_thumb_file": None,
    "capture_repr": ("__repr__",),
}

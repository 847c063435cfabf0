"""Sphinx configuration for flask-crossorigin."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))
sys.path.insert(0, os.path.abspath("_ext"))

from flask_crossorigin import __version__

project = "flask-crossorigin"
author = "flask-crossorigin developers"
copyright = "2026, flask-crossorigin developers"
release = __version__
version = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "cors_options",
]
intersphinx_mapping: dict[str, tuple[str, None]] = {}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
html_theme = "furo"
html_title = f"flask-crossorigin {release}"
html_static_path = ["_static"]
exclude_patterns = ["_build"]
nitpicky = False

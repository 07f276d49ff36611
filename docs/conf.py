"""Sphinx configuration of the nmanalysis documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``
(warnings are errors in CI). Nothing here needs the network: intersphinx is
off, and the gallery runs offline.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nmanalysis  # noqa: E402

# -- project ---------------------------------------------------------------------------------
project = "nmanalysis"
author = "the nmanalysis developers"
copyright = "the nmanalysis developers"
release = nmanalysis.__version__
version = ".".join(release.split(".")[:2])

# -- general ---------------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
# intersphinx stays off: CI has no internet.

root_doc = "index"
source_suffix = {".rst": "restructuredtext"}
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "**.ipynb_checkpoints",
    # sphinx-gallery writes these next to the generated .rst pages; they are
    # downloads, not sources
    "auto_examples/**/*.ipynb",
    "auto_examples/**/*.py",
    "auto_examples/**/*.zip",
    "auto_examples/**/*.md5",
    "auto_examples/**/*.json",
    "auto_examples/**/*.pickle",
    "gen_modules",
]
nitpicky = False
default_role = "literal"
pygments_style = "sphinx"

# -- autodoc / autosummary / numpydoc ----------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"          # numpydoc sections already say the types
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False
numpydoc_use_plots = False

# Per-object pages: the object's documentation, then the gallery examples that
# use it (sphinx-gallery back-references). The two templates live here rather
# than in docs/_templates so that this file is the whole configuration; they
# are written to a fixed temporary folder at every build.
_AUTOSUMMARY_TEMPLATES = {
    "class.rst": """\
{{ fullname | escape | underline }}

.. currentmodule:: {{ module }}

.. autoclass:: {{ objname }}

.. minigallery:: {{ fullname }}
   :add-heading: Examples using ``{{ objname }}``
   :heading-level: -
""",
    "function.rst": """\
{{ fullname | escape | underline }}

.. currentmodule:: {{ module }}

.. autofunction:: {{ objname }}

.. minigallery:: {{ fullname }}
   :add-heading: Examples using ``{{ objname }}``
   :heading-level: -
""",
    "exception.rst": """\
{{ fullname | escape | underline }}

.. currentmodule:: {{ module }}

.. autoexception:: {{ objname }}
""",
}


def _write_templates() -> str:
    root = Path(tempfile.gettempdir()) / "nmanalysis-docs-templates"
    folder = root / "autosummary"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in _AUTOSUMMARY_TEMPLATES.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return str(root)


templates_path = [_write_templates()]

# -- sphinx-gallery ------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../gallery",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("nmanalysis",),
    "reference_url": {"nmanalysis": None},
    "subsection_order": [
        "../gallery/getting_started",
        "../gallery/simulation",
        "../gallery/equilibria",
        "../gallery/continuation",
        "../gallery/cycles",
        "../gallery/sweeps",
        "../gallery/basins",
        "../gallery/regimes",
        "../gallery/networks",
        "../gallery/interop",
        "*",
    ],
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
    "show_memory": False,
}

# Examples compile each model once (tens of seconds); share the kernels with
# the tests when the caller set NMANALYSIS_CACHE_DIR, use the default otherwise.
os.environ.setdefault("MPLBACKEND", "Agg")

# -- HTML ------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"nmanalysis {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False
html_context = {"default_mode": "light"}

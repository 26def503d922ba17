"""Sphinx extension: a book that renders offline, with a clean browser console.

``tools/vendor_assets.py`` puts MathJax, RequireJS and the ipywidgets HTML manager
under ``_assets/vendor/``. When they are there, this extension adds ``_assets`` to
``html_static_path`` (Sphinx copies it to ``_static/``), points ``mathjax_path`` at
the local MathJax, replaces myst-nb's CDN URLs of RequireJS and the widget manager
with local ones, and inserts ``_assets/widgets-config.js`` between them to tell the
widget manager where its own font files are (it would look for them next to the
page). When the files are missing it leaves the CDN
defaults and says so. (The folder is not named ``_static``: Jupyter Book 1 would
add every .js and .css file in it to every page.)

It also adds the book's own stylesheet, ``_assets/saebook.css`` (phone layout), and
script, ``_assets/saebook.js`` (a fix of sphinx-togglebutton's click handler), to
every page, with or without the vendored files, and MathJax to the search page,
where ``saebook.js`` typesets the math that the results quote.

It also removes an error that every reader's browser console would show with
Jupyter Book 1.0.4: sphinx-thebe's configuration script is included twice (a
``const`` declared twice is a SyntaxError).
"""

import json
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

ASSETS = "_assets"
MATHJAX = "vendor/mathjax/tex-mml-chtml.js"
REQUIREJS = "vendor/requirejs/require.js"
WIDGET_MANAGER = "vendor/html-manager/embed-amd.js"
# Our own script, run between the two: where the widget manager finds its fonts.
WIDGETS_CONFIG = "widgets-config.js"
# Our own stylesheet and script, on every page.
STYLESHEET = "saebook.css"
SCRIPT = "saebook.js"


def configure(app, config):
    assets = Path(app.srcdir) / ASSETS
    # Copied to _static/ whatever else happens: the stylesheet lives here too.
    config.html_static_path = [*config.html_static_path, str(assets)]
    needed = (MATHJAX, REQUIREJS, WIDGET_MANAGER)
    missing = [f for f in needed if not (assets / f).exists()]
    if missing:
        logger.info(
            "offline_assets: %s missing (run tools/vendor_assets.py); "
            "the book loads MathJax and the widget manager from CDNs",
            ", ".join(missing),
        )
        return
    config.mathjax_path = MATHJAX
    # myst-nb adds these scripts, in this order, to pages with widgets.
    config.nb_ipywidgets_js = {REQUIREJS: {}, WIDGETS_CONFIG: {}, WIDGET_MANAGER: {}}
    logger.info("offline_assets: MathJax and the widget manager served locally")


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    """Keep the first of identical script entries (same file, same attributes)."""
    if "script_files" not in context:
        return
    seen, unique = set(), []
    for script in context["script_files"]:
        attributes = getattr(script, "attributes", {}) or {}
        # An inline script is added with filename None by some extensions, "" by
        # others: the same script either way.
        filename = str(getattr(script, "filename", script) or "")
        key = (filename, tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"][:] = unique  # in place: later handlers append to it


def mathjax_on_the_search_page(app, pagename, templatename, context, doctree):
    """Load MathJax on the search page too, as sphinx.ext.mathjax does elsewhere.

    Sphinx loads MathJax only on pages with math; the search page has none of its
    own, but its results quote the pages' TeX (``\\(n_L\\)``), which
    ``_assets/saebook.js`` typesets as the results appear.
    """
    if pagename != "search" or app.builder.format != "html":
        return
    if getattr(app.builder, "math_renderer_name", None) != "mathjax":
        return
    if app.config.mathjax3_config:
        body = "window.MathJax = " + json.dumps(app.config.mathjax3_config)
        app.builder.add_js_file("", body=body)
    app.builder.add_js_file(app.config.mathjax_path, defer="defer")


def setup(app):
    # Before myst-nb and the math extension read the configuration.
    app.connect("config-inited", configure, priority=100)
    app.add_css_file(STYLESHEET)
    # Deferred: it runs after togglebutton.js and before the toggles are set up.
    app.add_js_file(SCRIPT, loading_method="defer")
    # html-page-context stops at the first handler that returns a template name:
    # run before the themes' handlers.
    app.connect("html-page-context", drop_duplicate_scripts, priority=100)
    app.connect("html-page-context", mathjax_on_the_search_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

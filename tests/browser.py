"""Look at the built book the way a reader does: in headless Chromium, offline.

Used by tests/test_book.py after the strict build. Every page of ``_build/html`` is
served on 127.0.0.1 and opened with every other host blocked; for each page we
collect what a reader would notice: untypeset or broken math, images that did not
load, widgets that did not render, console errors, requests that left the machine.
Links and anchors are checked from the HTML files themselves.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
INSTALL_HINT = (
    "headless Chromium is needed for the browser test: on Debian or Ubuntu run "
    "`apt-get install chromium` (CI installs it by itself)"
)


def find_chromium() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@contextmanager
def serve(directory: Path):
    """Serve a directory on 127.0.0.1 (a free port) for the duration of a block."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# What the page reports about itself once MathJax has finished.
INSPECT_PAGE = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const maths = Array.from(document.querySelectorAll("div.math, span.math"));
  const untypeset = maths.filter(m => !m.querySelector("mjx-container"))
                         .map(m => m.textContent.slice(0, 80));
  const errors = Array.from(document.querySelectorAll("mjx-merror, .MathJax_Error"))
                      .map(e => e.textContent.slice(0, 80));
  const main = document.querySelector("main") || document.body;
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const raw = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest("pre, code, script, style, mjx-container, .math"))
      continue;
    if (/\\$\\$|\\\\\\(|\\\\\\[/.test(node.textContent))
      raw.push(node.textContent.slice(0, 80));
  }
  const images = Array.from(document.images);
  for (const img of images) {
    img.loading = "eager";
    try { await img.decode(); } catch (e) {}
  }
  const broken = images.filter(i => !(i.complete && i.naturalWidth > 0))
                       .map(i => i.getAttribute("src"));
  // Every picture of the text says what it shows: alt text (not the file name that
  // myst-nb writes when a cell sets none) or a figure caption. The pictures inside a
  // widget (chapter 8's browser) are titled by the widget's own slider and tabs.
  const undescribed = Array.from(main.querySelectorAll("img"))
      .filter(i => !i.closest(".jupyter-widgets, .widget-subarea"))
      .filter(i => {
        const alt = (i.getAttribute("alt") || "").trim();
        const caption = i.closest("figure")?.querySelector("figcaption");
        if (caption && caption.textContent.trim()) return false;
        return alt.length < 20 || /\\.(png|jpe?g|gif|svg)$/i.test(alt);
      })
      .map(i => i.getAttribute("src"));
  const widgetViews = document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-view+json"]').length;
  const widgetsRendered = document.querySelectorAll(".jupyter-widgets").length;
  // The course download's address (a fetch of a .zip counts as a failed request
  // in Chromium: the test resolves the address against the build folder instead).
  const course = document.querySelector('a[href$="saebook-course.zip"]');
  const courseLink = course ? new URL(course.href).pathname : null;
  const downloadMenu = !!document.querySelector(".dropdown-download-buttons");
  // The whole book's PDF, when make pdf has built it (tools/pdf_book.py).
  const pdf = document.querySelector('.dropdown-download-buttons a[href$=".pdf"]');
  const pdfLink = pdf ? new URL(pdf.href).pathname : null;
  return {maths: maths.length, untypeset, errors, raw, images: images.length,
          broken, undescribed, widgetViews, widgetsRendered, courseLink, downloadMenu,
          pdfLink,
          mathjax: !!(window.MathJax && MathJax.version)};
}
"""


# What sticks out of the viewport at the current width, outside a box that scrolls
# sideways (overflow-x auto or scroll): cut off, or widening the whole page. Hidden
# parts (closed toggles, the off-canvas sidebars, MathJax's assistive copy) do not
# count; of nested offenders the outermost is named.
STICKING_OUT = """
() => {
  const width = window.innerWidth;
  const inScrollBox = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (["auto", "scroll"].includes(style.overflowX)
          && a.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const hidden = ".d-none, [hidden], .bd-sidebar-primary, .bd-sidebar-secondary, " +
                 "details:not([open]), mjx-assistive-mml";
  const out = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > width + 1 && !inScrollBox(el);
  };
  const main = document.querySelector("main") || document.body;
  const offenders = [];
  for (const el of main.querySelectorAll("*")) {
    if (el.closest(hidden) || !out(el)) continue;
    const parent = el.parentElement;
    if (parent && main.contains(parent) && parent !== main && out(parent)) continue;
    const text = el.textContent.trim().slice(0, 60);
    offenders.push(`${el.tagName.toLowerCase()}: ${text}`);
  }
  return {pageWidth: document.documentElement.scrollWidth, width, offenders};
}
"""


def evaluate_on_pages(
    chromium: str, root: Path, pages: list[str], script: str, width: int, settle=0
):
    """{page: what ``script`` returns on it}, once its math is typeset.

    ``settle`` milliseconds more let what renders after MathJax (widgets) appear.
    """
    from playwright.sync_api import sync_playwright

    found = {}
    with serve(root) as base, sync_playwright() as p:
        browser = _launch(p, chromium)
        page = browser.new_page(viewport={"width": width, "height": 900})
        for page_path in pages:
            page.goto(urljoin(base, page_path), wait_until="load")
            page.evaluate(
                "async () => { if (window.MathJax && MathJax.startup) "
                "await MathJax.startup.promise; }"
            )
            if settle:
                page.wait_for_timeout(settle)
            found[page_path] = page.evaluate(script)
        browser.close()
    return found


def sticking_out(chromium: str, root: Path, pages: list[str], width: int = 400):
    """{page: (page width, [what sticks out])} at a viewport ``width`` px wide."""
    reports = evaluate_on_pages(chromium, root, pages, STICKING_OUT, width, settle=300)
    return {page: (r["pageWidth"], r["offenders"]) for page, r in reports.items()}


# How much of a page's article is code a reader sees without clicking: the heights
# of the visible code inputs (folded "Show code" cells count as their button only)
# against the article's height, and the longest visible code block in lines.
VISIBLE_CODE = """() => {
  const article = document.querySelector("article.bd-article") ||
                  document.querySelector("main");
  const total = article.getBoundingClientRect().height;
  let code = 0, longest = 0;
  for (const input of article.querySelectorAll("div.cell div.cell_input")) {
    if (input.offsetParent === null) continue;
    const folded = input.closest("details");
    if (folded && !folded.open) continue;
    code += input.getBoundingClientRect().height;
    const pre = input.querySelector("pre");
    if (pre) longest = Math.max(longest, pre.innerText.trimEnd().split("\\n").length);
  }
  return {total, code, longest};
}"""


def visible_code(chromium: str, root: Path, pages: list[str], width: int = 1280):
    """{page: (share of visible code in the article's height, longest code lines)}."""
    reports = evaluate_on_pages(chromium, root, pages, VISIBLE_CODE, width)
    return {page: (r["code"] / r["total"], r["longest"]) for page, r in reports.items()}


def click_toggles(chromium: str, root: Path, pages: list[str]):
    """Click each collapsed toggle (solutions, folded cells) once; {page: result}.

    The click lands on the first element inside the toggle's title (the link to
    the exercise, a span), where sphinx-togglebutton 0.4.5 alone raised
    "button is not defined". The result is (toggles, opened, page errors).
    """
    from playwright.sync_api import sync_playwright

    found = {}
    with serve(root) as base, sync_playwright() as p:
        browser = _launch(p, chromium)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        for page_path in pages:
            errors.clear()
            page.goto(urljoin(base, page_path), wait_until="load")
            hidden = page.locator(".admonition.toggle-hidden").element_handles()
            opened = 0
            for admonition in hidden:
                title = admonition.query_selector(":scope > .admonition-title")
                target = title.query_selector(":scope > *") or title
                target.scroll_into_view_if_needed()
                box = target.bounding_box()
                page.mouse.click(box["x"] + 3, box["y"] + box["height"] / 2)
                opened += "toggle-hidden" not in (
                    admonition.get_attribute("class") or ""
                )
            toggles = len(hidden)
            found[page_path] = (toggles, opened, list(errors))
        browser.close()
    return found


# The search entries a reader sees on a page: the theme's search fields and buttons
# and any search input, counted when they are rendered (a field in a closed dialog,
# in a sidebar hidden off-canvas or hidden by the theme at this width does not count).
SEARCH_ENTRIES = """() => Array.from(document.querySelectorAll(
    ".search-button__button, .search-button-field, input[type=search]"))
  .filter(e => {
    const r = e.getBoundingClientRect();
    return e.offsetParent !== null && r.width > 0 && r.height > 0
           && getComputedStyle(e).visibility !== "hidden";
  })
  .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} in ` +
            `${e.parentElement.className || e.parentElement.tagName.toLowerCase()}`)
"""


def search_entries(chromium: str, root: Path, page_path: str, widths=(1280, 400)):
    """{width: [the search entries visible on the page at that viewport width]}."""
    from playwright.sync_api import sync_playwright

    found = {}
    with serve(root) as base, sync_playwright() as p:
        browser = _launch(p, chromium)
        for width in widths:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(urljoin(base, page_path), wait_until="load")
            found[width] = page.evaluate(SEARCH_ENTRIES)
            page.close()
        browser.close()
    return found


# The search page's results for a query, once they stop arriving: how many, how many
# formulas MathJax typeset in them, and the snippets still showing raw TeX.
SEARCH_RESULTS = """async () => {
  const results = document.getElementById("search-results");
  let count = -1;
  for (let i = 0; i < 50; i++) {  // results arrive one by one, snippets fetched
    await new Promise((done) => setTimeout(done, 200));
    const now = results.querySelectorAll("p.context").length;
    if (now > 0 && now === count) break;
    count = now;
  }
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  await new Promise((done) => setTimeout(done, 500));  // the last typesetting pass
  const snippets = Array.from(results.querySelectorAll("li"));
  const backslash = String.fromCharCode(92);  // "\\(" and "\\)" delimit TeX
  const raw = snippets.map((li) => li.textContent)
                      .filter((t) => t.includes(backslash + "(")
                                     || t.includes(backslash + ")"))
                      .map((t) => t.trim().slice(0, 100));
  return {results: snippets.length,
          typeset: results.querySelectorAll("mjx-container").length, raw};
}"""


def search_results(chromium: str, root: Path, query: str) -> tuple[dict, list]:
    """The search page's results for ``query`` (SEARCH_RESULTS), and page errors."""
    from playwright.sync_api import sync_playwright

    with serve(root) as base, sync_playwright() as p:
        browser = _launch(p, chromium)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(urljoin(base, f"search.html?q={query}"), wait_until="load")
        report = page.evaluate(SEARCH_RESULTS)
        browser.close()
    return report, errors


def _launch(playwright, chromium: str):
    """Headless Chromium that cannot resolve any host but 127.0.0.1."""
    return playwright.chromium.launch(
        executable_path=chromium,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        ],
    )


# The source of the image shown by the first widget on the page (blob: URLs are
# created per rendered image, so a new source means a new picture).
FIRST_WIDGET_IMAGE = """() => {
  const img = Array.from(document.querySelectorAll(".jupyter-widgets img"))
                   .find(i => i.offsetParent !== null);
  return img ? img.src : null;
}"""


def slide_first_widget(chromium: str, root: Path, page_path: str) -> tuple:
    """Drag the first widget slider of a page to its end, without a kernel.

    Returns the source of the first visible widget image before and after, and the
    console errors seen meanwhile. A static widget whose slider is linked in the
    browser (``ipywidgets.jslink``) to a ``Stack`` of images shows a new image.
    """
    from playwright.sync_api import sync_playwright

    with serve(root) as base, sync_playwright() as p:
        browser = _launch(p, chromium)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        console = []
        page.on("pageerror", lambda e: console.append(str(e)))
        page.goto(urljoin(base, page_path), wait_until="load")
        slider = page.locator(".jupyter-widgets .noUi-target").first
        slider.wait_for(timeout=20_000)
        slider.scroll_into_view_if_needed()
        before = page.evaluate(FIRST_WIDGET_IMAGE)
        box = slider.bounding_box()
        page.mouse.click(box["x"] + 0.99 * box["width"], box["y"] + box["height"] / 2)
        page.wait_for_timeout(500)
        after = page.evaluate(FIRST_WIDGET_IMAGE)
        browser.close()
    return before, after, console


def inspect_pages(chromium: str, root: Path, pages: list[str], screenshot: dict):
    """Open each page; return {page: report}. ``screenshot`` maps page -> PNG path."""
    from playwright.sync_api import sync_playwright

    reports = {}
    with serve(root) as base, sync_playwright() as p:
        browser = _launch(p, chromium)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        local = urlparse(base).netloc
        for page_path in pages:
            page = context.new_page()
            report = {"console": [], "blocked": [], "failed": []}

            def route(r, report=report):
                if urlparse(r.request.url).netloc == local:
                    r.continue_()
                else:
                    report["blocked"].append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on(
                "console",
                lambda m, report=report: (
                    m.type == "error" and report["console"].append(m.text)
                ),
            )
            page.on(
                "pageerror", lambda e, report=report: report["console"].append(str(e))
            )
            page.on(
                "requestfailed",
                lambda r, report=report: report["failed"].append(r.url),
            )
            page.on(
                "response",
                lambda r, report=report: (
                    r.status >= 400
                    and report["failed"].append(f"HTTP {r.status} {r.url}")
                ),
            )
            response = page.goto(urljoin(base, page_path), wait_until="load")
            report["status"] = response.status if response else None
            report.update(page.evaluate(INSPECT_PAGE))
            page.wait_for_load_state("networkidle")
            if page_path in screenshot:
                screenshot[page_path].parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot[page_path]), full_page=False)
            reports[page_path] = report
            page.close()
        browser.close()
    return reports


class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


@functools.cache
def _parse(path: Path) -> _LinkParser:
    parser = _LinkParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(root: Path, pages: list[str]) -> list[str]:
    """Internal links of the pages whose file or anchor does not exist."""
    problems = []
    for page_path in pages:
        for href in _parse(root / page_path).links:
            if re.match(r"^[a-z][a-z0-9+.-]*:", href):  # http:, mailto:, ...
                continue
            target, anchor = urldefrag(urljoin(page_path, href))
            target_path = root / unquote(target) if target else root / page_path
            if target_path.is_dir():
                target_path = target_path / "index.html"
            if not target_path.exists():
                problems.append(f"{page_path}: {href} -> missing file")
            elif anchor and target_path.suffix == ".html":
                if unquote(anchor) not in _parse(target_path).ids:
                    problems.append(f"{page_path}: {href} -> missing anchor")
    return problems


def running_in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")

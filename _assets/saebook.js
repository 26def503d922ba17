// The book's own scripts, added to every page by tools/offline_assets.py.

// sphinx-togglebutton 0.4.5's click handler finds the toggle button only when the
// click lands on the admonition title itself, the button, its icon or the icon's
// polyline; a click on anything else inside the title (the "Solution to" text, the
// exercise link, the icon's <path>) left `button` undefined and threw
// "ReferenceError: button is not defined", so the solution did not open. This
// replaces the handler (a global of togglebutton.js) before the toggles are set up
// on DOMContentLoaded: the button is found from any element inside the title.
// Remove when sphinx-togglebutton fixes toggleClickHandler upstream.
if (typeof toggleHidden === "function") {
  toggleClickHandler = (click) => {
    const title = click.target.closest(".admonition-title");
    const button = title
      ? title.querySelector(".toggle-button")
      : click.target.closest(".toggle-button");
    if (!button) return;
    toggleHidden(document.getElementById(button.dataset.button));
  };
}

// The whole course as one download (tools/course_archive.py writes it next to the
// book's pages), in each page's download menu next to the page's own .ipynb, which
// cannot run alone: it imports saelib, which the earlier chapters build.
document.addEventListener("DOMContentLoaded", () => {
  const menu = document.querySelector(".dropdown-download-buttons .dropdown-menu");
  if (!menu) return;
  const root = document.documentElement.dataset.content_root || "";
  const item = document.createElement("li");
  item.innerHTML =
    `<a href="${root}saebook-course.zip" class="btn btn-sm dropdown-item"` +
    ` title="The whole course: notebooks, saelib, Makefile. Unzip it, then run` +
    ` make book (or make test), as its README says.">` +
    `<span class="btn__icon-container"><i class="fas fa-file-zipper"></i></span>` +
    `<span class="btn__text-container">course (.zip)</span></a>`;
  menu.appendChild(item);
  // The PDF of the whole book, when `make pdf` has built it (tools/pdf_book.py
  // names it in window.SAEBOOK_PDF). The theme's own ".pdf" entry prints this page.
  const print = menu.querySelector(".btn-download-pdf-button .btn__text-container");
  if (print) print.textContent = "print page";
  if (window.SAEBOOK_PDF) {
    const book = document.createElement("li");
    book.innerHTML =
      `<a href="${root}${window.SAEBOOK_PDF}" class="btn btn-sm dropdown-item"` +
      ` title="The whole book as one PDF.">` +
      `<span class="btn__icon-container"><i class="fas fa-book"></i></span>` +
      `<span class="btn__text-container">book (.pdf)</span></a>`;
    menu.appendChild(book);
  }
});

// Search results quote the pages' text, math included as raw TeX ("\(n_L\)").
// Sphinx's searchtools.js adds each result to #search-results as a list item with
// the page's title, then its text snippet (a p.context) once the page is fetched,
// after MathJax has typeset the page (tools/offline_assets.py loads MathJax on the
// search page for this). Typeset each title and snippet once, as it arrives: never
// a whole result again, whose typeset math MathJax would find a second time.
document.addEventListener("DOMContentLoaded", () => {
  const results = document.getElementById("search-results");
  if (!results || !window.MathJax || !MathJax.startup) return;
  let queue = MathJax.startup.promise;
  new MutationObserver((mutations) => {
    const fresh = [];
    for (const mutation of mutations) {
      for (const node of mutation.addedNodes) {
        if (node.nodeName === "LI" && node.firstElementChild) {
          fresh.push(node.firstElementChild); // the title, a link
        } else if (node.nodeName === "P" && node.classList.contains("context")) {
          trimCutFormulas(node);
          fresh.push(node);
        }
      }
    }
    if (fresh.length === 0) return;
    queue = queue
      .then(() => MathJax.typesetPromise(fresh))
      .catch((error) => console.warn("MathJax in search results:", error));
  }).observe(results, { childList: true, subtree: true });
});

// A snippet is 240 characters of the page: a formula cut at either end cannot be
// typeset, so leave it out ("...\(\t" at the end, "n_L\) is" at the start).
function trimCutFormulas(snippet) {
  const texts = [];
  const walker = document.createTreeWalker(snippet, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) texts.push(walker.currentNode);
  if (texts.length === 0) return;
  const last = texts[texts.length - 1];
  const open = last.data.lastIndexOf("\\(");
  if (open >= 0 && last.data.indexOf("\\)", open) < 0) {
    last.data = last.data.slice(0, open).trimEnd() + " ...";
  }
  const first = texts[0];
  const close = first.data.indexOf("\\)");
  if (close >= 0 && first.data.lastIndexOf("\\(", close) < 0) {
    first.data = "..." + first.data.slice(close + 2);
  }
}

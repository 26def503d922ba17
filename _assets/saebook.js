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
});

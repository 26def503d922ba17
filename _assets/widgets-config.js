// Where the ipywidgets HTML manager finds its own files (its fonts, above all).
// Loaded after RequireJS and before embed-amd.js (see tools/offline_assets.py).
// Without it the manager looks for them next to the page, and they 404.
(function () {
  var root = document.documentElement.dataset.content_root || "./";
  var base = new URL(root + "_static/vendor/html-manager/", document.baseURI).href;
  window.__jupyter_widgets_assets_path__ = base;
  // The manager's modules compute their asset URLs from their RequireJS module path.
  require.config({ paths: { "@jupyter-widgets/html-manager/dist": base.slice(0, -1) } });
})();

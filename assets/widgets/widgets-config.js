// Loaded after require.js and before embed-amd.js (the order of nb_ipywidgets_js in _config.yml).
// 1. Point require.js at the html-manager served from this folder, so its icon fonts load from
//    here and not from a CDN or a wrong relative path.
// 2. html-manager 1.0.x typesets widget labels with the MathJax 2 API (MathJax.Hub.Queue); the
//    book loads MathJax 3. The small shim below maps one onto the other, so labels never throw.
(function () {
  var here = document.currentScript.src.replace(/[^/]*$/, "");
  window.__jupyter_widgets_assets_path__ = here;
  window.requirejs.config({ paths: {
    "@jupyter-widgets/html-manager": here + "html-manager",
    "@jupyter-widgets/html-manager/dist/libembed-amd": here + "libembed-amd",
  }});
  document.addEventListener("DOMContentLoaded", function () {
    var mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise && !mj.Hub) {
      mj.Hub = { Queue: function (job) {          // job = ["Typeset", MathJax.Hub, element]
        mj.startup.promise = mj.startup.promise.then(function () { return mj.typesetPromise([job[2]]); });
      } };
    }
  });
})();

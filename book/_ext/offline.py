"""Sphinx extension: keep every page free of network machinery.

Jupyter Book 1.0.4 always loads sphinx-thebe (live code through a remote kernel). Its inline
config names a CDN, is added twice (a console SyntaxError on every page: `THEBE_JS_URL` declared
twice), and each page gets a binder config block. This book has no live code and needs no
network, so once all extensions are set up, every sphinx-thebe hook and asset is removed.
Any other script added twice is de-duplicated.
"""


def _drop_thebe(app, config):
    for listeners in app.events.listeners.values():
        listeners[:] = [l for l in listeners if getattr(l.handler, "__module__", "") != "sphinx_thebe"]
    app.registry.css_files = [(f, a) for f, a in app.registry.css_files if "thebe" not in str(f)]
    app.registry.js_files = [(f, a) for f, a in app.registry.js_files
                             if "thebe" not in str(f) and "thebe" not in str(a.get("body", ""))]


def _clean_scripts(app, pagename, templatename, context, doctree):
    seen, keep = set(), []
    for js in context.get("script_files", []):
        filename = str(getattr(js, "filename", js) or "")
        attributes = getattr(js, "attributes", {})
        if "thebe" in filename.lower() or "thebe" in str(attributes.get("body", "")).lower():
            continue
        key = (filename, repr(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            keep.append(js)
    context["script_files"] = keep


def setup(app):
    app.connect("config-inited", _drop_thebe, priority=900)
    app.connect("html-page-context", _clean_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

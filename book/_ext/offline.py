"""Sphinx extension: keep every page free of network machinery.

- Jupyter Book 1.0.4 adds sphinx-thebe's inline config twice (``THEBE_JS_URL`` declared twice:
  a console SyntaxError on every page) and that config names a CDN. Nothing in this book uses
  live code, so every thebe script is dropped.
- Any other script added twice is de-duplicated.
"""


def _clean_scripts(app, pagename, templatename, context, doctree):
    seen, keep = set(), []
    for js in context.get("script_files", []):
        filename = str(getattr(js, "filename", js) or "")
        body = str(getattr(js, "attributes", {}).get("body", ""))
        if "thebe" in filename.lower() or "thebe" in body.lower():
            continue
        key = (filename, repr(sorted(getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            keep.append(js)
    context["script_files"] = keep


def setup(app):
    app.connect("html-page-context", _clean_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

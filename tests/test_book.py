"""The built book (_build/html), read as files: pages, widget state, offline-ness, execution."""
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from dlbook.units import UNITS

pytestmark = pytest.mark.book

CHAPTERS = [u for u in UNITS if u.path("chapter").exists()]
EXTERNAL = re.compile(r'<(?:script|link|img|iframe|source|embed)\b[^>]*\b(?:src|href)="((?:https?:)?//[^"]+)"', re.I)


def page(html, unit):
    return (html / "book" / f"{unit.stem}.html").read_text(encoding="utf-8")


def test_toc_and_course_map_are_generated_from_the_unit_table():
    r = subprocess.run([sys.executable, "-m", "dlbook.toc", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_chapter_has_a_page(html):
    missing = [u.stem for u in CHAPTERS if not (html / "book" / f"{u.stem}.html").exists()]
    assert not missing, f"chapters without a page: {missing}"
    assert (html / "index.html").exists() and (html / "book" / "intro.html").exists()


@pytest.mark.parametrize("unit", CHAPTERS, ids=lambda u: u.stem)
def test_chapter_page_is_offline_and_clean(html, unit):
    text = page(html, unit)
    external = EXTERNAL.findall(text)
    assert not external, f"external resources: {external[:5]}"
    scripts = text.count("<script")
    assert scripts < 40, f"{scripts} <script> tags: static assets are being injected into every page"
    assert "thebe" not in text.lower(), "live-code (thebe) machinery is on the page"
    assert "_static/mathjax/tex-mml-chtml.js" in text, "MathJax is not served from the book"
    if "slider_figure(" in unit.path("chapter").read_text(encoding="utf-8"):
        assert "application/vnd.jupyter.widget-state+json" in text, "the slider figures' widget state is missing"
        assert "_static/widgets/embed-amd.js" in text and "_static/widgets/widgets-config.js" in text
    # The exercise notebook is a download that exists in the built book.
    link = re.search(r'href="([^"]*_downloads/[^"]*' + re.escape(unit.stem) + r'\.ipynb)"', text)
    if unit.path("exercise").exists():
        assert link, "the chapter does not link its exercise notebook"
        assert (html / "book" / link.group(1)).resolve().exists(), "the exercise download is missing"


def test_vendored_assets_exist(html):
    for rel in ("mathjax/tex-mml-chtml.js", "widgets/require.js", "widgets/embed-amd.js",
                "widgets/widgets-config.js", "mathjax/output/chtml/fonts/woff-v2"):
        assert (html / "_static" / rel).exists(), f"_static/{rel} is missing"


def test_build_ignores_the_venv_and_the_notebooks(html):
    stray = [p for p in html.rglob("*.html") if any(part in {".venv", "exercises", "solutions", "tests", "vendor"}
                                                  for part in p.relative_to(html).parts)]
    assert not stray, f"pages built from folders that are not the book: {stray[:5]}"


def test_no_chapter_failed_to_execute(html):
    reports = list((html / "reports").glob("*.err.log")) if (html / "reports").exists() else []
    assert not reports, "execution failed: " + ", ".join(p.name for p in reports)


@pytest.mark.parametrize("unit", CHAPTERS, ids=lambda u: u.stem)
def test_chapter_executed_within_budget(unit):
    """Design §3: a chapter aims at 10 s and fails at 30 s. Reads the book build's execution cache."""
    from jupyter_cache import get_cache
    cache_dir = ROOT / "_build" / ".jupyter_cache"
    if not cache_dir.exists():
        pytest.skip("no execution cache: the book was not built here")
    records = [r for r in get_cache(cache_dir).list_cache_records()
               if r.uri and r.uri.endswith(f"/{unit.stem}.md")]
    assert records, f"{unit.stem} was not executed by the book build"
    record = max(records, key=lambda r: r.created)       # the latest execution of this chapter
    seconds = record.data.get("execution_seconds")
    assert seconds is not None and seconds < 30, f"{unit.stem} took {seconds} s to execute (budget 30 s, aim 10 s)"

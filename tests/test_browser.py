"""The built book in a real browser: headless Chromium (the system's), driven by Playwright.

For every chapter page: math is typeset, every slider changes its figure (pixels hashed, not
blob URLs), and the page makes no external request and logs no console error.
"""
import os
import shutil

import pytest

from conftest import skip_or_fail
from dlbook.units import UNITS

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL = ("file://", "data:", "blob:", "about:")

# Hash the pixels of every image in a slider figure that is currently shown.
PIXELS_JS = """(box) => {
  const img = box.querySelector('img');
  if (!img || !img.complete || !img.naturalWidth) return null;
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let h1 = 0x811c9dc5, h2 = 0;                 // FNV-1a and a position-weighted sum
  for (let i = 0; i < d.length; i++) { h1 = Math.imul(h1 ^ d[i], 16777619); h2 = (h2 + d[i] * (i % 9973 + 1)) | 0; }
  return c.width + 'x' + c.height + ':' + (h1 >>> 0).toString(16) + ':' + (h2 >>> 0).toString(16);
}"""


def chromium_path():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if not path:
        skip_or_fail("no Chromium on this machine (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (make install)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def chapter_pages(html_root):
    return [pytest.param(u, id=u.stem) for u in UNITS if (html_root / "book" / f"{u.stem}.html").exists()]


def open_page(browser, path):
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    external, errors = [], []
    page.on("request", lambda r: None if r.url.startswith(LOCAL) else external.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and
            "invalid theme mode" not in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, external, errors


def pixels(box):
    return box.evaluate(PIXELS_JS)


def wait_for_pixels(page, box, previous=None, timeout_ms=5000):
    for _ in range(timeout_ms // 100):
        h = pixels(box)
        if h and h != previous:
            return h
        page.wait_for_timeout(100)
    return pixels(box)


from conftest import HTML  # noqa: E402  (parametrize needs the folder at collection)


@pytest.mark.parametrize("unit", chapter_pages(HTML) if HTML.exists() else [])
def test_chapter_in_browser(browser, html, unit):
    page, external, errors = open_page(browser, html / "book" / f"{unit.stem}.html")
    try:
        # Math: MathJax 3 turns every \( \) and $$ into mjx-container; no raw TeX left behind.
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
        page.evaluate("() => MathJax.startup.promise")
        assert page.locator("mjx-container").count() > 0, "no typeset math on the page"
        text = page.locator("article").inner_text()
        assert "\\(" not in text and "\\[" not in text, "raw TeX left on the page"
        assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"

        figures = page.locator(".dlbook-slider-figure")
        page.wait_for_timeout(500)
        n_figures = figures.count()
        if unit.path("chapter").read_text(encoding="utf-8").count("slider_figure(") > 0:
            assert n_figures > 0, "the chapter builds slider figures but none rendered"
        moved = 0
        for i in range(n_figures):
            box = figures.nth(i)
            box.scroll_into_view_if_needed()
            before = wait_for_pixels(page, box)
            assert before, f"slider figure {i} shows no image"
            handles = box.locator(".noUi-handle")
            assert handles.count() >= 1, f"slider figure {i} has no slider"
            for k in range(handles.count()):
                handle = handles.nth(k)
                handle.focus()
                handle.press("End")                   # the last value of this slider
                after = wait_for_pixels(page, box, before)
                assert after != before, f"figure {i}, slider {k}: the image did not change"
                handle.press("Home")                  # and back: the first frame again
                back = wait_for_pixels(page, box, after)
                assert back == before, f"figure {i}, slider {k}: moving back did not restore the frame"
                moved += 1
        if os.environ.get("DLBOOK_SCREENSHOTS"):        # for people: look at what was tested
            out = os.environ["DLBOOK_SCREENSHOTS"]
            os.makedirs(out, exist_ok=True)
            page.screenshot(path=f"{out}/{unit.stem}.png", full_page=False)
            for i in range(n_figures):
                figures.nth(i).locator(".noUi-handle").first.press("End")
                figures.nth(i).screenshot(path=f"{out}/{unit.stem}-figure{i}.png")
        assert external == [], f"the page requested external resources: {external[:5]}"
        assert errors == [], f"console errors: {errors[:5]}"
    finally:
        page.close()

"""Screenshot a built chapter page at one of its slider figures (for the README and for review).

    .venv/bin/python tools/screenshot.py 01-logistic-regression OUT.png [FIGURE_INDEX] [PRESSES]

PRESSES: how many times to press the right arrow on the figure's first slider first.
"""
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
stem, out = sys.argv[1], sys.argv[2]
figure = int(sys.argv[3]) if len(sys.argv) > 3 else 0
presses = int(sys.argv[4]) if len(sys.argv) > 4 else 0
flags = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=flags)
    page = browser.new_page(viewport={"width": 1200, "height": 820})
    page.goto((ROOT / "_build" / "html" / "book" / f"{stem}.html").as_uri())
    page.wait_for_timeout(2500)
    box = page.locator(".dlbook-slider-figure").nth(figure)
    box.evaluate("(el) => el.scrollIntoView({block: 'center'})")
    for _ in range(presses):
        box.locator(".noUi-handle").first.press("ArrowRight")
    page.wait_for_timeout(500)
    page.screenshot(path=out)
    browser.close()

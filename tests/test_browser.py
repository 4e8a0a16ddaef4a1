"""A visitor in a real browser (Debian's Chromium via Playwright): draws with the mouse, reads the guess."""
import os
import shutil
import time

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]

# Strokes in canvas fractions (x, y): what a visitor would draw.
SEVEN = [[(0.30, 0.22), (0.70, 0.22), (0.45, 0.82)]]
ONE = [[(0.50, 0.18), (0.50, 0.85)]]
ZERO = [[(0.5 + 0.2 * __import__("math").sin(t / 20 * 6.3), 0.5 - 0.32 * __import__("math").cos(t / 20 * 6.3))
         for t in range(21)]]


@pytest.fixture(scope="module")
def page(app_url):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run installs Debian's chromium")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(app_url)
        page.wait_for_selector("#sketchpad canvas", timeout=60_000)
        yield page
        browser.close()


def draw(page, strokes) -> None:
    canvas = page.locator("#sketchpad canvas").first.bounding_box()
    # The visible drawing area is the square centred in the canvas element.
    side = min(canvas["width"], canvas["height"]) * 0.8
    left = canvas["x"] + (canvas["width"] - side) / 2
    top = canvas["y"] + (canvas["height"] - side) / 2
    for stroke in strokes:
        (x, y), *rest = stroke
        page.mouse.move(left + x * side, top + y * side)
        page.mouse.down()
        for x, y in rest:
            page.mouse.move(left + x * side, top + y * side, steps=8)
        page.mouse.up()


def top_guess(page, timeout: float = 20.0) -> str | None:
    """The label the page shows as its first guess, once it shows one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = [line.strip() for line in page.inner_text("#guesses").splitlines() if line.strip()]
        if len(lines) > 1 and lines[1] in "0123456789":
            return lines[1]
        time.sleep(0.2)
    return None


def clear(page) -> None:
    page.click("#clear")
    deadline = time.monotonic() + 10
    while top_guess(page, timeout=0.5) is not None and time.monotonic() < deadline:
        time.sleep(0.2)


def test_drawing_right_after_load_shows_the_guess_live(page):
    # No tool is picked and no button pressed: the guess must come from the live change events.
    draw(page, SEVEN)
    assert top_guess(page) == "7"
    assert page.locator("#frame img").count() == 1  # the 28×28 frame the model saw is shown


@pytest.mark.parametrize("strokes, digit", [(ONE, "1"), (ZERO, "0")])
def test_clear_then_draw_another_digit(page, strokes, digit):
    clear(page)
    assert top_guess(page, timeout=1) is None
    draw(page, strokes)
    assert top_guess(page) == digit


def test_predict_button_on_an_empty_canvas_explains_instead_of_guessing(page):
    clear(page)
    page.click("#predict-drawing")
    time.sleep(1.5)
    assert top_guess(page, timeout=1) is None
    assert "No digit yet" in page.inner_text("#message")

"""A visitor in Debian's Chromium (Playwright): open the app on a desktop or a phone, draw with the mouse or a finger.

Shared by the browser tests and benchmarks/screenshots.py.
"""
from __future__ import annotations

import math
import os
import shutil
import time

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = dict(viewport={"width": 1400, "height": 1100})
PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
CANVAS_SIDE = 800  # app.CANVAS_SIZE: the drawing's own pixels

# Strokes in fractions of the drawing (x, y): what a visitor would draw.
SEVEN = [[(0.30, 0.22), (0.70, 0.22), (0.45, 0.82)]]
ONE = [[(0.50, 0.18), (0.50, 0.85)]]
ZERO = [[(0.5 + 0.2 * math.sin(step / 20 * 2 * math.pi), 0.5 - 0.32 * math.cos(step / 20 * 2 * math.pi))
         for step in range(21)]]
FORTY_TWO = [[(0.24, 0.25), (0.10, 0.58), (0.38, 0.58)], [(0.31, 0.40), (0.31, 0.78)],
             [(0.58, 0.35), (0.68, 0.25), (0.82, 0.27), (0.84, 0.40), (0.60, 0.76), (0.90, 0.76)]]
LETTER_A = [[(0.28, 0.82), (0.50, 0.18), (0.72, 0.82)], [(0.36, 0.58), (0.64, 0.58)]]


def open_app(browser, url: str, device: dict, theme: str | None = None):
    """A new page of the app on `device` (DESKTOP or PHONE), once its canvas is ready."""
    page = browser.new_page(**device)
    page.goto(url + (f"/?__theme={theme}" if theme else ""))
    page.wait_for_selector("#sketchpad canvas", timeout=60_000)
    wait_for_zoom(page)
    return page


def zoom(page) -> float | None:
    """The editor's zoom as it shows it ("60%" → 0.6), or None before it shows one."""
    text = page.evaluate("""() => [...document.querySelectorAll('#sketchpad span')]
        .map((element) => element.textContent.trim()).find((text) => /^\\d+%$/.test(text)) ?? null""")
    return int(text[:-1]) / 100 if text else None


def wait_for_zoom(page, timeout: float = 10.0) -> float:
    """The zoom once it has settled (the editor fits the canvas to its box shortly after load)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        current = zoom(page)
        if current is not None and current == last:
            return current
        last = current
        time.sleep(0.3)
    raise TimeoutError(f"the editor's zoom did not settle (last {last})")


def drawing_area(page) -> tuple[float, float, float]:
    """(left, top, side) of the drawing in page coordinates: the editor centres it in its canvas element."""
    canvas = page.locator("#sketchpad canvas").first.bounding_box()
    side = CANVAS_SIDE * (zoom(page) or 1.0)
    return canvas["x"] + (canvas["width"] - side) / 2, canvas["y"] + (canvas["height"] - side) / 2, side


def stroke_points(page, stroke: list[tuple[float, float]], steps: int = 1) -> list[tuple[float, float]]:
    """A stroke in fractions of the drawing → page coordinates, `steps` points per segment."""
    left, top, side = drawing_area(page)
    points = [stroke[0]]
    for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
        points += [(x0 + (x1 - x0) * step / steps, y0 + (y1 - y0) * step / steps) for step in range(1, steps + 1)]
    return [(left + x * side, top + y * side) for x, y in points]


def draw_with_mouse(page, strokes) -> None:
    for stroke in strokes:
        (x, y), *rest = stroke_points(page, stroke)
        page.mouse.move(x, y)
        page.mouse.down()
        for x, y in rest:
            page.mouse.move(x, y)
        page.mouse.up()


def draw_with_touch(page, strokes) -> None:
    """Draw with a finger: real touch events through the DevTools protocol (the page needs has_touch)."""
    session = page.context.new_cdp_session(page)
    for stroke in strokes:
        (x, y), *rest = stroke_points(page, stroke)
        session.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        for x, y in rest:
            session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    session.detach()


def top_guess(page, timeout: float = 20.0) -> str | None:
    """The digit the top-3 box shows first, once it shows one (never the closest digit to a non-digit)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        guesses = page.locator("#guesses")  # hidden (absent) while the page shows a number
        try:
            shown = guesses.count() > 0 and "unsure" not in (guesses.get_attribute("class", timeout=1000) or "")
            text = guesses.inner_text(timeout=1000) if shown else ""
        except PlaywrightTimeoutError:  # it went between the two calls (a reading of a number came back)
            text = ""
        if not text:
            time.sleep(0.2)
            continue
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) > 1 and lines[1] in "0123456789":
            return lines[1]
        time.sleep(0.2)
    return None


def number_read(page, timeout: float = 20.0) -> str | None:
    """The number the page shows in large, once it shows one."""
    deadline = time.monotonic() + timeout
    while True:
        shown = page.locator("#number")
        text = shown.inner_text().strip() if shown.count() else ""
        if text and text.split()[0].isdigit():
            return text.split()[0]
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.2)


def says_not_a_digit(page, timeout: float = 20.0) -> str | None:
    """The page's "That doesn't look like a digit" once it shows it in large, else None."""
    from digit_recognizer.page import NOT_A_DIGIT_MESSAGE

    deadline = time.monotonic() + timeout
    while True:
        shown = page.locator("#number")
        if shown.count() and NOT_A_DIGIT_MESSAGE in shown.inner_text():
            return NOT_A_DIGIT_MESSAGE
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.2)

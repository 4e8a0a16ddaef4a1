"""The README's pictures: drives the real app in Chromium, draws a number, a digit and a letter, saves
docs/screenshot-*.png; and "42" on the static page (web/, served by a plain static file server).

    python benchmarks/screenshots.py            # starts app.py on a free port
    python benchmarks/screenshots.py --url URL  # or photographs a running app

"42" on a desktop (1400×1100, drawn with the mouse), a 7 and an A on a phone (390×844, drawn with a finger), "42"
on the static page (1280×760, the mouse),
each photographed once the page has answered; each PNG is quantised to a palette (and shrunk if need be) to stay
under --max-kb. Regenerate, never edit.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import server  # noqa: E402
from benchmarks.browser import (  # noqa: E402
    CHROMIUM, CHROMIUM_FLAGS, DESKTOP, FORTY_TWO, LETTER_A, PHONE, SEVEN, draw_with_mouse, draw_with_touch,
    number_read, open_app, says_not_a_digit, top_guess,
)
from benchmarks.web import browser_page, draw as draw_on_static_page, static_server  # noqa: E402
from digit_recognizer.page import NOT_A_DIGIT_MESSAGE  # noqa: E402

DOCS = server.REPO_ROOT / "docs"
SHOTS = {  # name: (device, how the visitor draws, what, how the page's answer is read, the answer expected)
    "screenshot-desktop.png": (DESKTOP, draw_with_mouse, FORTY_TWO, number_read, "42"),
    "screenshot-phone.png": (PHONE, draw_with_touch, SEVEN, top_guess, "7"),
    "screenshot-not-a-digit.png": (PHONE, draw_with_touch, LETTER_A, says_not_a_digit, NOT_A_DIGIT_MESSAGE),
}
STATIC_SHOTS = {"screenshot-static.png": ((1280, 760), FORTY_TWO, "42")}  # name: (viewport, what, answer expected)


def small_png(screenshot: bytes, max_bytes: int) -> bytes:
    """The screenshot as a palette PNG of at most `max_bytes`: fewer colours first, then smaller."""
    image = Image.open(io.BytesIO(screenshot)).convert("RGB")
    while True:
        for colours in (128, 64, 32):
            buffer = io.BytesIO()
            image.quantize(colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
                buffer, format="PNG", optimize=True)
            if buffer.tell() <= max_bytes:
                return buffer.getvalue()
        image = image.resize((image.width * 9 // 10, image.height * 9 // 10), Image.Resampling.LANCZOS)


def photograph(browser, url: str, device: dict, draw, strokes, answer, expected: str) -> bytes:
    """A screenshot of the app on `device` after a visitor drew `strokes` and the page gave the `expected` answer."""
    page = open_app(browser, url, device)
    try:
        draw(page, strokes)
        if answer(page, timeout=60) != expected:
            raise RuntimeError(f"the page did not answer {expected!r} on {device['viewport']}")
        page.wait_for_function("() => [...document.querySelectorAll('#marks img')].every((image) => image.complete)")
        return page.screenshot()
    finally:
        page.close()


def photograph_static(url: str, viewport: tuple[int, int], strokes, expected: str, timeout: float = 30) -> bytes:
    """A screenshot of the static page after `strokes` were drawn with the mouse and it showed `expected`."""
    with browser_page(f"{url}/index.html", viewport) as (page, _):
        page.goto(f"{url}/index.html")
        page.evaluate("window.digitPage.ready")
        for stroke in strokes:
            draw_on_static_page(page, stroke)
        deadline = time.monotonic() + timeout
        while page.inner_text("#number").strip() != expected:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the static page did not answer {expected!r}")
            time.sleep(0.05)
        return page.screenshot()


def save(screenshot: bytes, path: Path, max_kb: int) -> tuple[str, str, str]:
    """Writes the screenshot as a small PNG; its table row (file, pixels, size)."""
    png = small_png(screenshot, max_kb * 1000)
    path.write_bytes(png)
    with Image.open(io.BytesIO(png)) as saved:
        return path.name, f"{saved.width}×{saved.height}", f"{len(png) / 1000:.1f} kB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running app (default: start app.py)")
    parser.add_argument("--out", type=Path, default=DOCS, help="folder for the PNGs (default: %(default)s)")
    parser.add_argument("--max-kb", type=int, default=150, help="largest PNG size in kB (default: %(default)s)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    with server.app_at(args.url) as (url, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for name, shot in SHOTS.items():
            rows.append(save(photograph(browser, url, *shot), args.out / name, args.max_kb))
        browser.close()
    with static_server() as url:
        for name, shot in STATIC_SHOTS.items():
            rows.append(save(photograph_static(url, *shot), args.out / name, args.max_kb))
    width = max(len(row[0]) for row in rows)
    print(f"| {'file':<{width}} | pixels    | size     |\n|{'-' * (width + 2)}|-----------|----------|")
    for name, pixels, size in rows:
        print(f"| {name:<{width}} | {pixels:<9} | {size:>8} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

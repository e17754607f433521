"""Waiting for the map to draw, and reading its pixels."""

import io
import time

from PIL import Image

from geo.colors import STAGE_COLORS


def wait_for_app(page, timeout=60_000):
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').textContent.includes('Running')",
        timeout=timeout)


def map_canvas(page):
    return page.locator("[data-testid='stDeckGlJsonChart'] canvas").first


def color_pixels(png: bytes, rgb, tol=30) -> int:
    img = Image.open(io.BytesIO(png)).convert("RGB")
    r0, g0, b0 = rgb
    return sum(1 for r, g, b in img.get_flattened_data() if abs(r - r0) < tol and abs(g - g0) < tol and abs(b - b0) < tol)


def wait_for_drawn(page, rgb=STAGE_COLORS["mining"], min_pixels=20, timeout=45, tol=None):
    """Wait until the map canvas shows at least ``min_pixels`` of colour ``rgb``; return the PNG."""
    canvas = map_canvas(page)
    canvas.wait_for(state="visible", timeout=timeout * 1000)
    deadline = time.time() + timeout
    png = b""
    while time.time() < deadline:
        png = canvas.screenshot()
        if (color_pixels(png, rgb) if tol is None else color_pixels(png, rgb, tol=tol)) >= min_pixels:
            return png
        time.sleep(0.5)
    raise AssertionError(f"map never drew {min_pixels} pixels of {rgb}")


def wait_for_settled(page, colors=(STAGE_COLORS["mining"], STAGE_COLORS["processing"]), timeout=45):
    """The map's picture once it has stopped changing: the basemap has arrived and two screenshots
    half a second apart have the same count of each colour (a page can draw its points before a
    late layer or a second script run changes them)."""
    from geo.colors import LAYER_COLORS

    wait_for_drawn(page, colors[0], timeout=timeout)
    png = wait_for_drawn(page, LAYER_COLORS["ocean"], min_pixels=10_000, timeout=timeout, tol=6)
    counts = None
    deadline = time.time() + timeout
    while time.time() < deadline:
        now = [color_pixels(png, c) for c in colors]
        if now == counts:
            return png
        counts = now
        time.sleep(0.5)
        png = map_canvas(page).screenshot()
    raise AssertionError(f"the map kept changing: {counts}")


def share_link(page) -> str:
    """The link in the sidebar's "Share this view" box (opened, read, closed again)."""
    page.locator("[data-testid='stSidebar'] [data-testid='stPopover'] button", has_text="Share this view").click()
    code = page.locator("[data-testid='stCode']").first
    code.wait_for(timeout=30_000)
    text = code.inner_text().strip()
    page.keyboard.press("Escape")
    code.wait_for(state="detached", timeout=10_000)
    return text

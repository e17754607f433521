"""Sharing and presenting in a real browser: a copied link restores the view; presentation mode
reads at projector sizes; a briefing steps with the arrow keys."""

from urllib.parse import parse_qs, urlparse

from geo.colors import STAGE_COLORS
from tests.browser.helpers import color_pixels, wait_for_app, wait_for_drawn


def _share_link(page) -> str:
    code = page.locator("[data-testid='stSidebar'] [data-testid='stCode']").first
    code.wait_for(timeout=30_000)
    return code.inner_text().strip()


def test_share_link_round_trip(server, browser, page, artifacts):
    page.goto(server + "/")
    wait_for_app(page)
    wait_for_drawn(page)
    # set state by clicking: a mineral in the sidebar, the flows layer on the map
    mineral = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first
    mineral.click()
    page.keyboard.type("Cobalt")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_for_app(page)
    page.get_by_text("Flows", exact=True).click()
    wait_for_app(page)
    page.wait_for_function("() => location.search.includes('layers=')", timeout=30_000)
    page.wait_for_timeout(1500)
    link = _share_link(page)
    q = parse_qs(urlparse(link).query)
    assert link.startswith(server + "/?")
    assert q["mineral"] == ["cobalt"] and q["layers"] == ["facilities,strategies,flows"]
    png_a = wait_for_drawn(page)
    page.screenshot(path=str(artifacts / "share-before.png"))

    ctx = browser.new_context(viewport={"width": 1400, "height": 950})
    fresh = ctx.new_page()
    fresh.goto(link)
    wait_for_app(fresh)
    png_b = wait_for_drawn(fresh)
    fresh.screenshot(path=str(artifacts / "share-after.png"))
    assert parse_qs(urlparse(fresh.url).query) == q
    sidebar = fresh.locator("[data-testid='stSidebar']").inner_text()
    assert "Cobalt" in sidebar
    assert page.locator("strong", has_text="sites in").first.inner_text() == \
        fresh.locator("strong", has_text="sites in").first.inner_text()   # same summary line
    # same view: the same amount of each stage colour on the map (within rendering noise)
    for stage in ("mining", "processing"):
        a, b = color_pixels(png_a, STAGE_COLORS[stage]), color_pixels(png_b, STAGE_COLORS[stage])
        assert a > 0 and abs(a - b) <= max(40, 0.15 * a), (stage, a, b)
    ctx.close()


def test_presentation_mode_at_projector_sizes_and_arrow_keys(server, browser, artifacts):
    url = (server + "/?mineral=rare_earths&layers=facilities%2Cflows&select=lynas-kuantan&view=-14%2C113%2C3.1"
           "&briefing=rare-earths-2010-2025&step=3&present=1")
    for w, h in ((1920, 1080), (1280, 720)):
        ctx = browser.new_context(viewport={"width": w, "height": h})
        page = ctx.new_page()
        page.goto(url)
        wait_for_app(page)
        png = wait_for_drawn(page, STAGE_COLORS["processing"], min_pixels=20)
        page.screenshot(path=str(artifacts / f"present-{w}x{h}.png"))
        assert not page.locator("[data-testid='stSidebar']").is_visible()
        bar = page.locator(".st-key-briefing_bar")
        assert "Mount Weld to Kuantan" in bar.inner_text() and "3/8" in bar.inner_text()
        footer = page.locator(".st-key-present_footer")
        box = footer.bounding_box()
        assert box and box["y"] + box["height"] <= h + 1 and "Sources" in footer.inner_text()
        legend = page.get_by_text("Legend", exact=True)
        assert legend.bounding_box()["y"] < h  # legend on screen
        canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.bounding_box()
        assert canvas["y"] < h * 0.5 and canvas["width"] > w * 0.5
        assert color_pixels(png, STAGE_COLORS["mining"]) > 0  # Mount Weld in frame
        if w == 1280:
            page.keyboard.press("ArrowRight")
            page.wait_for_function("() => location.search.includes('step=4')", timeout=30_000)
            wait_for_app(page)
            page.wait_for_function("() => location.pathname.endsWith('/countries')", timeout=30_000)
            page.locator(".st-key-briefing_bar", has_text="4/8").wait_for(timeout=30_000)
            assert "country=JPN" in page.url
            page.keyboard.press("ArrowLeft")
            page.wait_for_function("() => location.search.includes('step=3')", timeout=30_000)
        ctx.close()

"""Sharing and presenting in a real browser: a copied link restores the view; presentation mode
reads at projector sizes; a briefing steps with the arrow keys."""

from urllib.parse import parse_qs, urlparse

from geo.colors import STAGE_COLORS
from tests.browser.helpers import color_pixels, map_canvas, share_link, wait_for_app, wait_for_drawn, wait_for_settled


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
    link = share_link(page)
    q = parse_qs(urlparse(link).query)
    assert link.startswith(server + "/?")
    assert q["mineral"] == ["cobalt"] and q["layers"] == ["facilities,strategies,flows"]
    png_a = wait_for_settled(page)
    page.screenshot(path=str(artifacts / "share-before.png"))

    ctx = browser.new_context(viewport={"width": 1400, "height": 950})
    fresh = ctx.new_page()
    fresh.goto(link)
    wait_for_app(fresh)
    png_b = wait_for_settled(fresh)
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


CAMERA_JS = """() => {
  const canvas = document.querySelector('[data-testid="stDeckGlJsonChart"] canvas');
  const key = canvas && Object.keys(canvas).find(k => k.startsWith('__reactFiber$'));
  for (let f = key ? canvas[key] : null, i = 0; f && i < 40; i++, f = f.return)
    for (let h = f.memoizedState, j = 0; h && typeof h === 'object' && j < 60; j++, h = h.next) {
      const d = h.memoizedState && h.memoizedState.current && h.memoizedState.current.deck;
      if (d && d.getViewports) { const v = d.getViewports()[0]; return [v.latitude, v.longitude, v.zoom]; }
    }
  return null;
}"""


def _view_param(page) -> list[float]:
    return [float(x) for x in parse_qs(urlparse(page.url).query)["view"][0].split(",")]


def test_hand_panned_camera_is_in_the_link(server, browser, page, artifacts):
    """Drag and wheel-zoom the map by hand: the link gets view=, survives a filter change and
    reopens the same camera in a fresh browser; choosing a region replaces it."""
    page.goto(server + "/")
    wait_for_app(page)
    wait_for_drawn(page)
    page.wait_for_timeout(1500)
    assert "view" not in parse_qs(urlparse(page.url).query)
    box = map_canvas(page).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 220, y + 60, steps=12)    # drag east-south: the camera goes west-north
    page.mouse.up()
    page.mouse.wheel(0, -400)                     # zoom in
    page.wait_for_function("() => location.search.includes('view=')", timeout=30_000)
    # the drag and the zoom each write the link (debounced): the drag's view may land first, so
    # wait until the link has caught up with the camera on screen
    for _ in range(40):
        wait_for_app(page)
        shown = page.evaluate(CAMERA_JS)
        lat, lon, zoom = _view_param(page)
        if abs(lat - shown[0]) < 0.01 and abs(lon - shown[1]) < 0.01 and abs(zoom - shown[2]) < 0.02:
            break
        page.wait_for_timeout(250)
    assert abs(lat - shown[0]) < 0.01 and abs(lon - shown[1]) < 0.01 and abs(zoom - shown[2]) < 0.02
    assert zoom > 1.2 and lon < 0, (lat, lon, zoom)   # default camera is 22N 12E zoom 0.9

    # a filter change keeps both the camera on screen and the view in the link
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").nth(2).click()
    page.keyboard.type("Mining")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_function("() => location.search.includes('stage=')", timeout=30_000)
    wait_for_app(page)
    page.wait_for_timeout(1500)
    assert _view_param(page) == [lat, lon, zoom]
    after = page.evaluate(CAMERA_JS)
    assert all(abs(a - b) < 1e-6 for a, b in zip(after, shown)), (after, shown)
    # another page and back: the map is drawn afresh where the user left it
    before_visit = parse_qs(urlparse(page.url).query)
    page.locator("[data-testid='stSidebarNav'] a", has_text="Minerals").click()
    page.wait_for_function("() => location.pathname.endsWith('/minerals')", timeout=30_000)
    wait_for_app(page)
    page.locator("[data-testid='stSidebarNav'] a", has_text="Map").click()
    page.wait_for_function("() => !location.pathname.endsWith('/minerals')", timeout=30_000)
    wait_for_app(page)
    wait_for_drawn(page)
    page.wait_for_timeout(1500)
    back = page.evaluate(CAMERA_JS)
    assert abs(back[0] - lat) < 1e-3 and abs(back[1] - lon) < 1e-3 and abs(back[2] - zoom) < 1e-2, (back, lat, lon, zoom)
    assert _view_param(page) == [lat, lon, zoom]
    assert parse_qs(urlparse(page.url).query) == before_visit   # filters and layers kept too
    link = share_link(page)
    assert parse_qs(urlparse(link).query)["view"] == [f"{lat:g},{lon:g},{zoom:g}"]
    png_a = map_canvas(page).screenshot()
    page.screenshot(path=str(artifacts / "camera-before.png"))

    ctx = browser.new_context(viewport={"width": 1400, "height": 950})
    fresh = ctx.new_page()
    fresh.goto(link)
    wait_for_app(fresh)
    wait_for_drawn(fresh)
    fresh.wait_for_timeout(1500)
    png_b = map_canvas(fresh).screenshot()   # once settled, like png_a
    fresh.screenshot(path=str(artifacts / "camera-after.png"))
    again = fresh.evaluate(CAMERA_JS)
    assert abs(again[0] - lat) < 1e-3 and abs(again[1] - lon) < 1e-3 and abs(again[2] - zoom) < 1e-2
    assert parse_qs(urlparse(fresh.url).query) == parse_qs(urlparse(link).query)  # no extra report
    a = color_pixels(png_a, STAGE_COLORS["mining"])
    b = color_pixels(png_b, STAGE_COLORS["mining"])
    assert a > 0 and abs(a - b) <= max(40, 0.15 * a), (a, b)
    ctx.close()

    # choosing a region frames the map there and replaces the hand-panned camera in the link
    page.locator("[data-testid='stSelectbox']").filter(has_text="Frame the map on").click()
    page.keyboard.type("Europe")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => !location.search.includes('{lat:g}')", timeout=30_000)
    wait_for_app(page)
    page.wait_for_timeout(1500)
    europe = _view_param(page)
    assert europe != [lat, lon, zoom]
    now = page.evaluate(CAMERA_JS)
    assert abs(now[0] - europe[0]) < 1e-3 and abs(now[1] - europe[1]) < 1e-3, (now, europe)


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

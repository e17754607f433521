"""The real app in headless Chromium: the map draws offline, tooltips and clicks work, links restore."""

from urllib.parse import parse_qs, urlparse

from geo.colors import LAYER_COLORS, STAGE_COLORS
from geo.load import load_table
from tests.browser.helpers import color_pixels, map_canvas, wait_for_app, wait_for_drawn


def _site(site_id):
    fac = load_table("facilities.csv").df
    return fac[fac["id"] == site_id].iloc[0]


def test_map_draws_offline_with_sites_and_country_layers(server, page, artifacts):
    page.goto(server + "/?layers=facilities,strategies")
    wait_for_app(page)
    png = wait_for_drawn(page, STAGE_COLORS["mining"], min_pixels=40)
    assert color_pixels(png, STAGE_COLORS["processing"]) > 10
    # the offline basemap (a static picture: it may arrive after the points are drawn)
    png = wait_for_drawn(page, LAYER_COLORS["ocean"], min_pixels=10_000, tol=6)
    assert color_pixels(png, STAGE_COLORS["mining"]) >= 40
    page.screenshot(path=str(artifacts / "map-default.png"), full_page=True)
    assert page.external_requests == [], page.external_requests
    assert page.get_by_text("Legend").is_visible()
    table = page.locator("[data-testid='stExpander']", has_text="Sites on the map")
    assert table.is_visible() and not page.locator("[data-testid='stDataFrame']").count()  # sent when opened
    table.locator("summary").click()
    page.locator("[data-testid='stDataFrame']").wait_for(timeout=30_000)   # opening reruns and sends the rows
    assert page.locator("[data-testid='stDataFrame']").is_visible()


def test_hover_shows_tooltip_with_source_and_click_opens_details(server, page, artifacts):
    site = _site("mountain-pass")
    page.goto(f"{server}/?view={site['lat']},{site['lon']},7")
    wait_for_app(page)
    wait_for_drawn(page, STAGE_COLORS["mining"], min_pixels=10)
    box = map_canvas(page).bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx - 40, cy - 40)
    page.mouse.move(cx, cy)
    tip = page.locator(".deck-tooltip")
    tip.wait_for(state="visible", timeout=10_000)
    text = tip.inner_text()
    assert site["name"] in text and "Source:" in text and f"As of {site['as_of']}" in text
    page.screenshot(path=str(artifacts / "map-tooltip.png"))
    page.mouse.click(cx, cy)
    page.wait_for_function("() => location.search.includes('select=mountain-pass')", timeout=40_000)
    details = page.locator(".st-key-details")
    details.wait_for(state="visible", timeout=20_000)
    assert site["name"] in details.inner_text() and "Open source" in details.inner_text()
    page.screenshot(path=str(artifacts / "map-details.png"), full_page=True)


def test_filtered_link_is_restored_in_a_fresh_page(server, browser, artifacts):
    ctx = browser.new_context(viewport={"width": 1400, "height": 950})
    page = ctx.new_page()
    page.goto(server + "/?mineral=cobalt&country=COD&layers=facilities,partnerships")
    wait_for_app(page)
    wait_for_drawn(page, STAGE_COLORS["mining"], min_pixels=10)
    sidebar = page.locator("[data-testid='stSidebar']")
    assert "Cobalt" in sidebar.inner_text() and "DR Congo (COD)" in sidebar.inner_text()
    assert "in DR Congo" in page.locator("[data-testid='stMarkdownContainer']").all_inner_texts().__str__()
    q = parse_qs(urlparse(page.url).query)
    assert q["mineral"] == ["cobalt"] and q["country"] == ["COD"]
    assert q["layers"] == ["facilities,partnerships"]
    page.screenshot(path=str(artifacts / "map-cobalt-drc.png"), full_page=True)
    ctx.close()


def test_minerals_page_deep_link_draws_the_chart(server, page, artifacts):
    page.goto(server + "/minerals?mineral=rare_earths")
    wait_for_app(page)
    page.locator(".js-plotly-plot .bars path").first.wait_for(timeout=30_000)
    # plotly draws the bars one trace at a time: wait for five rather than counting at the first
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .bars path').length >= 5",
                           timeout=30_000)
    assert page.locator(".js-plotly-plot .bars path").count() >= 5
    assert "China" in page.locator(".js-plotly-plot").first.inner_text()
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert "Rare earth elements" in sidebar and "Minerals" in sidebar  # app.py ran: nav + filters
    page.screenshot(path=str(artifacts / "minerals-rare-earths.png"), full_page=True)


def _diagonal(png: bytes, rgb, tol=40) -> str:
    """Which way the lines of colour ``rgb`` run in a picture: "/" or "\\" (neighbours along each
    diagonal counted)."""
    import io

    import numpy as np
    from PIL import Image

    a = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    on = (np.abs(a - np.asarray(rgb)).max(axis=2) < tol)
    rising = (on[1:, :-1] & on[:-1, 1:]).sum()    # (x, y) and (x + 1, y - 1): "/"
    falling = (on[:-1, :-1] & on[1:, 1:]).sum()   # (x, y) and (x + 1, y + 1): "\\"
    return "/" if rising > 2 * falling else "\\" if falling > 2 * rising else "?"


def test_zoomed_map_gets_a_sharp_basemap_drawn_for_its_own_view(server, page, artifacts):
    """Zoomed in, the server draws the basemap for the view itself (geo.viewmap, a WMS request),
    at the map's size in pixels, over the small world picture."""
    import io

    from PIL import Image

    got = []
    page.on("response", lambda r: got.append(r) if "atlas-view/" in r.url and "GetMap" in r.url else None)
    page.goto(server + "/?layers=facilities,strategies&view=50,10,5")
    wait_for_app(page)
    png = wait_for_drawn(page, LAYER_COLORS["ocean"], min_pixels=10_000, tol=6)
    box = map_canvas(page).bounding_box()

    def sizes():  # deck.gl may first ask at its initial canvas size, then again once laid out
        return [(r.status, Image.open(io.BytesIO(r.body())).size) for r in list(got)]

    deadline = 60
    while deadline > 0 and not any(abs(w - box["width"]) <= 2 and abs(h - box["height"]) <= 2 for _, (w, h) in sizes()):
        page.wait_for_timeout(500)
        deadline -= 0.5
    assert got, "the map never asked the server for its view's basemap"
    assert all(status == 200 for status, _ in sizes())
    assert any(abs(w - box["width"]) <= 2 and abs(h - box["height"]) <= 2 for _, (w, h) in sizes()), (sizes(), box)
    png = map_canvas(page).screenshot()
    assert color_pixels(png, LAYER_COLORS["border"], tol=10) > 300   # country borders, drawn at this zoom
    # strategy countries are hatched at this zoom, so a screen of them does not read as sea
    from geo.viewmap import HATCH_ALPHA, blend, hatch_rgb

    tint = blend(LAYER_COLORS["land"], [(LAYER_COLORS["strategies"], 110)])
    hatch = blend(tint, [(hatch_rgb(LAYER_COLORS["strategies"]), round(HATCH_ALPHA * 255))])
    assert color_pixels(png, hatch, tol=8) > 5_000 and color_pixels(png, tint, tol=8) > 5_000
    # and the legend swatch is hatched along the same diagonal as the map ("/" for strategies)
    swatch = page.locator("span[style*='repeating-linear-gradient']").first.screenshot()
    assert _diagonal(png, hatch) == _diagonal(swatch, hatch_rgb(LAYER_COLORS["strategies"])) == "/"
    page.screenshot(path=str(artifacts / "map-zoomed-view.png"))
    assert page.external_requests == [], page.external_requests

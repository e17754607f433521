"""Each analysis page, opened from a deep link in headless Chromium: its chart draws, with the
numbers the data gives, and nothing is fetched from the internet."""

from geo.colors import LAYER_COLORS, OKABE_ITO, STAGE_COLORS
from tests.browser.helpers import color_pixels, wait_for_app, wait_for_settled


def _plots(page, n, timeout=45_000):
    """Wait until ``n`` plotly charts have drawn bars of non-zero size."""
    page.wait_for_function(
        "n => [...document.querySelectorAll('.js-plotly-plot')].filter(p => [...p.querySelectorAll('.bars path')]"
        ".some(b => b.getBBox().width > 1 && b.getBBox().height > 1)).length >= n", arg=n, timeout=timeout)
    return page.locator(".js-plotly-plot")


def _open(page, url):
    """Streamlit scrolls inside its own container, so a tall viewport is what shows a whole page."""
    page.set_viewport_size({"width": 1400, "height": 2400})
    page.goto(url)
    wait_for_app(page)


def _shot(page, artifacts, name):
    return page.screenshot(path=str(artifacts / name))


def test_countries_page_japan(server, page, artifacts):
    _open(page, server + "/countries?country=JPN")
    plots = _plots(page, 2)
    page.get_by_text("Exposure to export controls").first.wait_for(timeout=45_000)  # lower on the page
    body = page.inner_text("body")
    assert "Japan (JPN)" in body and "Sites its companies control abroad" in body
    assert "Exposure to export controls" in body
    # the exposure chart names a mineral under China's controls, e.g. gallium or graphite
    text = " ".join(plots.nth(i).inner_text() for i in range(plots.count()))
    assert "Gallium" in text or "Graphite" in text
    map_png = wait_for_settled(page, colors=(STAGE_COLORS["processing"], STAGE_COLORS["manufacturing"]))
    assert color_pixels(map_png, LAYER_COLORS["land"], tol=6) > 10_000  # the basemap has arrived, not just the sites
    png = _shot(page, artifacts, "countries-japan.png")
    assert color_pixels(png, STAGE_COLORS["mining"]) + color_pixels(png, STAGE_COLORS["processing"]) > 200
    assert page.external_requests == []


def test_policies_page_as_of_date(server, page, artifacts):
    _open(page, server + "/policies?country=CHN&asof=2023-06-30")
    plots = _plots(page, 1)
    body = page.inner_text("body")
    assert "As of 2023-06-30" in body
    assert "In force on 2023-06-30" in body
    # China's gallium/germanium controls took effect on 2023-08-01: not yet in force that day
    assert "gallium- and germanium-related" not in plots.first.inner_text()
    png = _shot(page, artifacts, "policies-china-2023.png")
    assert color_pixels(png, OKABE_ITO["blue"], tol=20) > 200  # 'in force' bars
    assert page.external_requests == []


def test_partnerships_page_msp_bloc_totals(server, page, artifacts):
    _open(page, server + "/partnerships?partnership=msp")
    plots = _plots(page, 2)
    text = plots.first.inner_text()
    assert "MSP" in text and "China" in text
    page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for(timeout=30_000)
    png = _shot(page, artifacts, "partnerships-msp.png")
    assert color_pixels(png, OKABE_ITO["blue"], tol=20) > 200      # bloc bars
    assert color_pixels(png, OKABE_ITO["vermillion"], tol=20) > 200  # China bars
    assert page.external_requests == []


def test_whatif_page_cobalt_drc(server, page, artifacts):
    _open(page, server + "/what-if?exporter=COD&mineral=cobalt")
    _plots(page, 1)
    # DRC's share of world cobalt mining, USGS MCS 2025 (2024), shown as the supply cut
    page.locator("[data-testid='stMetricValue']", has_text="75.9%").first.wait_for(timeout=30_000)
    body = page.inner_text("body")
    assert "Congo" in body and "withholds 100%" in body
    assert "Method and limits" in body
    _shot(page, artifacts, "whatif-cobalt-drc.png")
    assert page.external_requests == []

"""The standalone HTML map export, opened in Chromium with the network blocked, still draws."""

import io
import re

from PIL import Image

from geo import exports as E
from geo import layers as L
from geo.atlas import load_atlas
from geo.filters import Filters, filter_facilities


def test_standalone_html_needs_no_network_and_draws(browser, tmp_path):
    atlas = load_atlas()
    cobalt_drc = filter_facilities(atlas.df("facilities.csv"), Filters(minerals=("cobalt",), countries=("COD",)))
    land = L.basemap_records(L.display_features(atlas.boundaries))["land"]
    deck = L.deck(L.base_layers(land) + [L.facilities_layer(L.facility_points(cobalt_drc, atlas.mineral_names))],
                  (-10.8, 26.5, 5.5))
    page_html = E.standalone_html(deck.to_json(), title="Cobalt <DRC>", source_line="Sources: test",
                                  legend=L.legend_items(("facilities",), {"mining": len(cobalt_drc)}))
    assert not re.search(r"""<(script|link)[^>]+(src|href)=["']?https?:""", page_html)  # no CDN
    assert "Cobalt &lt;DRC&gt;" in page_html
    path = tmp_path / "map.html"
    path.write_text(page_html, encoding="utf-8")
    ctx = browser.new_context(offline=True, viewport={"width": 1100, "height": 700})
    page = ctx.new_page()
    asked = []
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
               else (asked.append(r.request.url), r.abort()))
    page.goto(path.as_uri())
    page.wait_for_function("() => window.__atlasDeck && document.querySelector('canvas')", timeout=30_000)
    page.wait_for_timeout(2500)
    png = page.screenshot()
    ctx.close()
    img = Image.open(io.BytesIO(png)).convert("RGB")
    orange = sum(1 for q in img.get_flattened_data() if abs(q[0] - 230) < 30 and abs(q[1] - 159) < 30 and q[2] < 50)
    land = sum(1 for q in img.get_flattened_data() if q == (232, 232, 228))
    assert orange > 50 and land > 5000, (orange, land)
    assert asked == []

"""Every export is produced and opened again: CSV/GeoJSON round trip, PNGs, offline HTML, PPTX."""

import io
import json

import pandas as pd
import pytest
from PIL import Image

from geo import exports as E
from geo import layers as L
from geo.atlas import load_atlas
from geo.briefings import load_briefings
from geo.filters import Filters, filter_facilities
from geo.paths import DATA_DIR


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


@pytest.fixture(scope="module")
def cobalt_drc(atlas):
    return filter_facilities(atlas.df("facilities.csv"), Filters(minerals=("cobalt",), countries=("COD",)))


def test_csv_and_geojson_round_trip_equal_the_filtered_rows(cobalt_drc):
    assert len(cobalt_drc) >= 5
    back = pd.read_csv(io.BytesIO(E.sites_csv(cobalt_drc)))
    assert list(back["id"]) == list(cobalt_drc["id"])
    assert back["lat"].tolist() == pytest.approx(cobalt_drc["lat"].tolist())
    meta = E.provenance(cobalt_drc, title="Cobalt in the DRC", filters={"mineral": "cobalt", "country": "COD"})
    gj = json.loads(json.dumps(E.sites_geojson(cobalt_drc, meta), default=str))
    assert gj["metadata"]["rows"] == len(cobalt_drc) and gj["metadata"]["filters"]["country"] == "COD"
    again = E.geojson_frame(gj)
    assert list(again["id"]) == list(cobalt_drc["id"])
    assert again["lon"].tolist() == pytest.approx(cobalt_drc["lon"].tolist())
    assert set(again["source_url"]) == set(cobalt_drc["source_url"])
    # how exact each point is travels with the exported rows, and the metadata says what it means
    assert list(back["location"]) == list(cobalt_drc["location"]) == list(again["location"])
    assert "'town' (only the nearest town is located)" in meta["notes"]
    # the provenance names every source with its row count, and the as-of range
    assert sum(s["rows"] for s in meta["sources"]) == len(cobalt_drc)
    assert meta["as_of_range"][0] <= meta["as_of_range"][1]
    # the map page's source line (computed on every run without the provenance) says the same
    assert E.source_summary(cobalt_drc) == (len(meta["sources"]), meta["as_of_range"])
    assert E.source_summary(cobalt_drc.iloc[:0]) == (0, [])


def test_map_png_has_the_size_asked_and_draws_sites(atlas, cobalt_drc):
    png = E.map_png(cobalt_drc, atlas.boundaries, title="Cobalt in the DRC", subtitle="test",
                    source_line="Sources: test line", width=1200, height=700)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    assert img.size == (1200, 700)
    orange = sum(1 for p in img.get_flattened_data() if abs(p[0] - 230) < 25 and abs(p[1] - 159) < 25 and p[2] < 40)
    assert orange > 200          # mining sites drawn in the stage colour
    assert len(set(img.resize((60, 35)).get_flattened_data())) > 20   # not blank


def test_chart_png_and_svg_through_kaleido():
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=[75.9, 9.7], y=["DR Congo", "Indonesia"], orientation="h"))
    fig = E.chart_with_source(fig, "Source: USGS MCS 2025 (as of 2025-01-31)", title="Cobalt mining")
    png = E.chart_image(fig, "png", width=900, height=500)
    img = Image.open(io.BytesIO(png))
    assert img.size == (900, 500)
    svg = E.chart_image(fig, "svg", width=900, height=500).decode()
    assert "<svg" in svg and "USGS MCS 2025" in svg and "Cobalt mining" in svg


def test_briefing_pack_pptx(atlas):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from geo.render import briefing_pack

    briefs, problems = load_briefings(DATA_DIR / "briefings", atlas.vocabulary())
    assert problems == []
    b = briefs["drc-copper-cobalt-belt"]
    seen = []
    data = briefing_pack(atlas, b, progress=lambda i, n: seen.append((i, n)))
    prs = Presentation(io.BytesIO(data))
    slides = list(prs.slides)
    assert len(slides) == len(b.steps) + 2
    assert seen[-1] == (len(b.steps), len(b.steps))
    assert slides[0].shapes.title.text == b.title
    pictures = [sum(1 for s in sl.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE) for sl in slides[1:-1]]
    assert all(n == 1 for n in pictures), pictures
    texts = " ".join(sh.text_frame.text for sh in slides[-1].shapes if sh.has_text_frame)
    assert slides[-1].shapes.title.text == "Sources" and "USGS" in texts
    step_texts = " ".join(sh.text_frame.text for sh in slides[2].shapes if sh.has_text_frame)
    assert b.steps[1].caption[:40] in step_texts and "Source:" in step_texts


def test_offline_file_legend_shows_plain_country_swatches():
    """The offline file draws country layers as plain vector fills, so its legend must not show the
    hatch that the page's legend (and the server-drawn zoomed views) use."""
    from geo import exports as E
    from geo import layers as L

    legend = L.legend_items(("strategies", "partnerships"), {})
    assert any("repeating-linear-gradient" in L.swatch_background(i) for i in legend)   # the page's legend
    page = E.standalone_html('{"layers": []}', title="t", legend=legend, source_line="s")
    assert "repeating-linear-gradient" not in page
    assert L.hex_color(L.LAYER_COLORS["strategies"]) in page

"""Filters, summary line, layers, legend and tooltips."""

import datetime as dt
import json

import pandas as pd
import pydeck as pdk
import pytest

from geo import layers as L
from geo.filters import Filters, filter_facilities, summary_line
from geo.themes import country_partnerships, country_policies, in_force, parse_partial_date


def _fac():
    base = dict(kind="mine", status="operating", operator="Op", owners=None, owner_country=None,
                capacity=float("nan"), capacity_unit=None, start_year=None, source="S, Doc, 2025",
                source_url="https://s.gov/a", as_of="2025-01-31", confidence="high", notes=None)
    rows = [
        dict(id="a", name="A", stage="mining", minerals="cobalt;copper", country="COD", lat=-10.6, lon=26.1),
        dict(id="b", name="B", stage="mining", minerals="copper", country="COD", lat=-10.7, lon=25.5),
        dict(id="c", name="C", stage="processing", minerals="cobalt", country="CHN", lat=30.0, lon=120.0),
        dict(id="d", name="<img src=x onerror=alert(1)>", stage="recycling", minerals="lithium",
             country="USA", lat=39.5, lon=-119.4),
    ]
    return pd.DataFrame([{**base, **r} for r in rows])


def test_filter_by_mineral_country_stage_status():
    df = _fac()
    assert list(filter_facilities(df, Filters(minerals=("cobalt",)))["id"]) == ["a", "c"]
    assert list(filter_facilities(df, Filters(minerals=("cobalt",), countries=("COD",)))["id"]) == ["a"]
    assert list(filter_facilities(df, Filters(stages=("recycling",)))["id"]) == ["d"]
    assert filter_facilities(df, Filters(statuses=("closed",))).empty


def test_summary_line():
    df = _fac()
    assert summary_line(df[df.stage == "processing"]) == "1 processing site in China"
    assert summary_line(df.iloc[:2]) == "2 mining sites in DR Congo"
    assert summary_line(df) == "4 sites in 3 countries (2 mining, 1 processing, 1 recycling)"
    assert summary_line(df.iloc[0:0]) == "No sites match these filters"


def test_points_carry_plain_text_tooltips_with_source_and_as_of():
    pts = L.facility_points(_fac(), {"cobalt": "Cobalt", "copper": "Copper"})
    tip = pts.set_index("id").loc["a", "tooltip"]
    assert tip.splitlines()[0] == "A"
    assert "Minerals: Cobalt, Copper" in tip and "Source: S, Doc, 2025" in tip and "As of 2025-01-31" in tip
    assert L.TOOLTIP["text"] == "{tooltip}" and "html" not in L.TOOLTIP
    assert "approximate" not in tip  # no location column: nothing claimed either way


def test_tooltip_says_when_a_point_is_only_the_town_or_the_area():
    fac = _fac().assign(location=["site", "town", "area", "site"])
    tips = L.facility_points(fac, {}).set_index("id")["tooltip"]
    assert "approximate" not in tips["a"]
    assert "Location: approximate (only the town or city is located, not the site itself)" in tips["b"]
    assert "Location: approximate (in the site's area" in tips["c"]


def test_stage_colours_and_selection():
    # stage colours differ, and the selected site is enlarged
    sel = L.facility_points(_fac(), {}, selected="c").set_index("id")
    assert sel.loc["c", "radius"] > sel.loc["a", "radius"]
    assert sel.loc["a", "fill"][:3] != sel.loc["c", "fill"][:3]


def test_deck_is_offline_by_default():
    spec = json.loads(L.deck([], None).to_json())
    assert spec["mapStyle"] == "__MAP_STYLE__"  # Streamlit's "no basemap" sentinel
    online = json.loads(L.deck([], None, online_basemap=True).to_json())
    assert "carto" in json.dumps(online)


def test_pixel_units_survive_pydeck_serialisation():
    layer = L.facilities_layer(L.facility_points(_fac(), {}))
    spec = json.loads(pdk.Deck(layers=[layer], map_provider=None).to_json())["layers"][0]
    assert spec["radiusUnits"] == "pixels" and spec["lineWidthUnits"] == "pixels"
    assert spec["id"] == "facilities" and spec["pickable"] is True


def test_legend_lists_stages_with_counts_and_active_layers():
    items = L.legend_items(("facilities", "controls"), {"mining": 2})
    labels = [i["label"] for i in items]
    assert labels[:4] == ["Mining site", "Processing site", "Manufacturing site", "Recycling site"]
    assert items[0]["count"] == 2 and items[1]["count"] == 0
    assert any("export controls" in lbl for lbl in labels)
    assert not any("partnership" in lbl for lbl in labels)
    flows = L.legend_items(("flows",), {})[-1]   # the swatch runs from the origin's colour to the destination's
    assert flows["shape"] == "arc" and L.swatch_background(flows) == (
        f"linear-gradient(90deg,{L.hex_color(L.FLOW_FROM[:3])},{L.hex_color(L.FLOW_TO[:3])})")
    assert L.swatch_background(items[0]) == items[0]["color"]


def test_capacity_sizes_only_compare_like_units():
    df = pd.DataFrame({"capacity": [1, 2, 3, 1000], "capacity_unit": ["t", "t", "t", "kt"]})
    r = L.capacity_radius(df)
    assert r[0] < r[1] < r[2]
    assert r[3] == 5.5  # a unit with fewer than three sites is not sized


def _policies():
    return pd.DataFrame([
        dict(id="p1", jurisdiction="CHN", name="Ga/Ge controls", type="export_control", minerals="gallium;germanium",
             announced="2023-07-03", effective="2023-08-01", suspended=None, expires=None, status="in_force"),
        dict(id="p2", jurisdiction="CHN", name="US ban", type="export_ban", minerals="gallium",
             announced="2024-12-03", effective="2024-12-03", suspended="2025-11-09", expires="2026-11-27",
             status="suspended"),
        dict(id="p3", jurisdiction="EUU", name="CRMA", type="law", minerals="all",
             announced="2023-03-16", effective="2024-05-23", suspended=None, expires=None, status="in_force"),
    ])


def test_in_force_on_a_date():
    p = _policies()
    assert list(p[in_force(p)]["id"]) == ["p1", "p3"]
    assert list(p[in_force(p, dt.date(2023, 7, 31))]["id"]) == []
    assert list(p[in_force(p, dt.date(2025, 1, 1))]["id"]) == ["p1", "p2", "p3"]
    assert list(p[in_force(p, dt.date(2025, 12, 1))]["id"]) == ["p1", "p3"]


def test_partial_dates():
    assert parse_partial_date("2023") == dt.date(2023, 1, 1)
    assert parse_partial_date("2023", end=True) == dt.date(2023, 12, 31)
    assert parse_partial_date("2024-02", end=True) == dt.date(2024, 2, 29)
    assert parse_partial_date("nope") is None


def test_country_themes_expand_the_eu():
    by = country_policies(_policies(), ("law",))
    assert "DEU" in by and "FRA" in by and by["DEU"] == ["CRMA (EU)"]
    controls = country_policies(_policies(), ("export_control", "export_ban"), minerals=("gallium",),
                                require_in_force=True)
    assert controls == {"CHN": ["Ga/Ge controls"]}
    parts = pd.DataFrame([dict(id="msp", short_name="MSP")])
    members = pd.DataFrame([dict(partnership="msp", member="EUU", joined="2022-06-14"),
                            dict(partnership="msp", member="IND", joined="2023-06")])
    by = country_partnerships(parts, members)
    assert by["IND"] == ["MSP"] and by["ITA"] == ["MSP"]
    assert "IND" not in country_partnerships(parts, members, on=dt.date(2023, 1, 1))


def test_map_themes_fill_strategies_and_partnerships_and_outline_controls():
    parts = pd.DataFrame([dict(id="msp", short_name="MSP")])
    members = pd.DataFrame([dict(partnership="msp", member="IND", joined="2023-06")])
    themes = L.map_themes(_policies(), parts, members, ("controls", "partnerships", "strategies"),
                          minerals=("gallium",))
    assert list(themes) == ["strategies", "partnerships", "controls"]  # drawing order, not the order asked
    assert themes["controls"][0] == {"CHN": ["Ga/Ge controls"]} and themes["controls"][2] == {"outline_only": True}
    fills = L.theme_fills(themes)  # controls are outlines: never painted into the picture
    assert [f[1:] for f in fills] == [(L.LAYER_COLORS["strategies"], L.THEME_ALPHA["strategies"]),
                                      (L.LAYER_COLORS["partnerships"], L.THEME_ALPHA["partnerships"])]
    assert fills[1][0] == ("IND",)
    assert L.map_themes(_policies(), parts, members, ("facilities",)) == {}


def _pixel(lon: float, lat: float, size: int = 4096) -> tuple[int, int]:
    """Where a point falls on a Web-Mercator world picture of ``size`` pixels."""
    import math

    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return int((lon + 180) / 360 * size), int((math.pi - y) / (2 * math.pi) * size)


def test_map_picture_paints_see_through_fills_into_the_basemap():
    import io

    from PIL import Image

    from geo.colors import LAYER_COLORS
    from geo.countries import load_boundaries
    from geo.paths import DATA_DIR

    world = load_boundaries(DATA_DIR / "boundaries" / "countries.geojson")
    mask = L.theme_mask(world, ["JPN", "ZAF"])
    assert mask.shape == (4096, 4096)
    assert mask[_pixel(139.7, 35.7)[::-1]] and mask[_pixel(24.0, -30.0)[::-1]]   # Tokyo, South Africa
    assert not mask[_pixel(28.2, -29.6)[::-1]]                                   # Lesotho, a hole in South Africa
    assert not mask[_pixel(-160.0, 20.0)[::-1]] and not mask[_pixel(116.4, 39.9)[::-1]]  # Pacific, Beijing
    assert L.theme_mask(world, ["ZAF", "LSO"])[_pixel(28.2, -29.6)[::-1]]        # an enclave in the set is filled

    base = Image.open(io.BytesIO(L.basemap_png(world)))
    blue, orange = (86, 180, 233), (230, 159, 0)
    png = L.map_png(base, [(mask, blue, 110), (L.theme_mask(world, ["ZAF", "CHN"]), orange, 100)])
    img = Image.open(io.BytesIO(png)).convert("RGB")
    land, ocean = LAYER_COLORS["land"], LAYER_COLORS["ocean"]

    def over(under, rgb, alpha):
        return tuple(round(u * (1 - alpha / 255) + c * alpha / 255) for u, c in zip(under, rgb))

    def near(got, want):
        return all(abs(g - w) <= 2 for g, w in zip(got, want))

    assert img.size == (4096, 4096)
    assert near(img.getpixel(_pixel(139.7, 35.7)), over(land, blue, 110))                      # Japan: blue only
    assert near(img.getpixel(_pixel(24.0, -30.0)), over(over(land, blue, 110), orange, 100))   # ZAF: both, in order
    assert near(img.getpixel(_pixel(116.4, 39.9)), over(land, orange, 100))                    # Beijing: orange only
    assert near(img.getpixel(_pixel(-160.0, 20.0)), ocean)                                     # the sea untouched
    assert near(img.getpixel(_pixel(-100.0, 40.0)), land)                                      # the US untouched
    assert len(png) < 700_000


def test_flow_arcs_start_at_the_site_and_grey_out_a_link_that_has_ended():
    from geo.atlas import load_atlas

    atlas = load_atlas()
    arcs = L.flow_arcs(atlas.df("flows.csv"), atlas.df("facilities.csv"), atlas.boundaries,
                       atlas.mineral_names).set_index("id")
    fac = atlas.df("facilities.csv").set_index("id")
    mp = arcs.loc["flow-005"]   # Mountain Pass concentrate to China: stopped in April 2025
    assert mp["from"] == [fac.loc["mountain-pass", "lon"], fac.loc["mountain-pass", "lat"]]
    assert "Link ended 2025-04-17" in mp["tooltip"] and mp["c_from"] == mp["c_to"] == L.ENDED_FLOW
    live = arcs.loc["flow-042"]  # Kisanfu -> China, still running (under quota)
    assert "ended" not in live["tooltip"].lower()
    assert live["c_from"] == L.FLOW_FROM and live["c_to"] == L.FLOW_TO
    then = L.flow_arcs(atlas.df("flows.csv"), atlas.df("facilities.csv"), atlas.boundaries,
                       atlas.mineral_names, on=dt.date(2024, 12, 31)).set_index("id")
    assert then.loc["flow-005", "c_from"] == L.FLOW_FROM           # still running at the end of 2024
    assert "Link later ended, 2025-04-17" in then.loc["flow-005", "tooltip"]
    layer = json.loads(pdk.Deck(layers=[L.flows_layer(arcs.reset_index())]).to_json())["layers"][0]
    assert layer["getSourceColor"] == "@@=c_from" and layer["getTargetColor"] == "@@=c_to"


def _view_box(lon: float, lat: float, zoom: float, w: int, h: int) -> tuple[float, float, float, float]:
    """The EPSG:3857 box of a w x h map centred on (lon, lat) at deck.gl ``zoom``."""
    import math

    from geo.viewmap import HALF

    res = 2 * HALF / (512 * 2 ** zoom)
    x = lon / 180 * HALF
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * HALF / math.pi
    return x - w / 2 * res, y - h / 2 * res, x + w / 2 * res, y + h / 2 * res


def test_view_picture_draws_land_fills_enclaves_and_sea_at_the_views_own_size():
    import io

    from PIL import Image

    from geo.colors import LAYER_COLORS
    from geo.countries import load_boundaries
    from geo.paths import DATA_DIR
    from geo.viewmap import ViewPainter, blend

    world = load_boundaries(DATA_DIR / "boundaries" / "countries.geojson")
    blue = (86, 180, 233)
    vp = ViewPainter(world, [(("ZAF", "JPN"), blue, 110)], land=LAYER_COLORS["land"],
                     border=LAYER_COLORS["border"], ocean=LAYER_COLORS["ocean"])
    land, ocean = LAYER_COLORS["land"], LAYER_COLORS["ocean"]
    # southern Africa at zoom 6 (a map of 600 x 400 pixels, centred on Lesotho)
    img = Image.open(io.BytesIO(vp.png(_view_box(28.2, -29.6, 6, 600, 400), 600, 400))).convert("RGBA")
    assert img.size == (600, 400)
    assert img.getpixel((300, 200))[:3] == land                        # Lesotho: not in the set, a hole in ZAF
    # South Africa, west of it: the tint, with a darker hatch over part of it
    zaf = {img.getpixel((x, 200))[:3] for x in range(90, 110)}
    tint = blend(land, [(blue, 110)])
    assert tint in zaf and any(sum(c) < sum(tint) - 40 for c in zaf)
    assert {img.getpixel((x, 200))[:3] for x in range(290, 306)} == {land}   # no hatch on Lesotho
    assert img.getpixel((599, 399))[:3] == ocean                       # the Indian Ocean, south-east
    # zoomed far out, the view is wider than the world: outside it the picture is see-through
    out = Image.open(io.BytesIO(vp.png(_view_box(0, 0, 0, 1200, 600), 1200, 600))).convert("RGBA")
    assert out.getpixel((5, 300))[3] == 0 and out.getpixel((600, 300))[3] == 255
    with pytest.raises(ValueError):
        vp.png((0, 0, 0, 0), 10, 10)


def test_view_hatch_is_anchored_to_the_world_and_one_diagonal_per_layer():
    import io

    import numpy as np
    from PIL import Image

    from geo import layers as L
    from geo.colors import LAYER_COLORS
    from geo.countries import load_boundaries
    from geo.paths import DATA_DIR
    from geo.viewmap import ViewPainter, hatch_mask

    # lines of the same diagonal in neighbouring pictures continue each other
    a = hatch_mask(40, 30, 100, 200, direction=0, period=10, line=2)
    b = hatch_mask(40, 30, 107, 203, direction=0, period=10, line=2)
    assert (a[3:, 7:] == b[:-3, :-7]).all() and a.any() and not a.all()
    assert not (hatch_mask(40, 30, 0, 0, direction=0, period=10, line=2)
                == hatch_mask(40, 30, 0, 0, direction=1, period=10, line=2)).all()
    # a map panned by whole pixels shows the same hatch on the same ground
    world = load_boundaries(DATA_DIR / "boundaries" / "countries.geojson")
    fills = [(("FRA", "DEU"), LAYER_COLORS["strategies"], 110)]
    vp = ViewPainter(world, fills, land=LAYER_COLORS["land"], border=LAYER_COLORS["border"],
                     ocean=LAYER_COLORS["ocean"], directions=[L.hatch_direction(LAYER_COLORS["strategies"])])
    box = _view_box(2.5, 46.5, 6, 300, 200)
    res = (box[2] - box[0]) / 300
    shifted = (box[0] + 20 * res, box[1], box[2] + 20 * res, box[3])
    one = np.asarray(Image.open(io.BytesIO(vp.png(box, 300, 200))).convert("RGB"), dtype=int)
    two = np.asarray(Image.open(io.BytesIO(vp.png(shifted, 300, 200))).convert("RGB"), dtype=int)
    assert np.abs(one[60:140, 60:200] - two[60:140, 40:180]).max() <= 2   # central France, both pictures
    # the legend draws each layer's diagonal as the map does
    items = {i["label"]: i for i in L.legend_items(("strategies", "partnerships"), {})}
    strat = next(i for k, i in items.items() if "strategy" in k)
    part = next(i for k, i in items.items() if "partnership" in k)
    # CSS stripes run across the gradient's direction: 135deg gives "/" (strategies), 45deg "\\"
    assert L.swatch_background(strat).startswith("repeating-linear-gradient(135deg")
    assert L.swatch_background(part).startswith("repeating-linear-gradient(45deg")
    assert L.hatch_direction(LAYER_COLORS["partnerships"]) == 1


def test_view_route_answers_getmap_and_names_a_bad_parameter():
    import io

    from PIL import Image

    from geo.colors import LAYER_COLORS
    from geo.countries import load_boundaries
    from geo.paths import DATA_DIR
    from geo.tileserver import TileServer, view_url
    from geo.viewmap import ViewPainter, world_resolution

    world = load_boundaries(DATA_DIR / "boundaries" / "countries.geojson")
    vp = ViewPainter(world, land=LAYER_COLORS["land"], border=LAYER_COLORS["border"], ocean=LAYER_COLORS["ocean"])
    ts = TileServer()
    ts.register_view("abcdef0123", vp, coarsest=world_resolution(2048))
    box = ",".join(str(v) for v in _view_box(10, 50, 5, 640, 480))
    status, body, media = ts.view_response("abcdef0123", {"REQUEST": "GetMap", "CRS": "EPSG:3857", "BBOX": box,
                                                          "WIDTH": "640", "HEIGHT": "480", "LAYERS": "base"})
    assert (status, media) == (200, "image/png") and Image.open(io.BytesIO(body)).size == (640, 480)
    far = ",".join(str(v) for v in _view_box(10, 50, 0.5, 640, 480))            # coarser than the world picture
    status, body, _ = ts.view_response("abcdef0123", {"request": "GetMap", "crs": "EPSG:3857", "bbox": far,
                                                      "width": "640", "height": "480"})
    assert status == 200 and Image.open(io.BytesIO(body)).size == (1, 1)
    assert ts.view_response("abcdef0123", {"REQUEST": "GetCapabilities"})[1].startswith(b"<?xml")
    bad = ts.view_response("abcdef0123", {"REQUEST": "GetMap", "CRS": "EPSG:3857", "BBOX": "1,2,x,4",
                                          "WIDTH": "640", "HEIGHT": "480"})
    assert bad[0] == 400 and b"BBOX" in bad[1]
    assert b"WIDTH" in ts.view_response("abcdef0123", {"REQUEST": "GetMap", "CRS": "EPSG:3857", "BBOX": box,
                                                       "WIDTH": "99999", "HEIGHT": "480"})[1]
    assert b"CRS" in ts.view_response("abcdef0123", {"REQUEST": "GetMap", "CRS": "EPSG:4326", "BBOX": box,
                                                     "WIDTH": "64", "HEIGHT": "48"})[1]
    assert ts.view_response("0000000000", {"REQUEST": "GetMap"})[0] == 404
    assert view_url("abcdef0123") == "atlas-view/abcdef0123"                    # relative: keeps a path prefix
    assert [r.path for r in ts.routes("/atlas")][1] == "/atlas/atlas-view/{key}"
    with pytest.raises(ValueError):
        ts.register_view("../x", vp, coarsest=1.0)

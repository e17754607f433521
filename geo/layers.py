"""pydeck layer builders (one per deck.gl layer, deck.gl parameter names, stable ids).

All text that reaches a tooltip is plain text: deck.gl renders ``tooltip={"text": ...}`` with
``innerText``, so data can never become markup. Text is also cleaned (and shortened) here.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize
import shapely

from geo.colors import LAYER_COLORS, STAGE_COLORS, hex_color
from geo.countries import country_name
from geo.filters import split_ids
from geo.text import clean
from geo.viewmap import hatch_rgb
from geo.themes import (CONTROL_TYPES, STRATEGY_TYPES, country_partnerships, country_policies,
                        parse_partial_date)

TOOLTIP = {
    "text": "{tooltip}",
    "style": {"backgroundColor": "#1f2933", "color": "#ffffff", "fontSize": "13px",
              "maxWidth": "360px", "whiteSpace": "pre-wrap"},
}
DEFAULT_VIEW = (22.0, 12.0, 0.9)
#: camera presets (lat, lon, zoom) offered on the map; the choice goes into the link as view=
REGIONS = {
    "World": DEFAULT_VIEW,
    "Africa: DRC–Zambia copper–cobalt belt": (-11.6, 27.3, 5.6),
    "Southern Africa": (-22.0, 26.0, 3.6),
    "Australia": (-26.0, 133.0, 3.0),
    "China, Japan and Korea": (33.0, 118.0, 3.2),
    "South-East Asia and Indonesia": (2.0, 112.0, 3.4),
    "Europe": (52.0, 12.0, 3.0),
    "North America": (42.0, -100.0, 2.6),
    "South America: lithium triangle and Andes": (-22.0, -66.0, 3.6),
}
STAGE_LINE = {  # outline shows the stage too, for print and colour-vision deficiency
    "mining": (60, 40, 0),
    "processing": (255, 255, 255),
    "manufacturing": (255, 255, 255),
    "recycling": (0, 60, 40),
}
STAGE_LINE_WIDTH = {"mining": 1, "processing": 2, "manufacturing": 1.5, "recycling": 1.5}


def _mineral_label(ids: str, names: dict[str, str]) -> str:
    return ", ".join(names.get(m, m) for m in split_ids(ids))


#: How exact a point is (``location`` column), in words: (short label for tables and the details
#: panel, tooltip line or "" when the point is the site itself).
LOCATION_TEXT = {
    "site": ("the site itself", ""),
    "area": ("the site's area (approximate)",
             "Location: approximate (in the site's area, not the exact plant or pit)"),
    "town": ("town or city only (approximate)",
             "Location: approximate (only the town or city is located, not the site itself)"),
}


def location_label(value) -> str:
    """How exact a facility's point is, in words; empty when the row doesn't say."""
    return LOCATION_TEXT.get(clean(value), ("", ""))[0]


def facility_tooltip(row: pd.Series, names: dict[str, str]) -> str:
    """Plain-text tooltip: name, stage, minerals, operator/owners, status, source, as-of."""
    lines = [
        clean(row.get("name"), limit=120),
        f"{clean(row.get('stage')).capitalize()} · {clean(row.get('kind'))} · {country_name(row['country'])}",
        f"Minerals: {clean(_mineral_label(row.get('minerals'), names), limit=160)}",
    ]
    op = clean(row.get("operator"), limit=120)
    if op:
        lines.append(f"Operator: {op}")
    owners = clean(row.get("owners"), limit=160)
    if owners and owners != op:
        lines.append(f"Owners: {owners}")
    lines.append(f"Status: {clean(row.get('status')).replace('_', ' ')}")
    where = LOCATION_TEXT.get(clean(row.get("location")), ("", ""))[1]
    if where:
        lines.append(where)
    cap = row.get("capacity")
    if isinstance(cap, (int, float)) and not pd.isna(cap):
        lines.append(f"Capacity: {cap:,.0f} {clean(row.get('capacity_unit'))}".rstrip())
    lines.append(f"Source: {clean(row.get('source'), limit=140)}")
    lines.append(f"As of {clean(row.get('as_of'))} · confidence {clean(row.get('confidence'))}")
    return "\n".join(lines)


def capacity_radius(df: pd.DataFrame, *, small: float = 4.0, large: float = 9.0) -> np.ndarray:
    """Marker radius in pixels: percentile of capacity among sites with the same unit."""
    r = np.full(len(df), small + 1.5)
    if not len(df):
        return r
    cap = pd.to_numeric(df["capacity"], errors="coerce")
    unit = df["capacity_unit"].fillna("")
    pct = cap.groupby(unit).rank(pct=True)
    known = cap.notna() & unit.ne("") & (unit.map(unit.value_counts()) >= 3)
    r[known.to_numpy()] = small + (large - small) * pct[known].to_numpy()
    return r


def facility_points(df: pd.DataFrame, names: dict[str, str], *, selected: str | None = None) -> pd.DataFrame:
    """Compact records for the facilities layer (only the columns the browser needs)."""
    out = pd.DataFrame({
        "id": df["id"].astype(str),
        "lon": df["lon"].astype(float).round(4),
        "lat": df["lat"].astype(float).round(4),
        "stage": df["stage"].astype(str),
    })
    out["fill"] = [list(STAGE_COLORS.get(s, (120, 120, 120))) + [225] for s in out["stage"]]
    out["line"] = [list(STAGE_LINE.get(s, (0, 0, 0))) for s in out["stage"]]
    out["lw"] = [STAGE_LINE_WIDTH.get(s, 1) for s in out["stage"]]
    out["radius"] = capacity_radius(df).round(1)
    if selected is not None:
        sel = out["id"].eq(selected).to_numpy()
        out.loc[sel, "radius"] = out.loc[sel, "radius"] + 5
        out.loc[sel, "line"] = pd.Series([list(LAYER_COLORS["selected"])] * int(sel.sum()),
                                         index=out.index[sel], dtype=object)
        out.loc[sel, "lw"] = 3
    out["tooltip"] = [facility_tooltip(r, names) for _, r in df.iterrows()]
    # draw manufacturing and recycling last so they sit on top of big mining clusters
    order = out["stage"].map({"mining": 0, "processing": 1, "manufacturing": 2, "recycling": 3}).fillna(0)
    return out.assign(_o=order).sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


USER_FILL = [255, 255, 255, 235]
USER_LINE = [0, 0, 0]


def user_points(df: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Records for an uploaded layer: white dots with a black ring, same tooltip as curated sites."""
    out = facility_points(df, names)
    out["fill"] = [USER_FILL] * len(out)
    out["line"] = [USER_LINE] * len(out)
    out["lw"] = 1.5
    out["radius"] = 4.5
    return out


def user_layer(points: pd.DataFrame) -> pdk.Layer:
    return facilities_layer(points, layer_id="user")


def facilities_layer(points: pd.DataFrame, *, layer_id: str = "facilities") -> pdk.Layer:
    return pdk.Layer(
        "ScatterplotLayer",
        data=points,
        id=layer_id,
        get_position=["lon", "lat"],
        get_fill_color="fill",
        get_line_color="line",
        get_line_width="lw",
        get_radius="radius",
        radius_units="'pixels'",  # quoted: pydeck reads bare strings as accessors
        line_width_units="'pixels'",
        stroked=True,
        filled=True,
        pickable=True,
        auto_highlight=True,
        highlight_color=[0, 0, 0, 90],
    )


@lru_cache(maxsize=4)
def _display_geometry(wkb: bytes, tolerance: float) -> str:
    """Simplified, coordinate-rounded GeoJSON geometry text (cached by WKB)."""
    geom = shapely.from_wkb(wkb)
    geom = shapely.simplify(geom, tolerance, preserve_topology=True)
    geom = shapely.set_precision(geom, 0.01)
    return shapely.to_geojson(geom)


def display_features(boundaries: gpd.GeoDataFrame, *, tolerance: float = 0.05) -> dict[str, dict]:
    """ISO3 -> simplified GeoJSON geometry (rounded to 0.01°) for drawing."""
    return {iso: json.loads(_display_geometry(shapely.to_wkb(g), tolerance))
            for iso, g in zip(boundaries["iso3"], boundaries.geometry)}


def basemap_records(geoms: dict[str, dict]) -> dict[str, dict]:
    """Static basemap data: every country as a GeoJSON feature (written once as a static file)."""
    return {"land": {"type": "FeatureCollection",
                     "features": [{"type": "Feature", "geometry": g, "properties": {"iso3": iso}}
                                  for iso, g in geoms.items()]}}


def base_layers(land) -> list[pdk.Layer]:
    """Offline basemap: an ocean rectangle and every country as light land with borders.

    ``land`` is a FeatureCollection or, better, the URL of a static GeoJSON file: deck.gl then
    loads and tessellates it once per page, not on every rerun. Two measured constraints
    (Streamlit 1.67, deck.gl 9, software WebGL) shape this:

    - no polygon layer is pickable: a pickable polygon layer under the sites makes Streamlit's
      click selection pick nothing; country tooltips come from :func:`country_pins`;
    - borders are the GeoJsonLayer's own strokes, not a PathLayer: once a site is selected,
      Streamlit re-colours every PathLayer vertex (4-5 s per click here), but it leaves a
      GeoJsonLayer's line colour alone.
    """
    ocean = pdk.Layer(
        "SolidPolygonLayer", id="ocean",
        data=[{"polygon": [[-180, -85], [180, -85], [180, 85], [-180, 85]]}],
        get_polygon="polygon", get_fill_color=list(LAYER_COLORS["ocean"]), pickable=False,
    )
    land = pdk.Layer(
        "GeoJsonLayer", id="land", data=land, filled=True, stroked=True,
        get_fill_color=list(LAYER_COLORS["land"]), get_line_color=list(LAYER_COLORS["border"]),
        get_line_width=0.6, line_width_units="'pixels'", pickable=False,
    )
    return [ocean, land]


WEB_MERCATOR_LAT = 85.0511287798


def basemap_png(boundaries: gpd.GeoDataFrame, *, size: int = 4096) -> bytes:
    """The offline basemap as one Web-Mercator picture (land, borders, ocean) for a BitmapLayer.

    Measured here (software WebGL): the vector land layer (250 countries, ~0.5 MB) costs ~1.5 s
    of every page's first draw to tessellate and fill; one texture costs almost nothing."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    half = 20037508.342789244
    g = boundaries.to_crs(3857)
    fig = plt.figure(figsize=(size / 100, size / 100), dpi=100)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(-half, half)
    ax.set_ylim(-half, half)
    ax.set_axis_off()
    fig.patch.set_facecolor(tuple(c / 255 for c in LAYER_COLORS["ocean"]))
    g.plot(ax=ax, color=tuple(c / 255 for c in LAYER_COLORS["land"]),
           edgecolor=tuple(c / 255 for c in LAYER_COLORS["border"]), linewidth=0.5, antialiased=True)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, facecolor=fig.get_facecolor())
    plt.close(fig)
    from PIL import Image

    img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB").quantize(colors=32)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


THEME_ALPHA = {"strategies": 110, "partnerships": 100}  # see-through fills of the country layers
HATCHED = ("strategies", "partnerships")  # hatched on zoomed-in views (geo.viewmap): "/" and "\\"


def hatch_direction(rgb) -> int:
    """The diagonal of a country layer's hatch (0: ``/``, 1: ``\\``), known by its colour, so the
    map and the legend agree whichever layers are on."""
    for i, key in enumerate(HATCHED):
        if tuple(rgb[:3]) == tuple(LAYER_COLORS[key]):
            return i
    return 0


def theme_mask(boundaries: gpd.GeoDataFrame, codes, *, size: int = 4096) -> np.ndarray:
    """Countries ``codes`` as a Web-Mercator mask (``size`` x ``size`` booleans) lying exactly
    over :func:`basemap_png`. Larger polygons are drawn first, so an enclave in the set is filled
    and a hole (Lesotho in South Africa) is not."""
    from PIL import Image, ImageDraw

    half = 20037508.342789244
    scale = size / (2 * half)
    sub = boundaries[boundaries["iso3"].isin(set(codes))]
    polys = [p for g in sub.to_crs(3857).geometry if g is not None and not g.is_empty
             for p in getattr(g, "geoms", [g]) if p.geom_type == "Polygon"]
    polys.sort(key=lambda p: -p.area)

    def pixels(ring) -> list[tuple[float, float]]:
        xy = np.asarray(ring.coords)[:, :2]
        return list(zip(((xy[:, 0] + half) * scale).tolist(), ((half - xy[:, 1]) * scale).tolist()))

    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    for p in polys:
        draw.polygon(pixels(p.exterior), fill=1)
        for hole in p.interiors:
            draw.polygon(pixels(hole), fill=0)
    return np.asarray(img, dtype=bool)


def map_png(base, fills) -> bytes:
    """The basemap picture (a palette image from :func:`basemap_png`) with see-through country
    fills painted in, in order: ``fills`` is a list of (mask from :func:`theme_mask`, rgb, alpha).

    One picture, so the browser uploads one texture: measured here (software WebGL, default map),
    a second 4096-pixel picture laid over the basemap cost ~0.85 s of the first draw. The colours
    are those of the fills blended over each basemap colour ("over", as the browser would blend
    them); the palette grows to (basemap colours) x 2^fills, so at most 256 / colours fills."""
    import io

    from PIL import Image

    arr = np.asarray(base)
    k = int(arr.max()) + 1
    if k << len(fills) > 256:
        raise ValueError(f"{len(fills)} fills over {k} basemap colours need more than 256 palette entries")
    base_pal = np.asarray(base.getpalette()[:3 * k], dtype=float).reshape(k, 3)
    idx = arr.astype(np.uint8)  # a copy
    palette = []
    for combo in range(1 << len(fills)):
        colour = base_pal.copy()
        for i, (_, rgb, alpha) in enumerate(fills):
            if combo >> i & 1:
                a = alpha / 255.0
                colour = colour * (1 - a) + np.asarray(rgb, dtype=float) * a
        palette.append(colour)
    for i, (mask, _, _) in enumerate(fills):
        idx[mask] += np.uint8(k << i)
    img = Image.fromarray(idx, "P")
    img.putpalette(np.vstack(palette).round().clip(0, 255).astype(np.uint8).ravel().tolist())
    out = io.BytesIO()
    img.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def raster_base_layer(url: str) -> pdk.Layer:
    """The basemap picture (see :func:`basemap_png`, with country fills: :func:`map_png`) stretched
    over the Web-Mercator world."""
    return pdk.Layer("BitmapLayer", id="land", image=f"'{url}'", pickable=False,  # quoted: a URL, not a file to inline
                     bounds=[-180, -WEB_MERCATOR_LAT, 180, WEB_MERCATOR_LAT])


def view_layer(url: str) -> pdk.Layer:
    """The basemap drawn for the current view by the server (geo.viewmap), over the world picture:
    deck.gl's WMS layer asks ``url`` for a picture of exactly the map's size after each move."""
    layer = pdk.Layer("_WMSLayer", id="land-view", data=url, service_type="'wms'", srs="'EPSG:3857'", pickable=False)
    layer.layers = ["base"]  # set after: pydeck's constructor would read a list of strings as an expression
    return layer


THEME_LABELS = {"strategies": "Strategies, laws and lists", "partnerships": "Partnerships",
                "controls": "Export controls in force"}


def map_themes(policies: pd.DataFrame | None, partnerships: pd.DataFrame | None, members: pd.DataFrame | None,
               layers, *, minerals=(), on: dt.date | None = None) -> dict[str, tuple[dict, str, dict]]:
    """The country layers switched on in ``layers``, in drawing order: layer id -> (countries and
    their items, label, drawing options). Strategies and partnerships are see-through fills;
    export controls are outlines only."""
    themes = {}
    if "strategies" in layers:
        themes["strategies"] = (country_policies(policies, STRATEGY_TYPES, minerals=minerals, on=on),
                                THEME_LABELS["strategies"], dict(alpha=THEME_ALPHA["strategies"]))
    if "partnerships" in layers:
        themes["partnerships"] = (country_partnerships(partnerships, members, on=on),
                                  THEME_LABELS["partnerships"], dict(alpha=THEME_ALPHA["partnerships"]))
    if "controls" in layers:
        themes["controls"] = (country_policies(policies, CONTROL_TYPES, minerals=minerals, on=on,
                                               require_in_force=True),
                              THEME_LABELS["controls"], dict(outline_only=True))
    return themes


def theme_fills(themes: dict[str, tuple[dict, str, dict]]) -> list[tuple[tuple[str, ...], tuple, int]]:
    """The fills :func:`map_png` paints into the basemap picture: (countries, colour, alpha), in order."""
    return [(tuple(by), LAYER_COLORS[k], opts["alpha"]) for k, (by, _label, opts) in themes.items()
            if not opts.get("outline_only")]


def theme_notes(by_country: dict[str, list[str]], label: str, *, max_items: int = 5) -> dict[str, list[str]]:
    """Tooltip lines for a country layer: "Label (n):" then up to ``max_items`` bullet lines."""
    out = {}
    for iso, items in by_country.items():
        lines = [f"{label} ({len(items)}):"] + [f"• {clean(x, limit=90)}" for x in items[:max_items]]
        if len(items) > max_items:
            lines.append(f"  … and {len(items) - max_items} more")
        out[iso] = lines
    return out


def country_pins(points: dict[str, tuple[float, float]], notes: dict[str, list[str]], *,
                 layer_id: str = "countries") -> pdk.Layer:
    """A small pickable marker in each annotated country, carrying the country tooltip."""
    data = [{"iso3": iso, "lon": round(points[iso][0], 3), "lat": round(points[iso][1], 3),
             "tooltip": "\n".join([country_name(iso), *lines])}
            for iso, lines in notes.items() if iso in points]
    return pdk.Layer(
        "ScatterplotLayer", id=layer_id, data=data, get_position=["lon", "lat"],
        get_fill_color=[255, 255, 255, 230], get_line_color=[70, 70, 70, 255], get_radius=4,
        radius_units="'pixels'", line_width_units="'pixels'", get_line_width=1.5, stroked=True,
        filled=True, pickable=True, auto_highlight=True,
    )


def merge_notes(*parts: dict[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for part in parts:
        for iso, lines in part.items():
            merged.setdefault(iso, []).extend(lines)
    return merged


def theme_layers(geoms: dict[str, dict], codes, *, layer_id: str, rgb: tuple[int, int, int],
                 alpha: int = 120, outline_only: bool = False) -> list[pdk.Layer]:
    """Countries shaded (or outlined) because they have something: strategies, partnerships, controls.

    Non-pickable GeoJsonLayers, for the reasons given in :func:`base_layers`.
    """
    feats = [{"type": "Feature", "geometry": geoms[c], "properties": {"iso3": c}} for c in codes if c in geoms]
    return [pdk.Layer(
        "GeoJsonLayer", id=layer_id, data={"type": "FeatureCollection", "features": feats},
        filled=not outline_only, stroked=outline_only, get_fill_color=list(rgb) + [alpha],  # borders: on the basemap picture
        get_line_color=list(rgb) + [255], get_line_width=2.5 if outline_only else 0.8,
        line_width_units="'pixels'", pickable=False,
    )]


def flow_arcs(flows: pd.DataFrame, facilities: pd.DataFrame, boundaries: gpd.GeoDataFrame,
              names: dict[str, str], *, on: dt.date | None = None) -> pd.DataFrame:
    """Arc records: a facility's point when the flow names one, else the country's centre. A link
    whose ``ended`` date is on or before ``on`` (today when None) is drawn grey; on an earlier
    'as of' date it was still running and is drawn in the usual colours."""
    day = on or dt.date.today()
    if flows is None or flows.empty:
        return pd.DataFrame(columns=["id", "from", "to", "tooltip", "c_from", "c_to"])
    fac = {} if facilities is None else {i: [lo, la] for i, lo, la in
                                         zip(facilities["id"], facilities["lon"], facilities["lat"])}
    reps = boundaries.set_index("iso3").geometry.representative_point()
    ctr = {iso: [round(p.x, 3), round(p.y, 3)] for iso, p in reps.items()}
    recs = []
    for _, f in flows.iterrows():
        a = fac.get(f.get("from_facility")) or ctr.get(f["from_country"])
        b = fac.get(f.get("to_facility")) or ctr.get(f["to_country"])
        if a is None or b is None:
            continue
        qty = ""
        if not pd.isna(f.get("share_pct")):
            qty = f"\nShare: {f['share_pct']:g}%"
        elif not pd.isna(f.get("quantity")):
            qty = f"\nQuantity: {f['quantity']:,.0f} {clean(f.get('unit'))}"
        stop = parse_partial_date(f.get("ended"))  # None when the link has not ended
        over = stop is not None and stop <= day
        tip = (f"{names.get(f['mineral'], f['mineral'])}: {clean(f.get('product'))}\n"
               f"{country_name(f['from_country'])} → {country_name(f['to_country'])} ({f['year']}){qty}\n"
               + (f"Link ended {clean(f['ended'])} (see the source's notes)\n" if over else
                  f"Link later ended, {clean(f['ended'])}\n" if stop else "")
               + f"Source: {clean(f.get('source'), limit=140)}\nAs of {clean(f.get('as_of'))}")
        src, dst = (ENDED_FLOW, ENDED_FLOW) if over else (FLOW_FROM, FLOW_TO)
        recs.append({"id": f["id"], "from": a, "to": b, "tooltip": tip, "c_from": src, "c_to": dst})
    return pd.DataFrame(recs)


FLOW_FROM = list(STAGE_COLORS["mining"]) + [200]      # origin end
FLOW_TO = list(STAGE_COLORS["processing"]) + [200]      # destination end
ENDED_FLOW = [140, 140, 140, 150]                       # a documented link that has stopped


def flows_layer(arcs: pd.DataFrame, *, layer_id: str = "flows") -> pdk.Layer:
    return pdk.Layer(
        "ArcLayer", id=layer_id, data=arcs, get_source_position="from", get_target_position="to",
        get_source_color="c_from", get_target_color="c_to",
        get_width=2, width_min_pixels=1.5, get_height=0.4, great_circle=True, pickable=True,
        auto_highlight=True,
    )


def view_state(view: tuple[float, float, float] | None) -> pdk.ViewState:
    lat, lon, zoom = view or DEFAULT_VIEW
    return pdk.ViewState(latitude=lat, longitude=lon, zoom=zoom, min_zoom=0.5, max_zoom=16,
                         pitch=0, bearing=0)


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation (pydeck pretty-prints: ~3x the bytes on the wire)."""

    _frozen: str | None = None

    def to_json(self) -> str:
        if self._frozen is not None:
            return self._frozen
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))

    def freeze(self) -> "CompactDeck":
        """Serialise once and keep the JSON (for a deck shared read-only between sessions)."""
        self._frozen = None
        self._frozen = self.to_json()
        return self


def deck(layers: list[pdk.Layer], view: tuple[float, float, float] | None, *,
         online_basemap: bool = False) -> pdk.Deck:
    """A Deck that needs nothing from the internet unless ``online_basemap`` is asked for."""
    if online_basemap:
        return CompactDeck(layers=layers, initial_view_state=view_state(view), tooltip=TOOLTIP,
                           map_provider="carto", map_style="light")
    # map_provider=None without map_style emits pydeck's "__MAP_STYLE__" sentinel, which
    # Streamlit reads as "no basemap"; map_style=None would make Streamlit fetch a Carto style.
    return CompactDeck(layers=layers, initial_view_state=view_state(view), tooltip=TOOLTIP,
                       map_provider=None)


LEGEND_THEMES = {  # label, colour, and a second colour where the swatch is a two-ended gradient
    "strategies": ("Country has a national strategy, law or critical list", LAYER_COLORS["strategies"], None),
    "partnerships": ("Country is in a minerals partnership", LAYER_COLORS["partnerships"], None),
    "controls": ("Country has export controls in force (outline)", LAYER_COLORS["controls"], None),
    "flows": ("Supply flow (orange end: origin, blue end: destination; grey: the link has ended)",
              FLOW_FROM[:3], FLOW_TO[:3]),   # as the arcs are drawn
}


def legend_items(layers: tuple[str, ...], stage_counts: dict[str, int]) -> list[dict]:
    """What the legend shows, in order: stages on the map, then active country layers."""
    items = []
    if "facilities" in layers:
        for stage, rgb in STAGE_COLORS.items():
            if stage == "refining":
                continue
            items.append({"label": f"{stage.capitalize()} site", "color": hex_color(rgb),
                          "shape": "circle", "count": stage_counts.get(stage, 0)})
    if any(k in layers for k in ("strategies", "partnerships", "controls")):
        items.append({"label": "Country details: hover the white dot", "color": "#ffffff",
                      "shape": "circle", "count": None})
    for key, (label, rgb, rgb_to) in LEGEND_THEMES.items():
        if key in layers:
            items.append({"label": label, "color": hex_color(rgb),
                          "shape": "outline" if key == "controls" else ("arc" if key == "flows" else "square"),
                          "count": None, **({"color_to": hex_color(rgb_to)} if rgb_to else {}),
                          **({"hatch": hex_color(hatch_rgb(rgb)), "hatch_dir": hatch_direction(rgb)}
                             if key in HATCHED else {})})
    return items


def swatch_background(item: dict, *, hatched: bool = True) -> str:
    """CSS background of a legend item's swatch: its colour, a gradient for a two-ended arc, or
    the colour hatched as the zoomed-in map hatches a country layer (geo.viewmap); ``hatched``
    False for a map whose country layers are plain fills (the offline file)."""
    if hatched and item.get("hatch"):
        # CSS stripes run across the gradient's direction: 135deg draws "/", 45deg draws "\"
        angle = 135 if item.get("hatch_dir", 0) == 0 else 45
        return (f"repeating-linear-gradient({angle}deg,{item['hatch']} 0 2px,{item['color']} 2px 5px)")
    if item.get("color_to"):
        return f"linear-gradient(90deg,{item['color']},{item['color_to']})"
    return item["color"]

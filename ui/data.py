"""Cached access to the Atlas data (one copy per server, reloaded when a data file changes)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import streamlit as st

from geo import paths
from geo.atlas import Atlas, file_signature, load_atlas_cached
from geo.layers import basemap_png, basemap_records, display_features

STATIC = paths.ROOT / "static" / "atlas"


_SIG: dict = {"at": 0.0, "key": None}


def _key() -> tuple:
    """(data dir, digest of every data file's name/size/mtime): the cache key of everything here.
    Re-read at most once a second (it stats ~100 files; a page asks for it many times per run)."""
    import time

    now = time.monotonic()
    if _SIG["key"] is None or now - _SIG["at"] > 1.0 or _SIG["key"][0] != str(paths.DATA_DIR):
        sig = repr(file_signature(paths.DATA_DIR)).encode()
        _SIG["key"] = (str(paths.DATA_DIR), hashlib.sha256(sig).hexdigest())
        _SIG["at"] = now
    return _SIG["key"]


def cache_key() -> tuple:
    """What every cache of the data here is keyed on (changes when any data file changes)."""
    return _key()


@st.cache_resource(max_entries=2, show_spinner="Loading the Atlas data…")
def _atlas(key: tuple) -> Atlas:
    return load_atlas_cached(Path(key[0]))


def atlas() -> Atlas:
    """The validated data. Shared and read-only: pages must copy before changing a frame."""
    return _atlas(_key())


@st.cache_resource(max_entries=2)
def _geoms(key: tuple) -> dict:
    a = _atlas(key)
    return {} if a.boundaries is None else display_features(a.boundaries)


def display_geoms() -> dict:
    """ISO3 -> simplified GeoJSON geometry for drawing."""
    return _geoms(_key())


@st.cache_resource(max_entries=2)
def _points(key: tuple) -> dict:
    a = _atlas(key)
    if a.boundaries is None:
        return {}
    reps = a.boundaries.set_index("iso3").geometry.representative_point()
    return {iso: (p.x, p.y) for iso, p in reps.items()}


def country_points() -> dict:
    """ISO3 -> (lon, lat) of a point inside the country (for pins and flow ends)."""
    return _points(_key())


def _write_once(path: Path, content: bytes) -> None:
    """Write a static file atomically unless it is already there (its name carries its digest)."""
    if path.exists():
        return
    STATIC.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=STATIC, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    os.replace(tmp, path)


WORLD_SIZE_SERVED = 2048  # under server.py each view also gets its own sharp picture: the world one stays small
WORLD_SIZE_ALONE = 4096   # a plain `streamlit run app.py` (no view pictures): one picture as sharp as is affordable


def world_size() -> int:
    """Pixels per side of the world picture: small when the server draws each view sharply
    (geo.viewmap; measured here, software WebGL: uploading a 4096-pixel texture took ~0.43 s of
    main thread per page load, a 2048-pixel one a quarter of that)."""
    from geo.tileserver import TILES

    return WORLD_SIZE_SERVED if TILES.serving else WORLD_SIZE_ALONE


@st.cache_resource(max_entries=4)
def _basemap(key: tuple, size: int = WORLD_SIZE_ALONE) -> str | None:
    """Write the basemap picture once as a static file; return its URL (relative, so a path prefix
    works). Named by the boundaries it is drawn from and its size, so a restart finds it (drawing
    takes ~2 s)."""
    a = _atlas(key)
    if a.boundaries is None:
        return None
    wkb = b"".join(a.boundaries.geometry.to_wkb())
    tag = b"png-v1" if size == WORLD_SIZE_ALONE else f"png-v1-{size}".encode()
    path = STATIC / f"land-{hashlib.sha256(wkb + tag).hexdigest()[:12]}.png"
    if not path.exists():
        _write_once(path, basemap_png(a.boundaries, size=size))
    return f"app/static/atlas/{path.name}"


def basemap_data() -> dict:
    """The land layer's FeatureCollection itself (for files that must work without the server)."""
    return basemap_records(display_geoms())["land"]


def _norm_fills(fills) -> tuple:
    return tuple((tuple(sorted(set(codes))), tuple(int(c) for c in rgb), int(alpha))
                 for codes, rgb, alpha in fills if len(codes))


@st.cache_resource(max_entries=16, show_spinner=False)
def _painter(key: tuple, fills: tuple):
    from geo.colors import LAYER_COLORS
    from geo.layers import hatch_direction
    from geo.viewmap import ViewPainter

    return ViewPainter(_atlas(key).boundaries, fills, land=LAYER_COLORS["land"], border=LAYER_COLORS["border"],
                       ocean=LAYER_COLORS["ocean"], directions=[hatch_direction(rgb) for _c, rgb, _a in fills])


def base_layers(fills=()) -> list:
    """The offline basemap for an interactive map: one world picture layer, with the country
    ``fills`` ((codes, rgb, alpha), in order) painted in (:func:`map_picture`), and, when the
    server can draw them (server.py), a sharp picture of each view on top (geo.viewmap, a WMS
    layer asking this server); nothing without boundaries."""
    from geo.layers import raster_base_layer, view_layer
    from geo.tileserver import TILES, view_url
    from geo.viewmap import world_resolution

    url = map_picture(fills)
    if not url:
        return []
    layers = [raster_base_layer(url)]
    if TILES.serving:
        key = _key()
        norm = _norm_fills(fills)
        vkey = hashlib.sha256(repr((key[1], norm, "view-v2")).encode()).hexdigest()[:24]
        # views coarser than the world picture's own pixels (x1.25) need nothing sharper
        TILES.register_view(vkey, _painter(key, norm), coarsest=world_resolution(world_size()) / 1.25)
        layers.append(view_layer(view_url(vkey)))
    return layers


MAP_FILES_KEPT = 100  # basemap pictures with fills on disk (~0.4 MB each); the oldest go first


@st.cache_resource(max_entries=1)
def _basemap_image(key: tuple, size: int):
    """The basemap picture, decoded once (a palette image: 16 MB at 4096 x 4096)."""
    from PIL import Image

    url = _basemap(key, size)
    img = Image.open(STATIC / url.rsplit("/", 1)[1])
    img.load()
    return img


def map_picture(fills=()) -> str | None:
    """URL of the basemap picture with countries filled in (geo.layers.map_png): ``fills`` is a
    sequence of (country codes, rgb, alpha), painted in order; empty ones are left out. Drawn once
    per set of fills and boundaries (~0.2 s) and shared by every session; None without boundaries."""
    from geo.layers import map_png, theme_mask

    size = world_size()
    base_url = _basemap(_key(), size)
    if base_url is None:
        return None
    fills = _norm_fills(fills)
    if not fills:
        return base_url
    tag = repr((base_url, fills, "map-v1")).encode()  # the basemap's file name names its boundaries
    path = STATIC / f"map-{hashlib.sha256(tag).hexdigest()[:16]}.png"
    if not path.exists():  # a stat per run: a pruned picture is drawn again
        a = atlas()
        masks = [(theme_mask(a.boundaries, codes, size=size), rgb, alpha) for codes, rgb, alpha in fills]
        _write_once(path, map_png(_basemap_image(_key(), size), masks))
        pictures = sorted(STATIC.glob("map-*.png"), key=lambda p: p.stat().st_mtime)
        for stale in pictures[:-MAP_FILES_KEPT]:
            stale.unlink(missing_ok=True)
    return f"app/static/atlas/{path.name}"


@st.cache_resource(max_entries=2)
def _theme_geoms(key: tuple) -> dict:
    a = _atlas(key)
    return {} if a.boundaries is None else display_features(a.boundaries, tolerance=0.15)


def theme_geoms() -> dict:
    """Country shapes for the coloured country layers: coarser than the basemap (fewer vertices
    to fill in the browser; the basemap picture keeps the detailed coastline underneath)."""
    return _theme_geoms(_key())


@st.cache_resource(max_entries=64, show_spinner=False)
def _facility_points(key: tuple, ids: str, selected: str | None, _shown):
    from geo.layers import facility_points as build

    return build(_shown, _atlas(key).mineral_names, selected=selected)


def facility_points(shown, selected: str | None):
    """The sites layer's records, shared by every session showing the same sites (read-only)."""
    ids = hashlib.sha256("\x1f".join(shown["id"]).encode()).hexdigest()
    return _facility_points(_key(), ids, selected, shown)


@st.cache_resource(max_entries=128, show_spinner=False)
def _country_supply(key: tuple, country: str):
    from geo.analysis import country_supply as build

    return build(_atlas(key).df("production.csv"), country)


def country_supply(country: str):
    """geo.analysis.country_supply, computed once per country for every session (read-only)."""
    return _country_supply(_key(), country)


@st.cache_resource(max_entries=128, show_spinner=False)
def _exposure(key: tuple, country: str, on):
    from geo.analysis import exposure as build

    a = _atlas(key)
    return build(a.df("production.csv"), a.df("policies.csv"), country=country, on=on)


def exposure(country: str, on=None):
    """geo.analysis.exposure, computed once per (country, date) for every session (read-only)."""
    return _exposure(_key(), country, on)


@st.cache_resource(max_entries=512, show_spinner=False)
def _from_production(key: tuple, name: str, args: tuple, kwargs: tuple):
    from geo import analysis

    return getattr(analysis, name)(_atlas(key).df("production.csv"), *args, **dict(kwargs))


def from_production(name: str, *args, **kwargs):
    """``geo.analysis.<name>(production table, *args, **kwargs)``, computed once per arguments for
    every session (arguments must be hashable; the result is shared: read it, never change it)."""
    return _from_production(_key(), name, args, tuple(sorted(kwargs.items())))


@st.cache_resource(max_entries=256, show_spinner=False)
def _stage_view(key: tuple, mineral: str, stage: str, measure: str | None, top: int):
    from geo.charts import share_bars
    from geo.metrics import shares

    prod = _atlas(key).df("production.csv")
    if measure is None:  # the first measure with rows: production (tonnes) before share (percent)
        p = prod[(prod["mineral"] == mineral) & (prod["stage"] == stage)]
        measure = next((ms for ms in ("production", "share") if (p["measure"] == ms).any()), None)
        if measure is None:
            return None, None
    s = shares(prod, mineral, stage, measure=measure)
    fig = None if s.countries["share"].dropna().empty else share_bars(s, top=top)
    return s, fig


def stage_view(mineral: str, stage: str, *, measure: str | None = None, top: int = 10):
    """(Shares, bar chart) of ``mineral`` at ``stage``, computed once for every session (read-only:
    never change the figure or the table). (None, None) when the data has no rows for it; the chart
    is None when no share can be computed. ``measure=None`` takes production, else shares."""
    return _stage_view(_key(), mineral, stage, measure, top)


@st.cache_resource(max_entries=64, show_spinner=False)
def _membership_matrix(key: tuple, on):
    from geo.analysis import membership_matrix as build
    from geo.countries import country_name

    a = _atlas(key)
    matrix = build(a.df("partnerships.csv"), a.df("partnership_members.csv"), on=on)
    matrix.insert(0, "country", [country_name(c) for c in matrix.index])
    return matrix, matrix.to_csv().encode()


def membership_matrix(on=None):
    """(partnership membership matrix with a country-name column, its CSV bytes), per as-of date,
    shared by every session (read-only)."""
    return _membership_matrix(_key(), on)


@st.cache_resource(max_entries=128, show_spinner=False)
def _policy_timeline(key: tuple, country: str, on, today):
    from geo.analysis import filter_policies, policy_phases
    from geo.charts import policy_timeline as build

    measures = filter_policies(_atlas(key).df("policies.csv"), countries=(country,), on=on)
    phases = policy_phases(measures, today)
    return build(phases, today=today, asof=on) if len(phases) else None


def policy_timeline(country: str, on=None):
    """The Countries page's policy timeline figure for ``country`` (None when it has no dated
    phase), per (country, as-of date, today), shared by every session (read-only)."""
    import datetime as dt

    return _policy_timeline(_key(), country, on, dt.date.today())


@st.cache_resource(max_entries=128, show_spinner=False)
def _bloc_bars(key: tuple, countries: tuple, picked: tuple, stage: str, label: str):
    from geo.charts import bloc_bars as build

    tot = _from_production(key, "bloc_totals", (countries,), ())
    shown = tot[tot["mineral"].isin(picked)] if picked else tot
    d = shown[shown["stage"] == stage]
    return None if d.empty else build(d, _atlas(key).mineral_names, stage=stage, bloc_label=label)


def bloc_bars(countries: tuple, picked: tuple, stage: str, label: str):
    """The Partnerships page's bloc-vs-China bars for one stage (None without data), shared by
    every session (read-only)."""
    return _bloc_bars(_key(), tuple(countries), tuple(picked), stage, label)


@st.cache_resource(max_entries=128, show_spinner=False)
def _members_deck(key: tuple, countries: tuple, label: str):
    from geo import layers as L

    layers = base_layers()
    layers.extend(L.theme_layers(theme_geoms(), list(countries), layer_id="members",
                                 rgb=L.LAYER_COLORS["partnerships"], alpha=170))
    layers.append(L.country_pins(country_points(), {c: [f"Member of {label}"] for c in countries}))
    return L.deck(layers, None).freeze()


def members_deck(countries, label: str):
    """The Partnerships page's map of a bloc's members, serialised once for every session."""
    return _members_deck(_key(), tuple(countries), str(label))


@st.cache_resource(max_entries=128, show_spinner=False)
def _mineral_deck(key: tuple, mineral: str):
    from geo import layers as L
    from geo.filters import Filters, filter_facilities

    a = _atlas(key)
    sites = filter_facilities(a.df("facilities.csv"), Filters(minerals=(mineral,)))
    layers = base_layers()
    layers.append(L.facilities_layer(L.facility_points(sites, a.mineral_names)))
    return L.deck(layers, None).freeze(), sites["stage"].value_counts(), len(sites)


def mineral_deck(mineral: str):
    """(map of every site of ``mineral``, sites per stage, number of sites) for the Minerals page,
    built and serialised once for every session."""
    return _mineral_deck(_key(), mineral)


@st.cache_resource(max_entries=128, show_spinner=False)
def _country_deck(key: tuple, country: str, on):
    import pandas as pd

    from geo import layers as L
    from geo.analysis import facilities_asof, sites_of

    a = _atlas(key)
    home, abroad = sites_of(a.df("facilities.csv"), country)
    if on is not None:
        home, abroad = facilities_asof(home, on)[0], facilities_asof(abroad, on)[0]
    layers = base_layers()
    if theme_geoms():
        layers.extend(L.theme_layers(theme_geoms(), [country], layer_id="country",
                                     rgb=L.LAYER_COLORS["strategies"], alpha=90))
    both = [d for d in (home, abroad) if len(d)]
    if both:
        layers.append(L.facilities_layer(L.facility_points(pd.concat(both, ignore_index=True), a.mineral_names)))
    return L.deck(layers, None).freeze()


def country_deck(country: str, on=None):
    """The Countries page's map (the country, its sites at home and abroad as of ``on``),
    serialised once for every session."""
    return _country_deck(_key(), country, on)

"""Large point sets on the map through tiles (geo.bigpoints): prepared once per data set. Under
``server.py`` each filter's tiles are built on request from memory (geo.tileserver); under a plain
``streamlit run app.py`` one pyramid per filter is written as static files. Both bounded in size."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from geo import bigpoints as B
from geo import tileserver as TS
from geo import paths
from geo.filters import Filters, split_ids
from geo.userdata import Limits, load_upload

TILES = paths.ROOT / "static" / "atlas" / "tiles"
FAST_FROM = 5_000   # more points than this go through tiles instead of inside the page
EXTRA_ENV = "ATLAS_EXTRA_POINTS"


@st.cache_resource(max_entries=4, show_spinner="Preparing the points for the map…")
def _pointset(digest: str, _sites: pd.DataFrame, _names: dict) -> B.PointSet:
    return B.PointSet(_sites["lon"].to_numpy(), _sites["lat"].to_numpy(), B.sites_tooltips(_sites, _names))


def _set_key(digest: str, fkey: tuple, ps: B.PointSet) -> str:
    """The name of this point set's tiles under this filter (the tile layout is in it)."""
    return B.tile_set_key(digest, len(ps), fkey, ps.detail_zoom, ps.cells, "v2")


def _tiles(digest: str, fkey: tuple, ps: B.PointSet, m) -> str:
    """The tile set's folder name for this point set and filter, written if it is not on disk
    (also when it was pruned: at most 12 sets are kept)."""
    key = _set_key(digest, fkey, ps)
    if not (TILES / key).is_dir():
        B.write_pyramid(ps.pyramid(m), TILES, key, keep=12)
    return key


def mask(sites: pd.DataFrame, f: Filters) -> np.ndarray:
    """Rows of ``sites`` that pass the filters (the same rules as geo.filters.filter_facilities),
    computed on the distinct values of each column: a few ms for 300k rows."""
    m = np.ones(len(sites), dtype=bool)
    if f.minerals:
        wanted = set(f.minerals)
        codes, uniques = pd.factorize(sites["minerals"])
        ok = np.array([bool(wanted & set(split_ids(u))) or split_ids(u) == ["all"] for u in uniques] + [False])
        m &= ok[codes]  # code -1 (missing) picks the trailing False
    for col, wanted in (("country", f.countries), ("stage", f.stages), ("status", f.statuses)):
        if wanted:
            codes, uniques = pd.factorize(sites[col])
            ok = np.append(np.isin(np.asarray(uniques, dtype=object), list(wanted)), False)
            m &= ok[codes]
    return m


def layer(sites: pd.DataFrame, digest: str, names: dict, f: Filters, *, layer_id: str, rgb, line):
    """(deck.gl TileLayer, number of points shown) for ``sites`` under the filters."""
    ps = _pointset(digest, sites, names)
    m = mask(sites, f)
    fkey = (f.minerals, f.countries, f.stages, f.statuses)
    if TS.TILES.serving:  # server.py's route builds each tile on request: a filter change is just the mask
        key = _set_key(digest, fkey, ps)
        TS.TILES.register(key, ps, m)
        url = TS.url_template(key)
    else:
        key = _tiles(digest, fkey, ps, m)
        url = f"app/static/atlas/tiles/{key}/{{z}}/{{x}}/{{y}}.json"
    return B.tile_layer(url, layer_id=layer_id, rgb=rgb, line=line), int(m.sum())


@st.cache_resource(max_entries=1, show_spinner="Loading the extra point set…")
def _extra(path: str, mtime: float, _minerals):
    data = Path(path).read_bytes()
    raw, lyr = load_upload(Path(path).name, data, _minerals, limits=Limits(max_bytes=2 ** 31, max_rows=2_000_000))
    lyr.sites["source"] = f"{Path(path).name} (row " + lyr.sites["row"].astype(str) + ")"
    return lyr


def extra_points(minerals):
    """The point set named by $ATLAS_EXTRA_POINTS (CSV/GeoParquet/...), or None."""
    path = os.environ.get(EXTRA_ENV)
    if not path or not Path(path).is_file():
        return None
    return _extra(path, Path(path).stat().st_mtime, minerals)


def sites_layer(sites: pd.DataFrame, digest: str, names: dict, f: Filters, *, layer_id: str = "user"):
    """(deck.gl layer, points shown): inside the page when small, static tiles when large."""
    from geo import layers as L
    from geo.filters import filter_facilities

    if len(sites) <= FAST_FROM:
        shown = filter_facilities(sites, f)
        return L.facilities_layer(L.user_points(shown, names), layer_id=layer_id), len(shown)
    return layer(sites, digest, names, f, layer_id=layer_id, rgb=tuple(L.USER_FILL[:3]), line=tuple(L.USER_LINE))

"""Cached access to the Atlas data (one copy per server, reloaded when a data file changes)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import streamlit as st

from geo import paths
from geo.atlas import Atlas, file_signature, load_atlas
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
    return load_atlas(Path(key[0]))


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


@st.cache_resource(max_entries=2)
def _basemap(key: tuple) -> str | None:
    """Write the basemap picture once as a static file; return its URL (relative, so a path prefix
    works). Named by the boundaries it is drawn from, so a restart finds it (drawing takes ~2 s)."""
    a = _atlas(key)
    if a.boundaries is None:
        return None
    wkb = b"".join(a.boundaries.geometry.to_wkb())
    path = STATIC / f"land-{hashlib.sha256(wkb + b'png-v1').hexdigest()[:12]}.png"
    if not path.exists():
        _write_once(path, basemap_png(a.boundaries))
    return f"app/static/atlas/{path.name}"


def basemap_data() -> dict:
    """The land layer's FeatureCollection itself (for files that must work without the server)."""
    return basemap_records(display_geoms())["land"]


def base_layers() -> list:
    """The offline basemap for an interactive map: one picture layer (or nothing without boundaries)."""
    from geo.layers import raster_base_layer

    url = _basemap(_key())
    return [raster_base_layer(url)] if url else []


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

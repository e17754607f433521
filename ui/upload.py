"""The user's own layer: read an upload once, keep it in this browser session only."""

from __future__ import annotations

import logging

import streamlit as st

from geo.text import md_escape
from geo.userdata import LIMITS, Columns, UploadError, detect_columns, read_upload, to_layer

K_ENTRY = "_user_upload"   # {"sig", "file", "raw", "notices", "problems", "columns", "layer", "error"}
PICKER_KEYS = ("col_lat", "col_lon", "col_name", "col_country", "col_status", "col_minerals")
log = logging.getLogger("atlas.upload")


def _entry() -> dict | None:
    return st.session_state.get(K_ENTRY)


def current():
    """The session's uploaded layer (geo.userdata.UserLayer) or None."""
    e = _entry()
    return None if e is None else e.get("layer")


def error() -> str | None:
    e = _entry()
    return None if e is None else e.get("error")


def clear() -> None:
    st.session_state.pop(K_ENTRY, None)


def _convert(e: dict, minerals) -> None:
    try:
        e["layer"] = to_layer(e["raw"], e["file"], minerals, columns=e["columns"], notices=e["notices"],
                              problems=e["problems"])
        e["error"] = None
    except UploadError as exc:
        e["layer"], e["error"] = None, str(exc)


def receive(uploaded, minerals) -> None:
    """Read a Streamlit UploadedFile once; keep the table, the layer or a message in the session."""
    if uploaded is None:
        return
    sig = (uploaded.name, uploaded.size, getattr(uploaded, "file_id", ""))
    e = _entry()
    if e is not None and e["sig"] == sig:
        return
    name = uploaded.name
    for k in PICKER_KEYS:  # a new file: forget the previous file's column choice
        st.session_state.pop(k, None)
    e = {"sig": sig, "file": name, "raw": None, "layer": None, "error": None, "notices": [], "problems": []}
    st.session_state[K_ENTRY] = e
    try:
        data = uploaded.getvalue() if uploaded.size <= LIMITS.max_bytes else b""  # too big: refused unread
        e["raw"], e["notices"], e["problems"] = read_upload(name, data, size=uploaded.size)
    except UploadError as exc:
        e["error"] = str(exc)
        return
    except Exception as exc:  # noqa: BLE001 - the user gets a message, the log gets the details
        log.exception("upload %s failed", name)
        e["error"] = (f"{name}: this file could not be read ({type(exc).__name__}). "
                      "Check that it is a CSV, GeoJSON, GeoParquet or zipped shapefile.")
        return
    e["columns"] = detect_columns([c for c in e["raw"].columns if not str(c).startswith("__")])
    _convert(e, minerals)


def recolumn(columns: Columns, minerals) -> None:
    """Re-read the kept table with the user's choice of columns."""
    e = _entry()
    if e is None or e["raw"] is None or columns == e["columns"]:
        return
    e["columns"] = columns
    _convert(e, minerals)


def has_table() -> bool:
    e = _entry()
    return e is not None and e["raw"] is not None


def show_error(message: str) -> None:
    st.error(md_escape(message, limit=600), icon="🛑")


def column_picker() -> Columns:
    """Selectboxes to override the detected columns; returns the choice."""
    e = _entry()
    raw, current_cols = e["raw"], e["columns"]
    cols = [str(c) for c in raw.columns if not str(c).startswith("__")]
    has_geom = "__lon" in raw.columns
    none = "(none)"

    def box(where, label: str, current: str | None, key: str) -> str | None:
        index = cols.index(current) + 1 if current in cols else 0
        v = where.selectbox(label, [none] + cols, index=index, key=key)
        return None if v == none else v

    c1, c2, c3 = st.columns(3)
    lat = None if has_geom else box(c1, "Latitude", current_cols.lat, "col_lat")
    lon = None if has_geom else box(c2, "Longitude", current_cols.lon, "col_lon")
    name = box(c3, "Name", current_cols.name, "col_name")
    country = box(c1, "Country", current_cols.country, "col_country")
    status = box(c2, "Status", current_cols.status, "col_status")
    mins = c3.multiselect("Mineral columns", cols, default=[c for c in current_cols.minerals if c in cols],
                          key="col_minerals")
    if has_geom:
        st.caption("Positions come from the file's geometry.")
    return Columns(lat=lat, lon=lon, name=name, country=country, status=status, stage=current_cols.stage,
                   id=current_cols.id, minerals=tuple(mins))


def digest() -> str:
    """Identifies the kept upload and its column choice (for caches)."""
    import hashlib

    e = _entry()
    return hashlib.sha256(repr((e["sig"], e["columns"])).encode()).hexdigest()[:16] if e else ""

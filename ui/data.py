"""Cached access to the Atlas data (one copy per server, reloaded when a data file changes)."""

from __future__ import annotations

import streamlit as st

from geo.atlas import Atlas, file_signature, load_atlas
from geo.layers import display_features
from geo.paths import DATA_DIR


@st.cache_resource(max_entries=2, show_spinner="Loading the Atlas data…")
def _atlas(signature: tuple) -> Atlas:  # noqa: ARG001 - the signature is the cache key
    return load_atlas(DATA_DIR)


def atlas() -> Atlas:
    """The validated data. Shared and read-only: pages must copy before changing a frame."""
    return _atlas(file_signature(DATA_DIR))


@st.cache_resource(max_entries=2)
def _geoms(signature: tuple) -> dict:  # noqa: ARG001
    a = atlas()
    return {} if a.boundaries is None else display_features(a.boundaries)


def display_geoms() -> dict:
    """ISO3 -> simplified GeoJSON geometry for drawing."""
    return _geoms(file_signature(DATA_DIR))

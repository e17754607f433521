"""Benchmark page: N points in a plain st.pydeck_chart (the baseline and, with N=1000, the floor)."""

import os
import sys
from pathlib import Path

import pandas as pd
import pydeck as pdk
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.synth import mrds_like  # noqa: E402


@st.cache_data(max_entries=2)
def points(n: int) -> pd.DataFrame:
    d = mrds_like(n, seed=11)
    return pd.DataFrame({"lon": d["longitude"], "lat": d["latitude"],
                         "tooltip": d["site_name"] + "\n" + d["commod1"] + "\n" + d["dev_stat"]})


n = int(os.environ.get("BENCH_POINTS", "1000"))
st.title(f"{n:,} points")
st.pydeck_chart(pdk.Deck(
    layers=[pdk.Layer("ScatterplotLayer", data=points(n), get_position=["lon", "lat"], get_radius=4,
                      radius_units="'pixels'", get_fill_color=[230, 159, 0], pickable=True)],
    initial_view_state=pdk.ViewState(latitude=20, longitude=10, zoom=1), map_style=None,
    tooltip={"text": "{tooltip}"}), height=560)

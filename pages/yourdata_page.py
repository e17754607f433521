"""Your data: upload a file of sites and see it as a layer with the Atlas's filters, tooltips and exports."""

import json

import pandas as pd
import streamlit as st

from geo import exports as X
from geo import layers as L
from geo.countries import country_name
from geo.filters import filter_facilities, split_ids, summary_line
from geo.text import md_escape
from geo.urlstate import to_params
from geo.userdata import ACCEPTED, LIMITS, MB
from ui import bigdata, common, data, state, upload

atlas = data.atlas()
names = atlas.mineral_names
minerals = atlas.df("minerals.csv")
st.title("Your data")
st.caption("Upload sites of your own — a CSV with latitude/longitude columns, a USGS MRDS CSV export, GeoJSON, "
           "GeoParquet or a zipped shapefile — to see them with the sidebar's filters, tooltips and exports. "
           "The file stays in this browser session only: it is not saved on the server and never changes the "
           "Atlas's data.")

uploaded = st.file_uploader(f"Upload a file (up to {LIMITS.max_bytes // MB} MB; zip larger CSV files)",
                            type=ACCEPTED, key="upload_file")
if uploaded is None:
    upload.clear()
else:
    upload.receive(uploaded, minerals)
if upload.has_table():
    with st.expander("Columns used", expanded=upload.current() is None):
        upload.recolumn(upload.column_picker(), minerals)
if (msg := upload.error()) is not None:
    upload.show_error(msg)
layer = upload.current()
if layer is None and uploaded is not None:
    st.caption("Nothing from this file is on the map: fix what the message names"
               + (", or choose the columns above." if upload.has_table() else " and upload it again."))
    common.footer(atlas)
    st.stop()
if layer is None:
    st.info("No file loaded. Columns are found by name (latitude/lat/y, longitude/lon/lng/x, name/site_name, "
            "mineral/commodity/commod1-3, country, status/dev_stat); you can change the choice after uploading.")
    common.footer(atlas)
    st.stop()

f = state.filters()
shown = filter_facilities(layer.sites, f)
st.markdown(f"**{md_escape(layer.summary)}.** On the map with the sidebar's filters: "
            f"{md_escape(summary_line(shown) if len(shown) else 'no rows match the filters')}.")
for note in layer.notices:
    st.info(md_escape(note, limit=400))
if f.statuses and (layer.sites["status"] == "unknown").any():
    st.caption("Rows whose status could not be mapped are hidden while a status filter is on.")

with_atlas = st.toggle("Show the Atlas's own sites too", value=False, key="ud_with_atlas")
deck_layers = data.base_layers()
fac = atlas.df("facilities.csv")
if with_atlas and fac is not None:
    deck_layers.append(L.facilities_layer(L.facility_points(filter_facilities(fac, f), names)))
user_layer, n_drawn = bigdata.sites_layer(layer.sites, upload.digest(), names, f)
deck_layers.append(user_layer)
st.pydeck_chart(L.deck(deck_layers, state.current_state().view), key="user_map", height=520)
st.caption("Your sites are drawn as black-ringed white dots; hover one for its row, minerals and source."
           + (f" {len(layer.sites):,} points: far out, nearby sites are merged into one dot sized by their "
              "number (hover for the count); zoom in to see each." if len(layer.sites) > bigdata.FAST_FROM else ""))

if layer.problems:
    with st.expander(f"{len(layer.problems)} row problem(s): these rows are not on the map"):
        st.dataframe(pd.DataFrame([{"row": p.row, "column": p.column, "problem": p.problem}
                                   for p in layer.problems[:500]]), hide_index=True, width="stretch")
if layer.unmapped_minerals or layer.unmapped_countries:
    with st.expander("Values the Atlas could not map (kept on the map, but mineral/country filters skip them)"):
        c1, c2 = st.columns(2)
        c1.dataframe(pd.DataFrame(list(layer.unmapped_minerals.items()), columns=["commodity", "rows"]),
                     hide_index=True, width="stretch")
        c2.dataframe(pd.DataFrame(list(layer.unmapped_countries.items()), columns=["country", "rows"]),
                     hide_index=True, width="stretch")

st.subheader("Your rows on the map")
table = shown.assign(country_name=shown["country"].map(lambda c: country_name(c) if c else ""),
                     mineral_names=shown["minerals"].map(lambda v: ", ".join(names.get(m, m) for m in split_ids(v))))
st.dataframe(table[["row", "name", "mineral_names", "country_name", "status", "status_in_file", "stage", "lat", "lon"]]
             .head(10_000), hide_index=True, width="stretch", height=min(420, 38 + 35 * len(table)),
             column_config={"row": "Row", "name": "Name", "mineral_names": "Minerals", "country_name": "Country",
                            "status": "Status", "status_in_file": "Status in file", "stage": "Stage"})
if len(table) > 10_000:
    st.caption(f"The table lists the first 10,000 of {len(table):,} rows; the exports have them all.")
meta = X.provenance(shown, title=f"Your data: {layer.file}", filters=to_params(state.current_state()))
c1, c2 = st.columns(2)
# made when clicked (a 300k-row file would otherwise be serialised on every rerun)
c1.download_button("Your rows (CSV)", lambda: X.sites_csv(shown), file_name="your-sites.csv", mime="text/csv")
c2.download_button("Your rows (GeoJSON)", lambda: json.dumps(X.sites_geojson(shown, meta), default=str).encode(),
                   file_name="your-sites.geojson", mime="application/geo+json")
common.footer(atlas)

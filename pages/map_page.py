"""Map explorer: sites by stage, country layers, legend, details, table."""

import html
import json

import streamlit as st

from geo import exports as X
from geo import layers as L
from geo.analysis import WAS_OPERATING, facilities_asof
from geo.countries import country_name
from geo.filters import filter_facilities, split_ids, summary_line
from geo.text import clean, md_escape
from geo.urlstate import LAYERS, to_params
from ui import bigdata, camera, common, data, present, state, upload
from ui import exports as ui_exports

def export_title(f, names) -> str:
    what = ", ".join(names.get(m, m) for m in f.minerals) or "Critical-minerals"
    where = ", ".join(country_name(c) for c in f.countries)
    stages = "/".join(f.stages) or "all stages"
    return f"{what} sites{' in ' + where if where else ''} ({stages})"


LAYER_LABELS = {"facilities": "Sites", "strategies": "Strategies", "partnerships": "Partnerships",
                "controls": "Export controls", "flows": "Flows"}

atlas = data.atlas()
names = atlas.mineral_names
presenting = state.current_state().present
st.title("Critical Minerals Atlas")
if not presenting:
    st.caption("Where critical minerals are mined, processed, made into components and recycled — "
               "and which governments are acting on them. Hover a site for its source; click it for details.")
state.show_notices()

fac = None if common.table_problem(atlas, "facilities.csv") else atlas.df("facilities.csv")
f = state.filters()

toggles = st.columns(len(LAYERS) + 1) if not presenting else \
    st.expander("Layers").columns(len(LAYERS) + 1)
for col, layer in zip(toggles, LAYERS):
    col.toggle(LAYER_LABELS[layer], key=state.LAYER_KEY.format(layer))
online = toggles[-1].toggle("Basemap", value=False,
                            help="Draw a street basemap from the internet under the layers. "
                                 "Off by default: the Atlas needs no internet.")
def _frame():
    choice = st.session_state.get("map_frame")
    if choice in L.REGIONS:
        state.frame(None if choice == "World" else L.REGIONS[choice])


if not presenting:
    st.selectbox("Frame the map on", list(L.REGIONS), key="map_frame", on_change=_frame, index=None,
                 placeholder="Choose a region (saved in the link as view=)")

if st.session_state.pop("_map_fresh", False):  # the map is drawn afresh: keep the hand-panned camera
    state.adopt_camera()

picked = ((st.session_state.get("map") or {}).get("selection") or {}).get("objects", {}).get("facilities") or []
picked_id = picked[0].get("id") if picked else None
if picked_id != st.session_state.get("_last_pick"):
    st.session_state["_last_pick"] = picked_id
    if picked_id:
        state.select(picked_id)
vs = state.current_state()

shown = filter_facilities(fac, f) if fac is not None else None
unknown = 0
if shown is not None and vs.asof:
    shown, unknown = facilities_asof(shown, vs.asof)
state.asof_caption(unknown)
geoms = data.theme_geoms()
themes = L.map_themes(atlas.df("policies.csv"), atlas.df("partnerships.csv"),
                      atlas.df("partnership_members.csv"), vs.layers, minerals=f.minerals, on=vs.asof)
notes = L.merge_notes(*(L.theme_notes(by, label) for by, label, _ in themes.values()))
# fills painted into the basemap picture on the server (one texture for the browser); outlines as lines
deck_layers = data.base_layers(L.theme_fills(themes))
pictured = bool(deck_layers)  # no boundaries, no picture: fills as vector layers
for layer_id, (by, _label, opts) in themes.items():
    if opts.get("outline_only") or not pictured:
        deck_layers.extend(L.theme_layers(geoms, by, layer_id=layer_id, rgb=L.LAYER_COLORS[layer_id], **opts))
n_themes = len(deck_layers)


def file_layers() -> list:
    """The same layers for a standalone file: vector basemap and country layers (no server pictures)."""
    vector = [lyr for layer_id, (by, _label, opts) in themes.items()
              for lyr in L.theme_layers(geoms, by, layer_id=layer_id, rgb=L.LAYER_COLORS[layer_id], **opts)]
    return L.base_layers(data.basemap_data()) + vector + deck_layers[n_themes:]


if notes:
    deck_layers.append(L.country_pins(data.country_points(), notes))
if "flows" in vs.layers and atlas.boundaries is not None:
    flows = atlas.df("flows.csv")
    if flows is not None and f.minerals:
        flows = flows[flows["mineral"].isin(f.minerals)]
    arcs = L.flow_arcs(flows, fac, atlas.boundaries, names, on=vs.asof)
    if len(arcs):
        deck_layers.append(L.flows_layer(arcs))
if (mine := upload.current()) is not None:  # the user's own file (this session only), same filters
    user_layer, n_mine = bigdata.sites_layer(mine.sites, upload.digest(), names, f)
    deck_layers.append(user_layer)
    st.caption(md_escape(f"Also on the map: {n_mine:,} of your own sites from {mine.file} "
                         "(white dots with a black ring; this session only — see Your data)."))
if (extra := bigdata.extra_points(atlas.df("minerals.csv"))) is not None:  # $ATLAS_EXTRA_POINTS
    extra_layer, n_extra = bigdata.sites_layer(extra.sites, f"extra-{extra.file}-{len(extra.sites)}", names, f,
                                               layer_id="extra")
    deck_layers.append(extra_layer)
    st.caption(md_escape(f"Also on the map: {n_extra:,} points from {extra.file} (white dots; far out, nearby "
                         "points merge into one dot sized by their number — zoom in to see each)."))
if shown is not None and "facilities" in vs.layers:  # curated sites last: on top of any big layer
    deck_layers.append(L.facilities_layer(data.facility_points(shown, vs.select)))

st.markdown(f"**{md_escape(summary_line(shown))}**" if shown is not None else "")

map_col, side_col = st.columns([4, 1], gap="small")
with map_col:
    view = state.requested_view()
    if view is None and vs.select and fac is not None and vs.select in set(fac["id"]):
        r = fac[fac["id"] == vs.select].iloc[0]
        view = (float(r["lat"]), float(r["lon"]), 4.5)
    map_box = st.container(key="present_map") if presenting else st.container()
    map_box.pydeck_chart(L.deck(deck_layers, view, online_basemap=online), on_select="rerun",
                         selection_mode="single-object", key="map", height="stretch" if presenting else 560)
    camera.follow(st.session_state.get(state.K_CAMERA) or view or L.DEFAULT_VIEW)

with side_col:
    st.markdown("**Legend**")
    counts = shown["stage"].value_counts().to_dict() if shown is not None else {}
    rows = []
    for item in L.legend_items(vs.layers, counts):
        style = {"circle": "border-radius:50%", "square": "border-radius:2px",
                 "outline": "border-radius:2px;background:transparent;border:3px solid {c}",
                 "arc": "height:4px;margin-top:6px;border-radius:2px"}[item["shape"]]
        swatch = (f'<span style="display:inline-block;width:14px;height:14px;margin-right:6px;'
                  f'vertical-align:middle;background:{L.swatch_background(item)};border:1px solid #555;'
                  f'{style.format(c=item["color"])}"></span>')
        count = f" ({item['count']})" if item["count"] is not None else ""
        rows.append(f"<div style='margin:3px 0;font-size:0.9rem'>{swatch}{html.escape(item['label'])}{count}</div>")
    st.markdown("".join(rows) or "No layers on", unsafe_allow_html=True)  # constants only, no data text
    st.caption("Marker size grows with stated capacity among sites of the same unit.")

    if vs.select and fac is not None and vs.select in set(fac["id"]):
        r = fac[fac["id"] == vs.select].iloc[0]
        with st.container(border=True, key="details"):
            st.markdown(f"**{md_escape(r['name'])}**")
            st.caption(md_escape(f"{r['stage'].capitalize()} · {r['kind']} · {country_name(r['country'])}"))
            details = {
                "Minerals": ", ".join(names.get(m, m) for m in split_ids(r["minerals"])),
                "Status": str(r["status"]).replace("_", " "),
                "Operator": clean(r["operator"]),
                "Owners": clean(r["owners"]),
                "Controlling owner's country": country_name(r["owner_country"]) if isinstance(r["owner_country"], str) else "",
                "Capacity": f"{r['capacity']:,.0f} {clean(r['capacity_unit'])}" if r["capacity"] == r["capacity"] else "",
                # a project's start_year is the year its sources expect production to begin
                ("Start year" if r["status"] in WAS_OPERATING else "Expected start"):
                    "" if r["start_year"] is None or str(r["start_year"]) == "<NA>" else str(r["start_year"]),
                "Point": L.location_label(r.get("location")),
                "Confidence": clean(r["confidence"]),
                "Notes": clean(r["notes"]),
            }
            for k, v in details.items():
                if v:
                    st.markdown(f"**{k}:** {md_escape(v)}")
            st.markdown(f"**Source:** {md_escape(r['source'])} (as of {md_escape(r['as_of'])})")
            st.link_button("Open source", str(r["source_url"]))
            st.button("Clear selection", on_click=state.select, args=(None,), key="clear_sel")

common.row_warnings(atlas, "facilities.csv")


def site_table(shown) -> None:
    """The sites on the map as a table, each with its source, link and as-of date."""
    table = shown.assign(
        country_name=shown["country"].map(country_name),
        mineral_names=shown["minerals"].map(lambda v: ", ".join(names.get(m, m) for m in split_ids(v))),
        point=shown["location"].map(L.location_label),
    )[["name", "stage", "kind", "mineral_names", "country_name", "status", "operator", "capacity",
       "capacity_unit", "start_year", "point", "confidence", "source", "source_url", "as_of", "id"]]
    st.dataframe(
        table, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(table)),
        column_config={
            "name": "Site", "stage": "Stage", "kind": "Kind", "mineral_names": "Minerals",
            "country_name": "Country", "status": "Status", "operator": "Operator",
            "capacity": st.column_config.NumberColumn("Capacity", format="%,.0f"),
            "capacity_unit": "Unit", "start_year": st.column_config.NumberColumn(
                "Start", format="%d", help="Year production began; for a project, the year its sources expect"),
            "point": "Point", "confidence": "Confidence", "source": "Source",
            "source_url": st.column_config.LinkColumn("Link", display_text="open"),
            "as_of": "As of", "id": "Id",
        },
    )


if shown is not None:
    # Built and sent only once opened: 375 rows with their sources are ~180 KB that the browser
    # parses and lays out while the map draws (~0.5 s of the first draw, bench/RESULTS.md).
    box = st.expander(f"Sites on the map: {len(shown):,} as a table, with their sources", icon=":material/table:",
                      key="map_table", on_change="rerun")
    if box.open:
        with box:
            site_table(shown)
    with st.expander("Export this view: data, map picture, offline map", icon=":material/download:"):
        title = export_title(f, names)
        link = present.share_link("")
        params = to_params(vs)

        def meta() -> dict:  # built when a file is downloaded, not on every run
            return X.provenance(shown, title=title, filters=params, link=link)

        n_sources, as_of_range = X.source_summary(shown)
        source_line = (f"Sources: {n_sources} cited sources, one per site (see provenance); "
                       f"as of {' to '.join(dict.fromkeys(as_of_range))}. {X.ATLAS}.")
        c1, c2, c3 = st.columns(3)
        with c1:
            st.markdown("**Data**")
            # files are made when clicked: no per-session copies held in memory, nothing serialised per rerun
            st.download_button("Sites (CSV)", lambda: X.sites_csv(shown), file_name="atlas-sites.csv", mime="text/csv",
                               width="stretch")
            st.download_button("Sites (GeoJSON)", lambda: json.dumps(X.sites_geojson(shown, meta()), default=str).encode(),
                               file_name="atlas-sites.geojson", mime="application/geo+json", width="stretch")
            st.download_button("Provenance (JSON)", lambda: json.dumps(meta(), indent=2, default=str).encode(),
                               file_name="atlas-sites.provenance.json", mime="application/json", width="stretch")
        with c2:
            st.markdown("**Map picture**")
            ui_exports.prepared("Prepare map (PNG)", "map-png",
                                lambda: X.map_png(shown, atlas.boundaries, title=title, subtitle=summary_line(shown),
                                                  source_line=source_line, view=vs.view),
                                file_name="atlas-map.png", mime="image/png", working="Drawing the map…")
        with c3:
            st.markdown("**Offline map**")
            ui_exports.prepared("Prepare map (HTML)", "map-html",
                                lambda: X.standalone_html(
                                    L.deck(file_layers(), view).to_json(),
                                    title=title, legend=L.legend_items(vs.layers, counts),
                                    source_line=source_line).encode(),
                                file_name="atlas-map.html", mime="text/html", working="Building the offline map…")
            st.caption("One HTML file with the map library inside: opens with no internet.")

common.footer(atlas)

"""Minerals: who mines and who refines one mineral, how concentrated, and what acts on it."""

import streamlit as st

from geo.countries import country_name
from geo.filters import mentions
from geo.metrics import hhi, top_k
from geo.text import md_escape
from ui import common, data, state
from ui import exports as ui_exports

atlas = data.atlas()
names = atlas.mineral_names
prod = None if common.table_problem(atlas, "production.csv") else atlas.df("production.csv")
st.title("Minerals")
state.show_notices()

have = sorted(set(prod["mineral"]) if prod is not None else set(), key=lambda m: names.get(m, m))
if not have:
    st.stop()
chosen = list(state.filters().minerals)
current = chosen[0] if chosen and chosen[0] in have else ("cobalt" if "cobalt" in have else have[0])


def _pick():
    st.session_state[state.K_MINERALS] = [st.session_state["mineral_page"]]


st.selectbox("Mineral", have, index=have.index(current), key="mineral_page",
             format_func=lambda m: names.get(m, m), on_change=_pick)
mineral = current
# (the sidebar filter is only changed by the picker's callback: a widget's key cannot be
# written after the sidebar drew it)
minerals = atlas.df("minerals.csv")
if minerals is not None and mineral in set(minerals["id"]):
    m = minerals.set_index("id").loc[mineral]
    lists = [label for col, label in (("us_2025", "US 2025 list"), ("eu_crma_critical", "EU critical"),
                                      ("eu_crma_strategic", "EU strategic"), ("uk_2024", "UK 2024"),
                                      ("japan", "Japan")) if str(m.get(col)) == "True"]
    st.caption(md_escape(f"Group: {m['group']}. On: {', '.join(lists) or 'no list recorded'}."))


def stage_block(stage: str, label: str) -> None:
    s, fig = data.stage_view(mineral, stage)
    st.subheader(label)
    if s is None:
        st.info(f"No {stage} data for {names.get(mineral, mineral)} in the Atlas yet.")
        return
    if fig is None:
        st.info("; ".join(s.notes) or "No shares can be computed.")
        return
    h = hhi(s)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("HHI", f"{h:,.0f}" if h is not None else "–", help="Herfindahl–Hirschman index, 0–10,000; "
              "above 2,500 is highly concentrated")
    c2.metric("Top producer", f"{(top_k(s, 1) or 0) * 100:.0f}%")
    c3.metric("Top 3", f"{(top_k(s, 3) or 0) * 100:.0f}%")
    china = s.share_of("CHN")
    c4.metric("China", f"{china * 100:.0f}%" if china is not None else "not listed")
    st.plotly_chart(fig, key=f"bars-{stage}", config={"displayModeBar": False})
    src = s.table.iloc[0]
    unit = f"{s.unit}, {s.basis}" if s.basis else s.unit
    st.caption(md_escape(f"{s.year}, {unit}. World total {s.world:,.0f}." if s.world and s.measure != "share"
                         else f"{s.year}, {unit}.") + " " +
               f"Source: {md_escape(src['source'])} (as of {md_escape(src['as_of'])}). "
               + md_escape(" ".join(s.notes)))
    history = data.from_production("share_history", mineral, stage)
    if not history.empty:
        with st.expander(f"Over time ({', '.join(map(str, history.columns))})"):
            st.dataframe(history.rename(index=country_name).mul(100).round(1), width="stretch",
                         column_config={str(y): st.column_config.NumberColumn(f"{y} (% of world)", format="%.1f")
                                        for y in history.columns})
            st.caption("Share of world production by year, for this year's largest producers. Same source.")
    ui_exports.chart_buttons(fig, f"{mineral}-{stage}-shares",
                             f"Source: {src['source']} (as of {src['as_of']}). {s.year}, {s.unit}, {s.basis or ''}",
                             title=f"{names.get(mineral, mineral)}: share of world {stage}, {s.year}")
    with st.expander("Data behind this chart"):
        st.dataframe(s.table, hide_index=True, width="stretch",
                     column_config={"source_url": st.column_config.LinkColumn("URL"),
                                    "share": st.column_config.NumberColumn(format="%.3f")})
        st.download_button("Download (CSV)", s.table.to_csv(index=False).encode(),
                           file_name=f"{mineral}-{stage}.csv", key=f"dl-{stage}")


left, right = st.columns(2)
with left:
    stage_block("mining", "Mining")
with right:
    stage_block("refining", "Refining and processing")

res = prod[(prod.mineral == mineral) & (prod.measure == "reserves")]
if not res.empty:
    s, fig = data.stage_view(mineral, "mining", measure="reserves", top=8)
    if fig is not None:
        st.subheader("Reserves")
        st.plotly_chart(fig, key="bars-reserves", config={"displayModeBar": False})
        st.caption(md_escape(f"{s.year}, {s.unit}, {s.basis or ''}. Source: {s.table.iloc[0]['source']} "
                             f"(as of {s.table.iloc[0]['as_of']})."))

fac = atlas.df("facilities.csv")
if fac is not None:
    site_map, counts, n_sites = data.mineral_deck(mineral)
    st.subheader(f"Sites ({n_sites})")
    st.pydeck_chart(site_map, height=380, key="mineral-map")
    st.caption(" · ".join(f"{k}: {v}" for k, v in counts.items()) + ". See the Map page for details.")

pol = atlas.df("policies.csv")
if pol is not None:
    p = pol[mentions(pol["minerals"], (mineral,))]
    st.subheader(f"Policies and export controls naming {names.get(mineral, mineral)} ({len(p)})")
    if len(p):
        st.dataframe(p.assign(where=p["jurisdiction"].map(country_name))[
            ["where", "name", "type", "status", "announced", "effective", "suspended", "expires", "source",
             "source_url", "as_of"]], hide_index=True, width="stretch",
            column_config={"source_url": st.column_config.LinkColumn("URL")})
par = atlas.df("partnerships.csv")
if par is not None:
    q = par[mentions(par["minerals"], (mineral,))]
    if len(q):
        st.subheader(f"Partnerships covering it ({len(q)})")
        st.dataframe(q[["name", "type", "launched", "status", "source", "source_url", "as_of"]],
                     hide_index=True, width="stretch",
                     column_config={"source_url": st.column_config.LinkColumn("URL")})

common.footer(atlas)

"""What-if: an exporter withholds part of its supply. What is cut, who is left, who could step in."""

import streamlit as st

from geo.analysis import minerals_with_supply, substitutes
from geo.charts import whatif_bars
from geo.countries import country_name
from geo.metrics import what_if
from geo.text import md_escape
from geo.urlstate import SUPPLY_STAGES
from ui import common, data, state
from ui import exports as ui_exports

atlas = data.atlas()
names = atlas.mineral_names
st.title("What if an exporter cuts supply?")
state.show_notices()
vs = state.current_state()

if common.table_problem(atlas, "production.csv"):
    st.stop()
prod = atlas.df("production.csv")

producers = sorted(set(prod.loc[prod["measure"].isin(["production", "share"]), "country"]) - {"WLD", "OTH"},
                   key=country_name)
if vs.exporter not in producers:
    st.session_state[state.K_EXPORTER] = "CHN" if "CHN" in producers else producers[0]
a, b, c = st.columns([2, 2, 3])
a.selectbox("Exporter", producers, key=state.K_EXPORTER, format_func=lambda x: f"{country_name(x)} ({x})")
b.radio("Stage", SUPPLY_STAGES, key=state.K_SUPPLY, horizontal=True, format_func=str.capitalize)
c.slider("Share of its supply withheld (%)", 0, 100, step=5, key=state.K_WITHHELD)
vs = state.current_state()
exporter, stage, withheld = vs.exporter, vs.supply, vs.withheld / 100

have = minerals_with_supply(prod, stage)
minerals = [m for m in vs.minerals if m in have]
if not minerals:  # default: what the exporter supplies most of
    s_all = [(m, (data.from_production("best_shares", m, stage) or None)) for m in have]
    ranked = sorted(((s.share_of(exporter) or 0, m) for m, s in s_all if s is not None), reverse=True)
    minerals = [m for share, m in ranked if share > 0][:8]
    st.caption("Minerals: the exporter's largest shares at this stage. Pick others with the Mineral filter "
               "in the sidebar.")

table = data.from_production("shock", exporter, tuple(minerals), stage, withheld)
if table.empty or (table["exporter_share"] == 0).all():
    st.info(f"{country_name(exporter)} has no recorded {stage} output of these minerals: nothing to cut.")
else:
    st.subheader(f"{country_name(exporter)} withholds {vs.withheld}% of its {stage} output")
    view = table.assign(mineral=table["mineral"].map(lambda m: names.get(m, m)),
                        new_top=table["new_top"].map(lambda c: country_name(c) if isinstance(c, str) else ""))
    st.dataframe(
        view[["mineral", "year", "exporter_share", "cut_share", "hhi_before", "hhi_after", "new_top",
              "new_top_share", "source", "as_of"]],
        hide_index=True, width="stretch",
        column_config={
            "mineral": "Mineral", "year": st.column_config.NumberColumn("Year", format="%d"),
            "exporter_share": st.column_config.NumberColumn(f"{exporter} share", format="percent"),
            "cut_share": st.column_config.NumberColumn("World supply cut", format="percent"),
            "hhi_before": st.column_config.NumberColumn("HHI before", format="%,.0f"),
            "hhi_after": st.column_config.NumberColumn("HHI after", format="%,.0f"),
            "new_top": "Largest producer after", "new_top_share": st.column_config.NumberColumn(
                "its share after", format="percent"),
            "source": "Source", "as_of": "As of"})
    st.download_button("Download (CSV)", table.to_csv(index=False).encode(), file_name="what-if.csv", key="dl-shock")

    detail = st.selectbox("Look at one mineral", list(table["mineral"]), format_func=lambda m: names.get(m, m),
                          key="whatif_detail")
    s = data.from_production("best_shares", detail, stage)
    w = what_if(s, exporter, withheld)
    m1, m2, m3 = st.columns(3)
    m1.metric("World supply cut", f"{w.cut_share * 100:.1f}%")
    m2.metric("HHI before", f"{w.hhi_before:,.0f}" if w.hhi_before is not None else "–")
    m3.metric("HHI after", f"{w.hhi_after:,.0f}" if w.hhi_after is not None else "–",
              delta=(f"{w.hhi_after - w.hhi_before:+,.0f}" if w.hhi_after is not None and w.hhi_before is not None
                     else None), delta_color="inverse")
    fig = whatif_bars(w.remaining, exporter=exporter)
    st.plotly_chart(fig, key="whatif-bars", config={"displayModeBar": False})
    r0 = s.table.iloc[0]
    ui_exports.chart_buttons(fig, f"what-if-{exporter}-{detail}", f"Source: {r0['source']} (as of {r0['as_of']})",
                             title=f"{names.get(detail, detail)}: shares if {country_name(exporter)} withholds "
                                   f"{vs.withheld}% of its {stage}")
    st.caption(md_escape(f"{names.get(detail, detail)}, {stage}, {s.year}; {s.unit or ''} {s.basis or ''}. "
                         f"Source: {r0['source']} (as of {r0['as_of']}). {' '.join(s.notes)}", limit=1200))
    with st.expander("Data behind this chart"):
        st.dataframe(w.remaining, hide_index=True, width="stretch")

    st.subheader("Sites outside the exporter that could substitute")
    subs = substitutes(atlas.df("facilities.csv"), exporter, [detail], stage,
                       atlas.df("partnerships.csv"), atlas.df("partnership_members.csv"))
    if subs.empty:
        st.info("No such site in the Atlas.")
    else:
        n_op = int((subs["status"] == "operating").sum())
        n_ctrl = int(subs["exporter_controlled"].sum())
        st.caption(f"{len(subs)} {'mines' if stage == 'mining' else 'processing plants'} outside "
                   f"{country_name(exporter)} ({n_op} operating); {n_ctrl} of them are controlled by "
                   f"{country_name(exporter)}-based owners. Host countries' partnerships listed.")
        st.dataframe(subs.assign(country=subs["country"].map(country_name))[
            ["name", "country", "status", "kind", "operator", "owner_country", "exporter_controlled",
             "partnerships", "capacity", "capacity_unit", "source", "source_url", "as_of"]],
            hide_index=True, width="stretch",
            column_config={"source_url": st.column_config.LinkColumn("Link", display_text="open"),
                           "exporter_controlled": st.column_config.CheckboxColumn(f"{exporter}-controlled")})

with st.expander("Method and limits", expanded=False):
    st.markdown(
        "- The exporter's output of each mineral, in the latest year the source covers, falls by the chosen "
        "share; every other producer keeps its output, and shares are recomputed over the smaller world total.\n"
        "- **Not modelled:** stocks and stockpiles, substitution between materials, demand response, prices, "
        "trade re-routing, processing of the exporter's ore abroad, or ramp-up time of the sites listed.\n"
        "- USGS withheld values (W) have no share and stay out of the HHI; 'other countries' count in the "
        "world total but not in the HHI (a slight under-estimate).\n"
        "- Where the source gives only the main producers' shares (IEA refining shares), the rest of the world "
        "is not itemised: the HHI is a lower bound.\n"
        "- Substitute sites are those in the Atlas at the same stage naming the mineral; capacity is shown "
        "where the source states it. Controlled by the exporter = its controlling owner is based there.")

common.footer(atlas)

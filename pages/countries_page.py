"""Countries: what one country mines and refines, its sites at home and abroad, its measures,
partnerships and exposure to other countries' export controls."""

import streamlit as st

from geo.analysis import country_supply, exposure, facilities_asof, filter_policies, sites_of
from geo.charts import exposure_bars, supply_bars
from geo.countries import EU27, country_name
from geo.text import md_escape
from geo.themes import country_partnerships
from ui import common, data, state
from ui import exports as ui_exports

atlas = data.atlas()
names = atlas.mineral_names
st.title("Countries")
state.show_notices()
vs = state.current_state()

options = atlas.country_options()
chosen = [c for c in vs.countries if c in options]
current = chosen[0] if chosen else ("JPN" if "JPN" in options else options[0])


def _pick():
    st.session_state[state.K_COUNTRIES] = [st.session_state["country_page"]]


st.selectbox("Country", options, index=options.index(current), key="country_page",
             format_func=lambda c: f"{country_name(c)} ({c})", on_change=_pick)
country = current
# (the sidebar filter is only changed by the picker's callback: a widget's key cannot be
# written after the sidebar drew it)
state.asof_caption()

prod = None if common.table_problem(atlas, "production.csv") else atlas.df("production.csv")
fac = atlas.df("facilities.csv")
pol = atlas.df("policies.csv")
home, abroad = sites_of(fac, country)
unknown = 0
if vs.asof and fac is not None:
    home, u1 = facilities_asof(home, vs.asof)
    abroad, u2 = facilities_asof(abroad, vs.asof)
    unknown = u1 + u2
measures = filter_policies(pol, countries=(country,), on=vs.asof) if pol is not None else None
groups = country_partnerships(atlas.df("partnerships.csv"), atlas.df("partnership_members.csv"), on=vs.asof)
supply = data.country_supply(country) if prod is not None else country_supply(None, country)

c1, c2, c3, c4 = st.columns(4)
c1.metric("Sites at home", len(home))
c2.metric("Sites its companies control abroad", len(abroad))
c3.metric("Strategies and measures" + (" in force" if vs.asof else ""), 0 if measures is None else len(measures))
c4.metric("Partnerships", len(groups.get(country, [])))

st.subheader(f"What {country_name(country)} mines and refines")
if supply.empty:
    st.info(f"{country_name(country)} is not listed as a producer in the Atlas's production tables "
            "(USGS lists only the main producers; small producers fall under 'other countries').")
else:
    fig = supply_bars(supply, names)
    st.plotly_chart(fig, key="supply", config={"displayModeBar": False})
    ui_exports.chart_buttons(fig, f"{country}-supply", "Sources: " + "; ".join(dict.fromkeys(supply["source"])),
                             title=f"{country_name(country)}: share of world mining and refining")
    withheld = supply[supply["withheld"] != ""]
    note = (" Withheld by the source (no share): " + ", ".join(names.get(m, m) for m in withheld["mineral"]) + "."
            if len(withheld) else "")
    srcs = "; ".join(dict.fromkeys(supply["source"]))
    st.caption(md_escape(f"Share of world production, latest year in the data ({', '.join(map(str, sorted(set(supply['year']))))}). "
                         f"Sources: {srcs}.{note}", limit=2000))
    with st.expander("Data behind this chart"):
        st.dataframe(supply.assign(mineral=supply["mineral"].map(lambda m: names.get(m, m))), hide_index=True,
                     width="stretch", column_config={"share": st.column_config.NumberColumn(format="%.3f"),
                                                     "source_url": st.column_config.LinkColumn("URL")})
        st.download_button("Download (CSV)", supply.to_csv(index=False).encode(),
                           file_name=f"{country}-supply.csv", key="dl-supply")

st.subheader("Sites at home and controlled abroad")
st.pydeck_chart(data.country_deck(country, vs.asof if fac is not None else None), height=380, key="country-map")
if unknown:
    st.caption(f"{unknown} operating site(s) with no recorded start year are left out of this date's view.")
cols = ["name", "stage", "kind", "minerals", "country", "status", "operator", "owners", "source", "source_url", "as_of"]
tabs = st.tabs([f"At home ({len(home)})", f"Abroad ({len(abroad)})"])
for tab, d in zip(tabs, (home, abroad)):
    with tab:
        if len(d):
            st.dataframe(d.assign(country=d["country"].map(country_name))[cols], hide_index=True, width="stretch",
                         column_config={"source_url": st.column_config.LinkColumn("Link", display_text="open")})
        else:
            st.caption("None in the Atlas.")

st.subheader("Strategies, laws and measures")
if measures is None:
    common.table_problem(atlas, "policies.csv")
elif measures.empty:
    st.info("No measures recorded for this country" + (" in force on that date." if vs.asof else "."))
else:
    timeline = data.policy_timeline(country, vs.asof)
    if timeline is not None:
        st.plotly_chart(timeline, key="timeline", config={"displayModeBar": False})
    dates = ["announced", "effective", "suspended", "expires"]  # a date the sources do not give: a blank cell
    st.dataframe(measures.fillna({c: "" for c in dates})[["name", "jurisdiction", "type", "status", *dates,
                                                           "source", "source_url", "as_of"]],
                 hide_index=True, width="stretch",
                 column_config={"source_url": st.column_config.LinkColumn("Link", display_text="open")})
    st.caption("EU measures are shown for EU member states. Dates as the sources give them (year, month or day).")

st.subheader("Partnerships")
members = atlas.df("partnership_members.csv")
par = atlas.df("partnerships.csv")
if members is not None and par is not None:
    mine = members[(members["member"] == country) | ((members["member"] == "EUU") & (country in EU27))]
    if mine.empty:
        st.caption("None recorded.")
    else:
        t = mine.merge(par[["id", "name", "type", "status"]], left_on="partnership", right_on="id")
        st.dataframe(t[["name", "type", "status", "member", "joined", "role", "source", "source_url", "as_of"]],
                     hide_index=True, width="stretch",
                     column_config={"source_url": st.column_config.LinkColumn("Link", display_text="open")})

st.subheader("Exposure to export controls")
st.caption("For each mineral: the share of world supply held by countries that have an export control, ban or "
           "quota in force on it" + (f" on {vs.asof.isoformat()}" if vs.asof else " today") +
           f" ({country_name(country)}'s own measures left out).")
exp = data.exposure(country, vs.asof) if prod is not None else exposure(prod, pol, country=country, on=vs.asof)
hit = exp[(exp["mining_share"].fillna(0) > 0) | (exp["refining_share"].fillna(0) > 0)]
if hit.empty:
    st.info("No mineral in the production tables is under another country's export control on this date.")
else:
    st.plotly_chart(exposure_bars(hit, names), key="exposure", config={"displayModeBar": False})
    st.caption(md_escape("Sources: " + "; ".join(dict.fromkeys("; ".join(hit["source"]).split("; "))) +
                         ". Export controls: policies.csv (see each measure's source).", limit=2000))
    with st.expander("Data behind this chart"):
        view = hit.assign(controllers=hit["controllers"].map(", ".join),
                          mineral=hit["mineral"].map(lambda m: names.get(m, m)))
        st.dataframe(view, hide_index=True, width="stretch")
        st.download_button("Download (CSV)", view.to_csv(index=False).encode(),
                           file_name=f"{country}-exposure.csv", key="dl-exposure")

common.footer(atlas)

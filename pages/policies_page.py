"""Policies: every strategy, law, fund, stockpile, equity stake and export control on a timeline."""

import datetime as dt

import streamlit as st

from geo.analysis import filter_policies, lapsed_statuses, policy_phases
from geo.charts import policy_timeline
from geo.countries import country_name
from geo.text import clean, md_escape
from ui import common, data, state
from ui import exports as ui_exports

atlas = data.atlas()
names = atlas.mineral_names
st.title("Policies timeline")
st.caption("Strategies, laws, funds, stockpiles, equity stakes, awards and export controls: announced → in force "
           "→ suspended → expired. Filter by country and mineral in the sidebar; set an 'as of' date there to "
           "see only what was in force that day.")
state.show_notices()
state.asof_caption()
vs = state.current_state()

if common.table_problem(atlas, "policies.csv"):
    st.stop()
pol = atlas.df("policies.csv")
types = sorted(set(pol["type"]))
picked = st.multiselect("Kind of measure", types, key="policy_types", placeholder="All kinds",
                        format_func=lambda t: t.replace("_", " "))
shown = filter_policies(pol, countries=vs.countries, minerals=vs.minerals, types=picked, on=vs.asof)
today = dt.date.today()

in_force_now = shown["status"].eq("in_force").sum()
c1, c2, c3 = st.columns(3)
c1.metric("Measures shown", len(shown))
c2.metric("Jurisdictions", shown["jurisdiction"].nunique())
c3.metric("In force on " + (vs.asof.isoformat() if vs.asof else "the data's date"),
          len(shown) if vs.asof else int(in_force_now))

lapsed = lapsed_statuses(shown, today)
if len(lapsed) and not vs.asof:
    items = [md_escape(f"{country_name(r.jurisdiction)} · {clean(r.name, limit=120)}: {r.status.replace('_', ' ')} "
                       f"until {r.expires} (source as of {r.as_of})") for r in lapsed.itertuples()]
    st.warning(md_escape(f"Status may be out of date for {len(lapsed)} measure(s): the recorded status ran to an "
                         f"end date that has passed, and the sources read do not say what followed. Check the "
                         f"issuing authority before relying on it.") + "\n\n" + "\n".join("- " + i for i in items),
               icon=":material/update:")

if shown.empty:
    st.info("No measure matches these filters" + (" on that date." if vs.asof else "."))
else:
    phases = policy_phases(shown, today)
    if len(phases):
        fig = policy_timeline(phases, today=today, asof=vs.asof,
                              label=lambda r: f"{country_name(r['jurisdiction'])} · {clean(r['name'], limit=70)}")
        st.plotly_chart(fig, key="timeline", config={"displayModeBar": False})
        ui_exports.chart_buttons(fig, "policies-timeline", "Sources: each measure's own (Critical Minerals Atlas, "
                                 "policies.csv)", title="Critical-minerals measures")
    undated = len(shown) - phases["id"].nunique()
    st.caption(f"Bars run from the announcement to the date a measure took effect (grey), while it was in force "
               f"(blue) and while suspended (yellow), up to its expiry or today; light grey marks measures recorded as ended whose end date the sources do not give (not counted as in force on any 'as of' date).{' ' if undated else ''}"
               + (f"{undated} measure(s) without dates are listed below only." if undated else "")
               + " Sources: each measure's own (table below).")
    table = shown.fillna({c: "" for c in ("announced", "effective", "suspended", "expires")}).assign(
                         where=shown["jurisdiction"].map(country_name),
                         minerals=shown["minerals"].map(lambda v: ", ".join(names.get(m, m) for m in
                                                                               str(v).split(";"))))
    st.dataframe(table[["where", "name", "type", "status", "minerals", "announced", "effective", "suspended",
                        "expires", "amount", "amount_unit", "summary", "source", "source_url", "as_of",
                        "confidence"]],
                 hide_index=True, width="stretch",
                 column_config={"source_url": st.column_config.LinkColumn("Link", display_text="open"),
                                "amount": st.column_config.NumberColumn(format="%,.0f")})
    st.download_button("Download these measures (CSV)", shown.to_csv(index=False).encode(),
                       file_name="atlas-policies.csv", mime="text/csv")

events = atlas.df("events.csv")
if events is not None:
    ev = events
    if vs.countries:
        ev = ev[ev["countries"].fillna("").map(lambda v: bool(set(v.split(";")) & set(vs.countries)))]
    if vs.minerals:
        ev = ev[ev["minerals"].fillna("").map(lambda v: bool(set(v.split(";")) & set(vs.minerals)))]
    if vs.asof:
        ev = ev[ev["date"].astype(str) <= vs.asof.isoformat()]
    with st.expander(f"Dated events 2010–2026 ({len(ev)})"):
        st.caption(md_escape("Events behind the measures: embargoes, frameworks, plant openings and investments."))
        st.dataframe(ev.sort_values("date")[["date", "title", "type", "countries", "minerals", "summary", "source",
                                             "source_url", "as_of"]],
                     hide_index=True, width="stretch",
                     column_config={"source_url": st.column_config.LinkColumn("Link", display_text="open")})

common.footer(atlas)

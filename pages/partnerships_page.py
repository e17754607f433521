"""Partnerships: who is in which, since when, and what a bloc mines and refines next to China."""

import streamlit as st

from geo.analysis import partnership_members
from geo.countries import country_name, expand_members
from geo.text import md_escape
from ui import common, data, state
from ui import exports as ui_exports

atlas = data.atlas()
names = atlas.mineral_names
st.title("Partnerships")
state.show_notices()
state.asof_caption()
vs = state.current_state()

if common.table_problem(atlas, "partnerships.csv") or common.table_problem(atlas, "partnership_members.csv"):
    st.stop()
par = atlas.df("partnerships.csv")
members = atlas.df("partnership_members.csv")
prod = None if common.table_problem(atlas, "production.csv") else atlas.df("production.csv")

ids = list(par["id"])
label = dict(zip(par["id"], par["name"]))
CUSTOM = "__custom__"
current = CUSTOM if vs.bloc and not vs.partnership else (vs.partnership or ("msp" if "msp" in ids else ids[0]))


def _pick():
    v = st.session_state["partnership_page"]
    st.session_state[state.K_PARTNERSHIP] = None if v == CUSTOM else v
    if v != CUSTOM:
        st.session_state[state.K_BLOC] = []


left, right = st.columns([2, 3])
left.selectbox("Partnership or bloc", ids + [CUSTOM], index=(ids + [CUSTOM]).index(current), key="partnership_page",
               format_func=lambda p: "A bloc of my choice…" if p == CUSTOM else label[p], on_change=_pick)
if current == CUSTOM:
    options = sorted(set(atlas.country_options()) | {"EUU"}, key=country_name)
    right.multiselect("Bloc members", options, key=state.K_BLOC, placeholder="e.g. USA, Japan, European Union",
                      format_func=lambda c: f"{country_name(c)} ({c})")
    bloc = list(st.session_state.get(state.K_BLOC) or [])
    bloc_label = "Bloc (" + ", ".join(bloc) + ")" if bloc else "Bloc"
else:
    if st.session_state.get(state.K_PARTNERSHIP) != current:
        st.session_state[state.K_PARTNERSHIP] = current
    bloc = partnership_members(members, current, on=vs.asof)
    bloc_label = par.set_index("id").loc[current, "short_name"]
    p = par.set_index("id").loc[current]
    right.caption(md_escape(f"{p['type']} · launched {p['launched']} · {p['status']}. {p['summary']}", limit=700))
    right.caption(md_escape(f"Source: {p['source']} (as of {p['as_of']})"))

countries = expand_members(bloc)
st.markdown(f"**{len(countries)} member countr{'y' if len(countries) == 1 else 'ies'}**"
            + (" (the EU counts as its 27 member states)" if "EUU" in bloc or (current != CUSTOM and
               "EUU" in set(members.loc[members['partnership'] == current, 'member'])) else ""))

if data.theme_geoms():
    st.pydeck_chart(data.members_deck(countries, bloc_label), height=380, key="members-map")

st.subheader(f"{bloc_label}: share of world supply next to China")
if prod is None or not countries:
    st.info("Pick a partnership or at least one bloc member.")
else:
    tot = data.from_production("bloc_totals", tuple(countries))
    minerals = sorted(set(tot["mineral"]), key=lambda m: names.get(m, m))
    picked = st.multiselect("Minerals", minerals, key="bloc_minerals", format_func=lambda m: names.get(m, m),
                            default=[m for m in ("rare_earths", "lithium", "cobalt", "nickel", "graphite", "copper",
                                                 "gallium", "tungsten", "antimony", "manganese") if m in minerals])
    shown = tot[tot["mineral"].isin(picked)] if picked else tot
    a, b = st.columns(2)
    for col, stage in ((a, "mining"), (b, "refining")):
        with col:
            d = shown[shown["stage"] == stage]
            st.markdown(f"**{stage.capitalize()}**")
            fig = data.bloc_bars(tuple(countries), tuple(picked), stage, str(bloc_label))
            if fig is None:
                st.caption(f"No {stage} data for these minerals.")
                continue
            st.plotly_chart(fig, key=f"bloc-{stage}", config={"displayModeBar": False})
            ui_exports.chart_buttons(fig, f"bloc-{stage}", "Sources: " + "; ".join(dict.fromkeys(d["source"])),
                                     title=f"{bloc_label} and China: share of world {stage}")
    withheld = sorted({c for w in shown["withheld"] for c in w})
    st.caption(md_escape(
        "Combined share of world production of the members listed by the source, latest year per mineral. "
        + (f"Withheld by the source for {', '.join(withheld)}: those volumes are not counted, so the bloc total "
           "is a lower bound. " if withheld else "")
        + "Sources: " + "; ".join(dict.fromkeys(shown["source"])) + ".", limit=3000))
    with st.expander("Data behind these charts"):
        view = shown.assign(mineral=shown["mineral"].map(lambda m: names.get(m, m)),
                            bloc_producers=shown["bloc_producers"].map(", ".join),
                            withheld=shown["withheld"].map(", ".join))
        st.dataframe(view, hide_index=True, width="stretch",
                     column_config={"bloc_share": st.column_config.NumberColumn(format="%.3f"),
                                    "rival_share": st.column_config.NumberColumn("china_share", format="%.3f"),
                                    "source_url": st.column_config.LinkColumn("URL")})
        st.download_button("Download (CSV)", view.to_csv(index=False).encode(), file_name="bloc-totals.csv",
                           key="dl-bloc")

st.subheader("Membership matrix")
st.caption("Join dates as recorded (year, month or day); an empty cell means not a member. EUU is the European "
           "Union as a bloc.")
matrix, matrix_csv = data.membership_matrix(vs.asof)
st.dataframe(matrix, width="stretch", height=min(600, 38 + 35 * len(matrix)))
st.download_button("Download the matrix (CSV)", matrix_csv, file_name="partnership-matrix.csv",
                   key="dl-matrix")
with st.expander(f"All partnerships ({len(par)})"):
    st.dataframe(par[["name", "short_name", "type", "launched", "status", "minerals", "summary", "source",
                      "source_url", "as_of"]], hide_index=True, width="stretch",
                 column_config={"source_url": st.column_config.LinkColumn("Link", display_text="open")})

common.footer(atlas)

"""Sidebar filters and the URL: read the link once per session, write it back every run."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import streamlit as st

from geo.countries import country_name
from geo.filters import Filters
from geo.text import md_escape
from geo.urlstate import (DEFAULT_EXPORTER, DEFAULT_LAYERS, DEFAULT_SUPPLY, DEFAULT_WITHHELD, LAYERS,
                          STAGES, STATUSES, ViewState, parse, to_params)

K_MINERALS, K_COUNTRIES, K_STAGES, K_STATUSES = "f_minerals", "f_countries", "f_stages", "f_statuses"
K_SELECT, K_VIEW, K_ASOF, K_NOTICES = "m_select", "m_view", "asof", "_url_notices"
K_CAMERA = "m_camera"  # where the user panned/zoomed the map by hand (reported by ui.camera)
K_PARTNERSHIP, K_BLOC = "p_partnership", "p_bloc"
K_EXPORTER, K_SUPPLY, K_WITHHELD = "w_exporter", "w_supply", "w_withheld"
K_PRESENT, K_BRIEFING, K_STEP = "present", "briefing", "step"
LAYER_KEY = "layer_{}"


def init_from_url(atlas, vocab=None) -> None:
    """On a session's first run, copy the link's state into widget keys (with notices)."""
    if st.session_state.get("_url_read"):
        return
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    vs, notices = parse(params, vocab or atlas.vocabulary())
    apply_view(vs)
    st.session_state[K_NOTICES] = notices
    st.session_state["_url_read"] = True


def keep_page_widgets() -> None:
    """Streamlit forgets a widget's value on a run that does not draw it (another page is open).
    Re-assigning the page-only widgets' values every run keeps layers and the analysis settings
    when the user comes back (and in the link meanwhile)."""
    keys = [LAYER_KEY.format(layer) for layer in LAYERS] + [K_PARTNERSHIP, K_BLOC, K_EXPORTER, K_SUPPLY,
                                                             K_WITHHELD]
    for k in keys:
        if k in st.session_state:
            st.session_state[k] = st.session_state[k]


def apply_view(vs: ViewState) -> None:
    """Put a whole view (filters, layers, selection, page parameters) into session state."""
    ss = st.session_state
    ss[K_MINERALS] = list(vs.minerals)
    ss[K_COUNTRIES] = list(vs.countries)
    ss[K_STAGES] = list(vs.stages)
    ss[K_STATUSES] = list(vs.statuses)
    for layer in LAYERS:
        ss[LAYER_KEY.format(layer)] = layer in vs.layers
    ss[K_SELECT] = vs.select
    ss[K_VIEW] = vs.view
    ss[K_CAMERA] = None
    ss[K_ASOF] = vs.asof
    ss[K_PARTNERSHIP] = vs.partnership
    ss[K_BLOC] = list(vs.bloc)
    ss[K_EXPORTER] = vs.exporter
    ss[K_SUPPLY] = vs.supply
    ss[K_WITHHELD] = vs.withheld
    ss[K_PRESENT] = vs.present
    ss[K_BRIEFING] = vs.briefing
    ss[K_STEP] = vs.step
    ss["_last_pick"] = None


def current_state() -> ViewState:
    ss = st.session_state
    return ViewState(
        minerals=tuple(ss.get(K_MINERALS, ())),
        countries=tuple(ss.get(K_COUNTRIES, ())),
        stages=tuple(ss.get(K_STAGES, ())),
        statuses=tuple(ss.get(K_STATUSES, ())),
        layers=tuple(layer for layer in LAYERS
                     if ss.get(LAYER_KEY.format(layer), layer in DEFAULT_LAYERS)),
        select=ss.get(K_SELECT),
        view=ss.get(K_CAMERA) or ss.get(K_VIEW),
        asof=ss.get(K_ASOF),
        partnership=ss.get(K_PARTNERSHIP),
        bloc=tuple(ss.get(K_BLOC) or ()),
        exporter=ss.get(K_EXPORTER) or DEFAULT_EXPORTER,
        supply=ss.get(K_SUPPLY) or DEFAULT_SUPPLY,
        withheld=int(ss.get(K_WITHHELD, DEFAULT_WITHHELD)),
        present=bool(ss.get(K_PRESENT)),
        briefing=ss.get(K_BRIEFING),
        step=int(ss.get(K_STEP) or 1),
    )


def requested_view() -> tuple[float, float, float] | None:
    """The camera the map is told to show (link, region preset, briefing step); hand panning
    since then is in K_CAMERA and reaches the link through current_state().view."""
    return st.session_state.get(K_VIEW)


def frame(view: tuple[float, float, float] | None) -> None:
    """Move the map to ``view`` (None: the whole world), forgetting any hand-panned camera."""
    st.session_state[K_VIEW] = view
    st.session_state[K_CAMERA] = None


def adopt_camera() -> None:
    """A map drawn afresh (the Map page opened again) starts where the user left it by hand."""
    if st.session_state.get(K_CAMERA):
        frame(st.session_state[K_CAMERA])


def filters() -> Filters:
    vs = current_state()
    return Filters(minerals=vs.minerals, countries=vs.countries, stages=vs.stages,
                   statuses=vs.statuses)


def write_url() -> None:
    """Make the address bar match what is on screen (so a copied link reopens it)."""
    want = to_params(current_state())
    have = {k: st.query_params.get(k) for k in st.query_params.keys()}
    if want != have:
        st.query_params.from_dict(want)


def _reset() -> None:
    for k in (K_MINERALS, K_COUNTRIES, K_STAGES, K_STATUSES):
        st.session_state[k] = []
    st.session_state[K_SELECT] = None
    st.session_state[K_ASOF] = None


def sidebar(atlas) -> None:
    """The shared filters: mineral(s), country(ies), stage, status."""
    names = atlas.mineral_names
    countries = sorted(atlas.vocabulary().countries, key=country_name)
    with st.sidebar:
        st.header("Filters")
        st.multiselect("Mineral", sorted(names, key=names.get), key=K_MINERALS,
                       format_func=lambda m: names.get(m, m), placeholder="All minerals")
        st.multiselect("Country", countries, key=K_COUNTRIES,
                       format_func=lambda c: f"{country_name(c)} ({c})", placeholder="All countries")
        st.multiselect("Supply-chain stage", list(STAGES), key=K_STAGES,
                       format_func=str.capitalize, placeholder="All stages")
        st.multiselect("Status", list(STATUSES), key=K_STATUSES,
                       format_func=lambda s: s.replace("_", " ").capitalize(), placeholder="All statuses")
        st.date_input("As of (optional)", key=K_ASOF, min_value=dt.date(1990, 1, 1),
                      max_value=dt.date(2100, 12, 31), format="YYYY-MM-DD",
                      help="Show the world as it stood that day: only measures in force, partnerships "
                           "joined and sites known to be operating by then. Leave empty for today.")
        st.button("Reset filters", on_click=_reset, width="stretch")


def asof_caption(unknown_sites: int | None = None) -> None:
    """Say, on every page that honours it, that the view is as of a past date."""
    asof = st.session_state.get(K_ASOF)
    if not asof:
        return
    extra = (f" {unknown_sites} operating site(s) have no recorded start year and are left out."
             if unknown_sites else "")
    st.info(f"As of {asof.isoformat()}: only measures in force, partnership members who had joined and "
            f"sites known to be operating by then.{extra} Clear the date in the sidebar for today.", icon="🕰️")


def show_notices() -> None:
    """Tell the user what was dropped from the link (as plain text)."""
    notices = st.session_state.get(K_NOTICES) or []
    if notices:
        st.warning("Some of the link could not be used:\n\n" +
                   "\n".join(f"- {md_escape(n, limit=300)}" for n in notices), icon="⚠️")


def select(facility_id: str | None) -> None:
    st.session_state[K_SELECT] = facility_id


def replace_state(**kw) -> ViewState:  # used by tests and pages that set state directly
    return replace(current_state(), **kw)

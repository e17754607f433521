"""Bits every page shows: data problems and the provenance footer."""

from __future__ import annotations

import streamlit as st

from geo.text import md_escape


def table_problem(atlas, name: str) -> bool:
    """Show a clear error if table ``name`` could not be loaded. True if the page should stop."""
    problems = atlas.problem(name)
    if not problems:
        return False
    lines = "\n".join(f"- {md_escape(str(i), limit=400)}" for i in problems[:20])
    st.error(f"**The data file `data/{name}` could not be used**, so this part of the Atlas is "
             f"unavailable. Other pages still work.\n\n{lines}", icon="🛑")
    return True


def row_warnings(atlas, name: str) -> None:
    """Rows that were left out of a loaded table, in a collapsed box."""
    t = atlas.tables.get(name)
    if t is None or not t.ok or not t.issues:
        return
    with st.expander(f"{len(t.issues)} problem(s) in data/{name}: affected rows are not shown"):
        for i in t.issues[:200]:
            st.text(str(i))


def footer(atlas) -> None:
    """Where every figure comes from, and as of when."""
    origins = atlas.df("origins.csv")
    st.divider()
    if origins is None or origins.empty:
        st.caption("Sources: see the Sources page.")
        return
    parts = [f"{md_escape(r.publisher, limit=80)}, {md_escape(r.title, limit=120)} "
             f"({md_escape(r.licence, limit=40)}; accessed {md_escape(r.accessed)})"
             for r in origins.itertuples()]
    st.caption("**Data sources** — " + " · ".join(parts) +
               ". Every site, figure and measure carries its own source and as-of date; "
               "see the Sources page.")


def source_line(atlas) -> str:
    """One line for the foot of a presented screen: the main sources and the data's date."""
    latest = []
    for name in ("facilities.csv", "production.csv", "policies.csv"):
        d = atlas.df(name)
        if d is not None and "as_of" in d:
            latest.append(str(d["as_of"].astype(str).max()))
    when = max(latest) if latest else "see Sources"
    return f"Sources: USGS MCS 2025, IEA, government and company sources per row (Sources page) · data as of {when}"

"""Export buttons: prepare a file on demand (with progress), then offer it for download."""

from __future__ import annotations

import hashlib
import json

import streamlit as st

from geo import exports as E
from geo.text import md_escape
from geo.urlstate import to_params
from ui import state

MAX_PREPARED = 6  # prepared files kept per session (bounded memory)


def _signature(extra: str = "") -> str:
    params = json.dumps(to_params(state.current_state()), sort_keys=True)
    return hashlib.sha1((params + extra).encode()).hexdigest()[:10]


def prepared(label: str, name: str, make, *, file_name: str, mime: str, working: str) -> None:
    """A 'prepare' button; once made, a download button for the file (for this exact view)."""
    store: dict = st.session_state.setdefault("_exports", {})
    key = f"{name}-{_signature(name)}"
    if st.button(label, key=f"prep-{name}", width="stretch"):
        with st.status(working, expanded=False) as status:
            try:
                store[key] = make()
                status.update(label=f"{file_name} is ready", state="complete")
            except Exception as e:  # a failed export must not take the page down
                status.update(label=f"Could not prepare {file_name}: {md_escape(type(e).__name__)}", state="error")
                return
        while len(store) > MAX_PREPARED:
            store.pop(next(iter(store)))
    if key in store:
        st.download_button(f"Download {file_name}", store[key], file_name=file_name, mime=mime,
                           key=f"dl-{name}", width="stretch", type="primary")


def chart_buttons(fig, name: str, source_line: str, *, title: str | None = None) -> None:
    """PNG and SVG of a plotly chart with its source line, rendered server-side by kaleido."""
    with st.popover("Save chart", icon=":material/download:"):
        st.caption("The chart as an image file, with its title and source line inside.")
        def make(fmt: str):  # the copy with its source line is made only when a file is asked for
            return lambda: E.chart_image(E.chart_with_source(fig, source_line, title=title), fmt, width=1400)

        prepared("PNG", f"{name}-png", make("png"), file_name=f"{name}.png",
                 mime="image/png", working="Rendering the chart…")
        prepared("SVG", f"{name}-svg", make("svg"), file_name=f"{name}.svg",
                 mime="image/svg+xml", working="Rendering the chart…")

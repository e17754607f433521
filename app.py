"""Critical Minerals Atlas: page config, shared sidebar filters, routing, presentation mode."""

from dataclasses import replace

import streamlit as st

from ui import common, data, present, state

st.set_page_config(page_title="Critical Minerals Atlas", page_icon="🗺️", layout="wide",
                   initial_sidebar_state="expanded")

atlas = data.atlas()
briefs, brief_problems = present.briefings(atlas)
vocab = replace(atlas.vocabulary(), briefings=frozenset(briefs))
st.session_state["_vocab"] = vocab
state.init_from_url(atlas, vocab)
state.keep_page_widgets()
state.sidebar(atlas)  # always drawn (hidden by CSS when presenting) so its widgets keep their state
vs = state.current_state()

PAGES = {
    "map": st.Page("pages/map_page.py", title="Map", icon=":material/public:", default=True),
    "minerals": st.Page("pages/minerals_page.py", title="Minerals", icon=":material/diamond:", url_path="minerals"),
    "countries": st.Page("pages/countries_page.py", title="Countries", icon=":material/flag:", url_path="countries"),
    "policies": st.Page("pages/policies_page.py", title="Policies", icon=":material/gavel:", url_path="policies"),
    "partnerships": st.Page("pages/partnerships_page.py", title="Partnerships", icon=":material/handshake:",
                            url_path="partnerships"),
    "what-if": st.Page("pages/whatif_page.py", title="What-if", icon=":material/bolt:", url_path="what-if"),
    "your-data": st.Page("pages/yourdata_page.py", title="Your data", icon=":material/upload_file:",
                         url_path="your-data"),
    "sources": st.Page("pages/sources_page.py", title="Sources", icon=":material/menu_book:", url_path="sources"),
}
page = st.navigation(list(PAGES.values()), position="hidden" if vs.present else "sidebar")
if "_goto_page" in st.session_state:  # a briefing step asked for another page
    st.switch_page(PAGES[st.session_state.pop("_goto_page")])
page_key = next(k for k, p in PAGES.items() if p.url_path == page.url_path)

briefing = briefs.get(vs.briefing) if vs.briefing else None
if vs.present:
    present.present_chrome(common.source_line(atlas), briefing=briefing is not None)
if briefing is not None:
    present.player(briefing, vs.step)
if page_key != "map":  # set before the page runs: a run cut short by the next click still counts
    st.session_state["_map_fresh"] = True  # the Map page will draw its map afresh (it pops this)
page.run()
if not vs.present:
    present.share_panel(page_key, page.url_path, briefs, brief_problems)
state.write_url()

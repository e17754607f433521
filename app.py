"""Critical Minerals Atlas: page config, shared sidebar filters, routing."""

import streamlit as st

from ui import data, state

st.set_page_config(page_title="Critical Minerals Atlas", page_icon="🗺️", layout="wide",
                   initial_sidebar_state="expanded")

atlas = data.atlas()
state.init_from_url(atlas)
state.sidebar(atlas)

page = st.navigation([
    st.Page("pages/map_page.py", title="Map", icon=":material/public:", default=True),
    st.Page("pages/minerals_page.py", title="Minerals", icon=":material/diamond:", url_path="minerals"),
    st.Page("pages/countries_page.py", title="Countries", icon=":material/flag:", url_path="countries"),
    st.Page("pages/policies_page.py", title="Policies", icon=":material/gavel:", url_path="policies"),
    st.Page("pages/partnerships_page.py", title="Partnerships", icon=":material/handshake:", url_path="partnerships"),
    st.Page("pages/whatif_page.py", title="What-if", icon=":material/bolt:", url_path="what-if"),
    st.Page("pages/sources_page.py", title="Sources", icon=":material/menu_book:", url_path="sources"),
])
page.run()
state.write_url()

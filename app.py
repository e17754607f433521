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
    st.Page("pages/sources_page.py", title="Sources", icon=":material/menu_book:", url_path="sources"),
])
page.run()
state.write_url()

"""The Atlas's web server: Streamlit running ``app.py`` (``st.App``), plus one route of ours that
answers the map tiles of large point sets from memory (``geo.tileserver``).

``python -m ui.serve`` (``make run``, the Dockerfile) starts this file with ``streamlit run``,
which finds the ``app`` below and serves it; ``streamlit run app.py`` still works, with tiles
written to static files instead.
"""

import streamlit as st
from streamlit import config

from geo.tileserver import TILES

app = st.App("app.py", routes=TILES.routes(config.get_option("server.baseUrlPath")))

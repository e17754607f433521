"""Critical Minerals Atlas: plain-Python core (no Streamlit imports).

Loading and validation (``geo.load``, ``geo.schema``), country codes (``geo.countries``),
filtering (``geo.filters``), map layers and colours (``geo.layers``, ``geo.colors``),
URL state (``geo.urlstate``) and text safety (``geo.text``).
"""

"""Streamlit glue shared by the pages: cached data, sidebar filters, URL sync, footer.

Everything that computes lives in ``geo/``; this package only turns widgets into calls.
"""

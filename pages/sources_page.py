"""Sources: every data file's provenance, every cited source, and data problems."""

import pandas as pd
import streamlit as st

from geo.sources import source_table
from ui import common, data

atlas = data.atlas()
st.title("Sources and data quality")
st.caption("Every row in the Atlas names its source, a link and an as-of date. "
           "This page lists the data files, where they come from, and any problems found in them.")

origins = atlas.df("origins.csv")
if not common.table_problem(atlas, "origins.csv") and origins is not None:
    st.subheader("Data files")
    st.dataframe(origins, hide_index=True, width="stretch",
                 column_config={"url": st.column_config.LinkColumn("URL")})

st.subheader("Sources cited")
st.caption("Each distinct source, the tables citing it, how many rows, the latest as-of date, and "
           "the publisher's licence. The Atlas copies facts and figures, not text.")
cited = source_table(atlas)
st.dataframe(cited, hide_index=True, width="stretch",
             column_config={"source_url": st.column_config.LinkColumn("URL"),
                            "latest_as_of": "Latest as of"})

st.subheader("Data problems")
problems = [i for t in atlas.tables.values() for i in t.issues] + [
    i for i in atlas.issues if not any(i in t.issues for t in atlas.tables.values())]
if problems:
    st.warning(f"{len(problems)} problem(s) found. Rows with problems are left out of the Atlas.")
    st.dataframe(pd.DataFrame([{"file": i.file, "line": i.line, "id": i.row_id, "column": i.column,
                                "problem": i.message} for i in problems]),
                 hide_index=True, width="stretch")
else:
    st.success("No problems found in any data file.")

common.footer(atlas)

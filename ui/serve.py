"""Start the Atlas: ``python -m ui.serve [streamlit options]`` (what ``make run`` and the
Dockerfile use).

It is ``streamlit run app.py`` with one difference: Streamlit decides on its very first
session whether ``pages/`` is a legacy multipage folder, and a deep link (``/countries``)
opened as that first session shows a "Page not found" notice over the right page. The Atlas
routes with ``st.navigation`` only, so we say so before the first session.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parents[1] / "app.py"


def main(argv: list[str] | None = None) -> None:
    PagesManager.uses_pages_directory = False
    cli.main(args=["run", str(APP), *(sys.argv[1:] if argv is None else argv)], prog_name="streamlit")


if __name__ == "__main__":
    main()

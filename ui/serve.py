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

SERVER = Path(__file__).resolve().parents[1] / "server.py"  # st.App("app.py") plus the tile route


def _warm_when_serving() -> None:
    """Once this server answers its health check, load what the first page needs (the data, the
    basemap picture, country shapes), so it is ready while the first browser is still loading
    Streamlit's frontend. Waiting for the health answer keeps this out of the server's own start."""
    import time
    import urllib.request

    from streamlit import config

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            port = config.get_option("server.port")
            prefix = (config.get_option("server.baseUrlPath") or "").strip("/")
            url = f"http://127.0.0.1:{port}/{prefix + '/' if prefix else ''}_stcore/health"
            if urllib.request.urlopen(url, timeout=1).read() == b"ok":
                break
        except Exception:  # noqa: BLE001 - not up yet (or not on loopback: then no warm-up)
            time.sleep(0.1)
    else:
        return
    import logging

    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "missing ScriptRunContext": expected outside a script run
    try:
        warm()
    except Exception:  # noqa: BLE001 - the first page will load (and report) it instead
        pass
    finally:
        quiet.setLevel(level)


def warm() -> str | None:
    """Load what the default map page needs and draw its basemap picture, with the fills the page
    itself asks for (geo.layers.map_themes with the default layers). Returns the picture's URL."""
    from geo.layers import map_themes, theme_fills
    from geo.urlstate import DEFAULT_LAYERS
    from ui import data

    a = data.atlas()
    data.base_layers()
    data.theme_geoms()
    data.country_points()
    return data.map_picture(theme_fills(map_themes(a.df("policies.csv"), a.df("partnerships.csv"),
                                                   a.df("partnership_members.csv"), DEFAULT_LAYERS)))


def main(argv: list[str] | None = None) -> None:
    import threading

    PagesManager.uses_pages_directory = False
    threading.Thread(target=_warm_when_serving, name="atlas-warm-up", daemon=True).start()
    cli.main(args=["run", str(SERVER), *(sys.argv[1:] if argv is None else argv)], prog_name="streamlit")


if __name__ == "__main__":
    main()

"""Serving settings that the load and scale figures in bench/RESULTS.md depend on."""

import re
import tomllib
from pathlib import Path

from geo.userdata import LIMITS

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_no_full_garbage_collection_after_every_script_run():
    # Streamlit's default gc.collect(2) after each run cost ~0.13 s of the GIL per session with the
    # Atlas's data in memory: 50 sessions at once took p95 18.9 s with it, 5.4 s without.
    assert CONFIG["runner"]["postScriptGC"] is False


def test_upload_cap_is_the_one_the_app_enforces():
    assert CONFIG["server"]["maxUploadSize"] * 1024 * 1024 == LIMITS.max_bytes


def test_every_cache_is_bounded():
    found = 0
    for path in [*ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]:
        for m in re.finditer(r"@st\.cache_(?:resource|data)(\([^)]*\))?", path.read_text()):
            found += 1
            assert m.group(1) and ("max_entries=" in m.group(1) or "ttl=" in m.group(1)), \
                f"{path.name}: unbounded cache {m.group(0)}"
    assert found >= 10

"""Where the curated data lives (``ATLAS_DATA_DIR`` overrides it, e.g. for tests)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("ATLAS_DATA_DIR") or ROOT / "data")
BOUNDARIES = DATA_DIR / "boundaries" / "countries.geojson"

"""Regenerate data/SOURCES.md from the data (run after changing any table)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.atlas import load_atlas  # noqa: E402
from geo.paths import DATA_DIR  # noqa: E402
from geo.sources import sources_markdown  # noqa: E402

if __name__ == "__main__":
    out = DATA_DIR / "SOURCES.md"
    out.write_text(sources_markdown(load_atlas()))
    print(f"wrote {out}")

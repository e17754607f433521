"""Reproducible MRDS-shaped point sets for benchmarks and tests (synthetic: no real sites).

Columns as in a USGS MRDS CSV export: dep_id, site_name, latitude, longitude, country, commod1..3,
dev_stat. Points cluster like mineral districts: cluster centres are drawn inside land
(the bundled Natural Earth polygons), cluster sizes follow a heavy-tailed distribution.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
COMMODITIES = ["Gold", "Silver", "Copper", "Lead", "Zinc", "Iron", "Sand and Gravel, Construction", "Uranium",
               "Manganese", "Tungsten", "Molybdenum", "Nickel", "Cobalt", "Lithium", "REE", "Antimony",
               "Chromium", "Tin", "Graphite", "Fluorine-Fluorite", "Barium-Barite", "Vanadium", "Titanium"]
WEIGHTS = np.array([30, 14, 12, 6, 6, 6, 10, 4, 2, 2, 2, 1.5, 1, 1, 1, 1, 1, 1, 0.5, 1, 1, 0.5, 0.5])
DEV_STAT = ["Occurrence", "Past Producer", "Prospect", "Producer", "Plant", "Unknown"]
DEV_WEIGHTS = np.array([45, 25, 18, 8, 1, 3])


@lru_cache(maxsize=1)
def _land():
    sys.path.insert(0, str(ROOT))
    from geo.countries import load_boundaries

    b = load_boundaries(ROOT / "data" / "boundaries" / "countries.geojson")
    return b[["iso3", "name", "geometry"]]


def mrds_like(n: int, *, seed: int = 0, clusters: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    land = _land()
    import shapely

    # cluster centres inside land polygons (rejection sampling within each country's bounds)
    area = land.geometry.to_crs(6933).area.to_numpy()  # equal-area
    picks = rng.choice(len(land), size=clusters, p=area / area.sum())
    centres, names = [], []
    for i in picks:
        g = land.geometry.iloc[i]
        minx, miny, maxx, maxy = g.bounds
        for _ in range(200):
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if g.contains(shapely.Point(x, y)):
                break
        centres.append((x, y))
        names.append(land["name"].iloc[i])
    size = rng.pareto(1.2, clusters) + 1
    counts = np.floor(size / size.sum() * n).astype(int)
    counts[np.argmax(counts)] += n - counts.sum()
    spread = rng.uniform(0.05, 1.5, clusters)
    cid = np.repeat(np.arange(clusters), counts)
    cx = np.array([c[0] for c in centres])[cid]
    cy = np.array([c[1] for c in centres])[cid]
    lon = np.clip(cx + rng.normal(0, 1, n) * spread[cid], -179.9, 179.9)
    lat = np.clip(cy + rng.normal(0, 1, n) * spread[cid] * 0.7, -85, 85)
    p = WEIGHTS / WEIGHTS.sum()
    c1 = rng.choice(len(COMMODITIES), n, p=p)
    c2 = rng.choice(len(COMMODITIES) + 1, n, p=np.append(p * 0.5, 0.5))
    com = np.array(COMMODITIES + [""], dtype=object)
    return pd.DataFrame({
        "dep_id": np.arange(10_000_000, 10_000_000 + n),
        "site_name": [f"Synthetic site {i}" for i in range(n)],
        "latitude": lat.round(5), "longitude": lon.round(5),
        "country": np.array(names, dtype=object)[cid],
        "commod1": com[c1], "commod2": com[c2], "commod3": "",
        "dev_stat": np.array(DEV_STAT, dtype=object)[rng.choice(len(DEV_STAT), n, p=DEV_WEIGHTS / DEV_WEIGHTS.sum())],
    })


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"/tmp/mrds-{n}.csv")
    mrds_like(n).to_csv(out, index=False)
    print(out)

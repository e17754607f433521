"""Rebuild data/boundaries/countries.geojson from Natural Earth (via npm ``world-atlas``).

Natural Earth 1:50m admin-0 countries, version 4.1.0, public domain, as repackaged in the
npm package ``world-atlas`` 2.0.2 (ISC licence for the packaging). Run::

    python scripts/build_boundaries.py            # downloads world-atlas with `npm pack`
    python scripts/build_boundaries.py --topojson path/to/countries-50m.json

What it does, and why:
- reads the TopoJSON ``countries`` layer (ISO 3166-1 numeric ``id`` and ``name``);
- maps numeric ids to ISO 3166-1 alpha-3 with pycountry;
- gives the five features that have no id an ISO3 by name (see NO_ID below), merging
  N. Cyprus into CYP and Somaliland into SOM (the de jure view), Kosovo as XKX;
- splits polygons that cross the antimeridian (Russia, Fiji, ...) with ``antimeridian``
  so they do not wrap the globe, then ``make_valid``;
- dissolves by ISO3 and rounds coordinates to 4 decimals (~11 m).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import antimeridian
import geopandas as gpd
import pycountry
import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "boundaries" / "countries.geojson"

# Features of Natural Earth 50m that carry no ISO numeric id.
NO_ID = {
    "Kosovo": ("XKX", "Kosovo"),
    "N. Cyprus": ("CYP", "Cyprus"),
    "Somaliland": ("SOM", "Somalia"),
    "Indian Ocean Ter.": ("AUS", "Australia"),
    "Siachen Glacier": ("IND", "India"),
}


def _fetch_topojson(workdir: Path) -> Path:
    subprocess.run(["npm", "pack", "world-atlas@2.0.2"], cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["tar", "xzf", "world-atlas-2.0.2.tgz"], cwd=workdir, check=True)
    return workdir / "package" / "countries-50m.json"


def _iso3(numeric: str | None, name: str) -> tuple[str, str]:
    if numeric is None or (isinstance(numeric, float)):
        return NO_ID[name]
    c = pycountry.countries.get(numeric=str(numeric).zfill(3))
    if c is None:
        raise ValueError(f"ISO numeric {numeric!r} ({name}) not in pycountry")
    return c.alpha_3, name


def _fix_antimeridian(geom):
    minx, _, maxx, _ = geom.bounds
    if maxx - minx > 180 and geom.bounds[1] > -60:  # leave Antarctica alone
        geom = shape(antimeridian.fix_shape(mapping(geom), fix_winding=True))
    return shapely.make_valid(geom)


def build(topojson: Path) -> gpd.GeoDataFrame:
    g = gpd.read_file(topojson, layer="countries").set_crs(4326, allow_override=True)
    codes = [_iso3(i, n) for i, n in zip(g["id"], g["name"])]
    g["iso3"] = [c[0] for c in codes]
    g["name"] = [c[1] for c in codes]
    g["geometry"] = [_fix_antimeridian(geom) for geom in g.geometry]
    g = g.dissolve(by="iso3", as_index=False, aggfunc={"name": "first"})
    g["geometry"] = shapely.set_precision(g.geometry.values, 0.0001)
    g["geometry"] = shapely.make_valid(g.geometry.values)
    return g[["iso3", "name", "geometry"]].sort_values("iso3").reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--topojson", type=Path, help="countries-50m.json from world-atlas")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        src = args.topojson or _fetch_topojson(Path(tmp))
        g = build(src)
        OUT.parent.mkdir(parents=True, exist_ok=True)
        data = json.loads(g.to_json(drop_id=True))
        OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(g)} countries")
    return 0


if __name__ == "__main__":
    sys.exit(main())

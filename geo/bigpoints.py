"""Large point sets (USGS MRDS has ~300,000 sites) as static map tiles that deck.gl loads itself.

Instead of sending every point inside the page (tens of MB for 300k points), the points are cut
into a pyramid of small GeoJSON tiles (``<dir>/<z>/<x>/<y>.json``) served as static files.
deck.gl's TileLayer fetches only the tiles in view:

* zoom 0 to ``detail_zoom - 1``: one feature per grid cell (``cells`` x ``cells`` per tile) at the
  mean position of its points, with the exact count: a world view costs a few hundred KB;
* zoom ``detail_zoom`` and closer: every point, with its own tooltip (name, minerals, status,
  source), so sites stay identifiable when zoomed in.

Counts are exact at every level (tests check that the cells of each level add up to the input).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pydeck as pdk

MAX_LAT = 85.05112878
DETAIL_ZOOM = 7  # tile zoom 7 (~2.8° tiles): half the files of 8, so a new filter writes its tiles in ~0.15 s
CELLS = 16  # grid cells per tile side at aggregated zooms


def tile_xy(lon: np.ndarray, lat: np.ndarray, z: int) -> tuple[np.ndarray, np.ndarray]:
    """Fractional web-mercator tile coordinates at zoom ``z`` (x to the east, y to the south)."""
    n = 2 ** z
    lat = np.clip(lat, -MAX_LAT, MAX_LAT)
    x = (lon + 180.0) / 360.0 * n
    rad = np.radians(lat)
    y = (1.0 - np.log(np.tan(rad) + 1.0 / np.cos(rad)) / math.pi) / 2.0 * n
    return np.clip(x, 0, n - 1e-9), np.clip(y, 0, n - 1e-9)


@dataclass(frozen=True)
class Pyramid:
    """Tiles of one point set: {(z, x, y): GeoJSON text} plus the totals."""

    tiles: dict[tuple[int, int, int], str]
    points: int
    detail_zoom: int

    def level_counts(self, z: int) -> int:
        """Points represented at zoom ``z`` (sum of cell counts, or number of detail points)."""
        total = 0
        for (tz, _, _), text in self.tiles.items():
            if tz == z:
                total += sum(f["properties"].get("n", 1) for f in json.loads(text)["features"])
        return total


def cell_radius(n: int) -> float:
    """Dot radius in pixels for a cell of ``n`` points (a single point: 3 px; grows with sqrt(n), max 12)."""
    return round(min(12.0, 2.0 + 1.0 * math.sqrt(n)), 1)


def _feature_strings(lon, lat, props: list[str]) -> list[str]:
    return [f'{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{x:.5f},{y:.5f}]}},"properties":{p}}}'
            for x, y, p in zip(lon, lat, props)]


def _collection(features: list[str]) -> str:
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


class PointSet:
    """Points prepared once (tile and cell indices per zoom, each point's feature text) so that a
    filtered pyramid is a few array operations: ``pyramid(mask)``."""

    def __init__(self, lon, lat, tooltips, *, detail_zoom: int = DETAIL_ZOOM, cells: int = CELLS):
        self.lon = np.asarray(lon, dtype=float)
        self.lat = np.asarray(lat, dtype=float)
        self.detail_zoom, self.cells = detail_zoom, cells
        self.keys = []
        for z in range(detail_zoom):
            fx, fy = tile_xy(self.lon, self.lat, z)
            side = 2 ** z * cells
            self.keys.append(np.floor(fx * cells).astype(np.int64) * side + np.floor(fy * cells).astype(np.int64))
        fx, fy = tile_xy(self.lon, self.lat, detail_zoom)
        self.detail_key = fx.astype(np.int64) * (2 ** detail_zoom) + fy.astype(np.int64)
        props = ['{"n":1,"r":' + str(cell_radius(1)) + ',"tooltip":' + json.dumps(str(t)) + "}" for t in tooltips]
        self.features = np.asarray(_feature_strings(self.lon, self.lat, props), dtype=object)
        # Per zoom, the points ordered by tile (stable: ascending index within a tile), so the
        # points of one tile are a slice: ``tile()`` builds any tile on request in milliseconds.
        self._by_tile: list[tuple[np.ndarray, np.ndarray]] = []
        for z in range(detail_zoom + 1):
            tk = self._tile_keys(z, self.keys[z]) if z < detail_zoom else self.detail_key
            order = np.argsort(tk, kind="stable")
            self._by_tile.append((tk[order], order.astype(np.int32 if len(order) < 2 ** 31 else np.int64)))

    def _tile_keys(self, z: int, cell_keys: np.ndarray) -> np.ndarray:
        """Tile key (x * 2**z + y) of each cell key at an aggregated zoom ``z``."""
        side = 2 ** z * self.cells
        return ((cell_keys // side) // self.cells) * (2 ** z) + (cell_keys % side) // self.cells

    def _cells(self, z: int, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The grid cells at aggregated zoom ``z`` of the points ``idx`` (ascending): their tile
        keys and their features (mean position, exact count), in cell-key order."""
        uniq, inv, counts = np.unique(self.keys[z][idx], return_inverse=True, return_counts=True)
        mlon = np.bincount(inv, weights=self.lon[idx]) / counts
        mlat = np.bincount(inv, weights=self.lat[idx]) / counts
        props = [f'{{"n":{c},"r":{cell_radius(c)},"tooltip":"{c:,} site{"s" if c != 1 else ""} here: '
                 f'zoom in to see each"}}' for c in counts]
        return self._tile_keys(z, uniq), np.asarray(_feature_strings(mlon, mlat, props), dtype=object)

    def is_tile(self, z: int, x: int, y: int) -> bool:
        """Whether (z, x, y) is a tile of this set's pyramid (zoom 0 to the detail zoom)."""
        return 0 <= z <= self.detail_zoom and 0 <= x < 2 ** z and 0 <= y < 2 ** z

    def tile(self, z: int, x: int, y: int, mask=None) -> str | None:
        """One tile's GeoJSON text (the same text as ``pyramid(mask).tiles[(z, x, y)]``), or None
        when no point of the set (under ``mask``) falls in it or (z, x, y) is not a tile."""
        if not self.is_tile(z, x, y):
            return None
        keys, order = self._by_tile[z]
        k = x * 2 ** z + y
        idx = order[np.searchsorted(keys, k, "left"):np.searchsorted(keys, k, "right")]
        if mask is not None:
            idx = idx[np.asarray(mask)[idx]]
        if not len(idx):
            return None
        feats = self.features[idx] if z == self.detail_zoom else self._cells(z, idx)[1]
        return _collection(list(feats))

    def __len__(self) -> int:
        return len(self.lon)

    def pyramid(self, mask=None) -> Pyramid:
        idx = np.arange(len(self)) if mask is None else np.flatnonzero(np.asarray(mask))
        tiles: dict[tuple[int, int, int], str] = {}
        for z in range(self.detail_zoom):
            tkeys, feats = self._cells(z, idx)
            _group(tiles, z, tkeys, feats, 2 ** z)
        z = self.detail_zoom
        _group(tiles, z, self.detail_key[idx], self.features[idx], 2 ** z)
        return Pyramid(tiles=tiles, points=len(idx), detail_zoom=self.detail_zoom)


def _group(tiles: dict, z: int, tkey: np.ndarray, feats: np.ndarray, n: int) -> None:
    order = np.argsort(tkey, kind="stable")
    sk = tkey[order]
    bounds = np.flatnonzero(np.diff(sk)) + 1
    for chunk in np.split(order, bounds):
        if len(chunk):
            k = int(tkey[chunk[0]])
            tiles[(z, k // n, k % n)] = _collection(list(feats[chunk]))


def write_pyramid(p: Pyramid, root: Path, key: str, *, keep: int = 8) -> Path:
    """Write the tiles under ``root/key`` (atomically: a finished folder appears at once). Keeps at
    most ``keep`` tile sets, removing the oldest."""
    root.mkdir(parents=True, exist_ok=True)
    final = root / key
    if final.exists():
        os.utime(final)
        return final
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=".build-"))
    base, made = str(tmp), set()
    for (z, x, y), text in p.tiles.items():  # thousands of small files: plain os calls, one mkdir per folder
        d = f"{base}/{z}/{x}"
        if d not in made:
            os.makedirs(d, exist_ok=True)
            made.add(d)
        with open(f"{d}/{y}.json", "w", encoding="utf-8") as fh:
            fh.write(text)
    try:
        os.replace(tmp, final)
    except OSError:  # another session wrote the same set first
        shutil.rmtree(tmp, ignore_errors=True)
    sets = sorted((d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")),
                  key=lambda d: d.stat().st_mtime, reverse=True)
    for old in sets[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def tile_set_key(*parts: object) -> str:
    """A short folder name for one tile set (the parts name the data, the filter and the layout)."""
    return hashlib.sha256(repr(parts).encode("utf-8", "replace")).hexdigest()[:16]


def tile_layer(url_template: str, *, layer_id: str = "bigpoints", detail_zoom: int = DETAIL_ZOOM,
               rgb=(255, 255, 255), line=(0, 0, 0)) -> pdk.Layer:
    """deck.gl TileLayer over the static tiles: cells sized by count, points small, all with tooltips."""
    return pdk.Layer(
        "TileLayer",
        id=layer_id,
        data=url_template,
        min_zoom=0,
        max_zoom=detail_zoom,
        tile_size=256,
        pickable=True,
        stroked=True,
        filled=True,
        point_type="'circle'",
        get_fill_color=[*rgb, 170],
        get_line_color=[*line],
        line_width_min_pixels=1,
        get_point_radius="properties.r",  # deck.gl's JSON expressions allow no function calls
        point_radius_units="'pixels'",
    )


def sites_tooltips(df: pd.DataFrame, names: dict[str, str]) -> pd.Series:
    """Short plain-text tooltips for many sites, built column-wise (fast for 300k rows)."""
    from geo.countries import country_name
    from geo.text import clean

    def s(col):
        return df[col].fillna("").astype(str) if col in df else pd.Series("", index=df.index)

    minerals = s("minerals").map(lambda v: ", ".join(names.get(m, m) for m in v.split(";") if m))
    cache: dict[str, str] = {}
    country = s("country").map(lambda c: cache.setdefault(c, country_name(c) if c else ""))
    return (s("name").map(lambda v: clean(v, limit=100)) + "\n" + "Minerals: " + minerals + "\n" + country
            + " · status: " + s("status").str.replace("_", " ") + "\n" + "Source: " + s("source").str.slice(0, 140)
            + "\nAs of " + s("as_of"))

"""The basemap drawn for one view: land, borders, sea and see-through country fills, as a PNG of
exactly the map's size in pixels, for any Web-Mercator bounding box.

The interactive map's basemap is one world picture (:func:`geo.layers.basemap_png`). Its texture
costs the browser time in proportion to its pixels (measured here with software WebGL: ~0.43 s
of main-thread upload for 4096 x 4096), and however large it is, it blurs once the map is zoomed
in far enough. So the world picture is kept small (2048 px) and, when the server can answer,
a second picture is asked for each view (deck.gl's ``_WMSLayer``, a WMS ``GetMap`` request,
served by :mod:`geo.tileserver`): drawn here from the country polygons at the view's own
resolution, it is sharp at every zoom and costs a texture the size of the map.

Colours are those of the world picture: each country is the land colour with the fills that
contain it blended "over" it, in order (as :func:`geo.layers.map_png` does), so the two pictures
agree where they meet.
"""

from __future__ import annotations

import io
import math

import numpy as np

HALF = 20037508.342789244  # half the Web-Mercator world, metres
MAX_SIDE = 4096            # largest picture side drawn (a 4K screen's map)
SUPERSAMPLE_UP_TO = 2_000_000  # pixels: smaller pictures are drawn at 2x and shrunk (smooth edges)


def blend(base_rgb, fills) -> tuple[int, int, int]:
    """``base_rgb`` with each (rgb, alpha) of ``fills`` laid over it in order (alpha 0-255)."""
    c = np.asarray(base_rgb, dtype=float)
    for rgb, alpha in fills:
        a = alpha / 255.0
        c = c * (1 - a) + np.asarray(rgb, dtype=float) * a
    return tuple(int(v) for v in c.round().clip(0, 255))


def world_resolution(size: int) -> float:
    """Metres per pixel of a ``size``-pixel world picture."""
    return 2 * HALF / size


class ViewPainter:
    """Country polygons in Web Mercator with their colours, ready to draw any view quickly."""

    def __init__(self, boundaries, fills=(), *, land, border, ocean):
        """``boundaries``: GeoDataFrame with ``iso3`` and geometry (lon/lat); ``fills``: sequence of
        (country codes, rgb, alpha), in drawing order."""
        import shapely

        g = boundaries.to_crs(3857)
        parts, colours = [], []
        for iso, geom in zip(g["iso3"], g.geometry):
            if geom is None or geom.is_empty:
                continue
            colour = blend(land, [(rgb, alpha) for codes, rgb, alpha in fills if iso in set(codes)])
            for p in getattr(geom, "geoms", [geom]):
                if p.geom_type == "Polygon":
                    parts.append(p)
                    colours.append(colour)
        order = np.argsort([-p.area for p in parts], kind="stable")  # larger first: enclaves on top
        self.parts = np.asarray(parts, dtype=object)[order]
        self.colours = [colours[i] for i in order]
        self.tree = shapely.STRtree(self.parts)
        self.border, self.ocean = tuple(border), tuple(ocean)

    def png(self, bbox: tuple[float, float, float, float], width: int, height: int) -> bytes:
        """The view ``bbox`` (minx, miny, maxx, maxy in EPSG:3857 metres) as a ``width`` x ``height``
        RGBA PNG; outside the Web-Mercator world it is transparent."""
        import shapely
        from PIL import Image, ImageDraw

        minx, miny, maxx, maxy = bbox
        if not (width >= 1 and height >= 1 and maxx > minx and maxy > miny):
            raise ValueError("empty view")
        k = 2 if width * height <= SUPERSAMPLE_UP_TO else 1
        w, h = width * k, height * k
        sx, sy = w / (maxx - minx), h / (maxy - miny)

        def px(x, y):
            return (x - minx) * sx, (maxy - y) * sy

        img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        draw = ImageDraw.Draw(img)
        wx0, wy0 = px(-HALF, HALF)
        wx1, wy1 = px(HALF, -HALF)
        draw.rectangle([max(wx0, -1), max(wy0, -1), min(wx1, w + 1), min(wy1, h + 1)], fill=(*self.ocean, 255))
        pad = 2 / min(sx, sy)  # a little outside the view, so clipped edges draw no border in it
        view = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
        idx = np.sort(self.tree.query(view))  # kept in the larger-first order
        line = max(1, k)  # a one-pixel border after shrinking

        def ring_xy(ring):
            xy = np.asarray(ring.coords)[:, :2]
            return list(zip(((xy[:, 0] - minx) * sx).tolist(), ((maxy - xy[:, 1]) * sy).tolist()))

        for i in idx:
            part = self.parts[i]
            clipped = shapely.clip_by_rect(part, *view.bounds)
            for poly in getattr(clipped, "geoms", [clipped]):
                if poly.is_empty or poly.geom_type != "Polygon":
                    continue
                outer = ring_xy(poly.exterior)
                if len(outer) < 3:
                    continue
                draw.polygon(outer, fill=(*self.colours[i], 255), outline=(*self.border, 255), width=line)
                for hole in poly.interiors:
                    inner = ring_xy(hole)
                    if len(inner) >= 3:
                        draw.polygon(inner, fill=(*self.ocean, 255), outline=(*self.border, 255), width=line)
        if k > 1:
            img = img.resize((width, height), Image.Resampling.BOX)
        out = io.BytesIO()
        img.save(out, format="PNG", compress_level=1)
        return out.getvalue()


def parse_getmap(params: dict[str, str]) -> tuple[tuple[float, float, float, float], int, int]:
    """(bbox, width, height) of a WMS 1.3.0 GetMap request in EPSG:3857 (parameter names in any
    case). Raises ValueError naming the parameter that is wrong."""
    p = {k.upper(): v for k, v in params.items()}
    crs = p.get("CRS") or p.get("SRS") or ""
    if crs.upper() != "EPSG:3857":
        raise ValueError(f"CRS must be EPSG:3857, not {crs!r}")
    try:
        bbox = tuple(float(v) for v in p.get("BBOX", "").split(","))
    except ValueError:
        raise ValueError("BBOX must be four numbers: minx,miny,maxx,maxy") from None
    if len(bbox) != 4 or not all(math.isfinite(v) for v in bbox) or not (bbox[2] > bbox[0] and bbox[3] > bbox[1]):
        raise ValueError("BBOX must be four numbers: minx,miny,maxx,maxy, with max > min")
    sizes = []
    for name in ("WIDTH", "HEIGHT"):
        v = p.get(name, "")
        if not v.isdigit() or not 1 <= int(v) <= MAX_SIDE:
            raise ValueError(f"{name} must be a whole number of pixels from 1 to {MAX_SIDE}")
        sizes.append(int(v))
    return bbox, sizes[0], sizes[1]


TRANSPARENT_PNG = None


def transparent_png() -> bytes:
    """A 1 x 1 see-through PNG: the answer when the world picture is already sharp enough."""
    global TRANSPARENT_PNG
    if TRANSPARENT_PNG is None:
        from PIL import Image

        out = io.BytesIO()
        Image.new("RGBA", (1, 1), (0, 0, 0, 0)).save(out, format="PNG")
        TRANSPARENT_PNG = out.getvalue()
    return TRANSPARENT_PNG

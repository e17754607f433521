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
agree where they meet. Zoomed in, a tinted country can fill the whole map, and a light blue tint
then reads as sea (on a projector especially): so each fill is also hatched here, in a darker
shade of its colour, one diagonal per fill (strategies ``/``, partnerships ``\\``, crossed
where a country is in both; :func:`geo.layers.hatch_direction`). The hatch is anchored to the world, not the picture, so it stays
put as the map pans.
"""

from __future__ import annotations

import io
import math

import numpy as np

HALF = 20037508.342789244  # half the Web-Mercator world, metres
MAX_SIDE = 4096            # largest picture side drawn (a 4K screen's map)
SUPERSAMPLE_UP_TO = 2_000_000  # pixels: smaller pictures are drawn at 2x and shrunk (smooth edges)
HATCH_PERIOD, HATCH_WIDTH = 10, 2  # screen pixels between hatch lines, and their width
HATCH_SHADE, HATCH_ALPHA = 0.75, 0.55  # hatch colour: the fill's colour x shade, laid over the tint


def hatch_rgb(rgb) -> tuple[int, int, int]:
    """The colour of a fill's hatch lines (a darker shade of the fill), also used by the legend."""
    return tuple(int(round(c * HATCH_SHADE)) for c in rgb[:3])


def hatch_mask(width: int, height: int, x0: int, y0: int, *, direction: int, period: int, line: int) -> np.ndarray:
    """Diagonal lines (``direction`` 0: ``/``, 1: ``\\``) over a ``height`` x ``width`` picture whose
    top-left pixel is (``x0``, ``y0``) in world pixels, so that neighbouring views line up."""
    gx = np.arange(width, dtype=np.int64) + x0
    gy = np.arange(height, dtype=np.int64)[:, None] + y0
    d = (gx + gy) if direction == 0 else (gx - gy)
    return (d % period) < line


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

    def __init__(self, boundaries, fills=(), *, land, border, ocean, directions=None):
        """``boundaries``: GeoDataFrame with ``iso3`` and geometry (lon/lat); ``fills``: sequence of
        (country codes, rgb, alpha), in drawing order; ``directions``: each fill's hatch diagonal
        (0: ``/``, 1: ``\\``; by default they alternate)."""
        import shapely

        g = boundaries.to_crs(3857)
        sets = [set(codes) for codes, _rgb, _alpha in fills]
        parts, colours, member = [], [], []
        for iso, geom in zip(g["iso3"], g.geometry):
            if geom is None or geom.is_empty:
                continue
            colour = blend(land, [(rgb, alpha) for codes, rgb, alpha in fills if iso in set(codes)])
            for p in getattr(geom, "geoms", [geom]):
                if p.geom_type == "Polygon":
                    parts.append(p)
                    colours.append(colour)
                    member.append([iso in s for s in sets])
        order = np.argsort([-p.area for p in parts], kind="stable")  # larger first: enclaves on top
        self.parts = np.asarray(parts, dtype=object)[order]
        self.colours = [colours[i] for i in order]
        self.member = [member[i] for i in order]  # per part: in fill 0, 1, ...?
        self.hatches = [hatch_rgb(rgb) for _codes, rgb, _alpha in fills]
        self.directions = list(directions) if directions is not None else [f % 2 for f in range(len(fills))]
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

        rings = []  # (part index, outer ring, inner rings) in drawing order
        for i in idx:
            clipped = shapely.clip_by_rect(self.parts[i], *view.bounds)
            for poly in getattr(clipped, "geoms", [clipped]):
                if poly.is_empty or poly.geom_type != "Polygon":
                    continue
                outer = ring_xy(poly.exterior)
                if len(outer) >= 3:
                    rings.append((i, outer, [r for r in map(ring_xy, poly.interiors) if len(r) >= 3]))
        for i, outer, inners in rings:
            draw.polygon(outer, fill=(*self.colours[i], 255))
            for inner in inners:
                draw.polygon(inner, fill=(*self.ocean, 255))
        if any(self.member[i][f] for i, *_ in rings for f in range(len(self.hatches))):
            img = self._hatch(img, rings, int(round((minx + HALF) * sx)), int(round((HALF - maxy) * sy)), k)
            draw = ImageDraw.Draw(img)
        for _i, outer, inners in rings:  # borders last, over the hatch
            draw.polygon(outer, outline=(*self.border, 255), width=line)
            for inner in inners:
                draw.polygon(inner, outline=(*self.border, 255), width=line)
        if k > 1:
            img = img.resize((width, height), Image.Resampling.BOX)
        out = io.BytesIO()
        img.save(out, format="PNG", compress_level=1)
        return out.getvalue()

    def _hatch(self, img, rings, x0: int, y0: int, k: int):
        """``img`` with each fill's hatch drawn over the countries in it (holes and enclaves outside
        the fill left clear)."""
        from PIL import Image, ImageDraw

        arr = np.asarray(img).copy()
        h, w = arr.shape[:2]
        for f, shade in enumerate(self.hatches):
            if not any(self.member[i][f] for i, *_ in rings):
                continue
            inside = Image.new("L", (w, h), 0)
            d = ImageDraw.Draw(inside)
            for i, outer, inners in rings:  # larger first, as drawn: an enclave not in the fill clears itself
                d.polygon(outer, fill=255 if self.member[i][f] else 0)
                for inner in inners:
                    d.polygon(inner, fill=0)
            m = (np.asarray(inside) > 0) & hatch_mask(w, h, x0, y0, direction=self.directions[f],
                                                       period=HATCH_PERIOD * k, line=HATCH_WIDTH * k)
            arr[m, :3] = (arr[m, :3] * (1 - HATCH_ALPHA) + np.asarray(shade) * HATCH_ALPHA).round().astype(np.uint8)
        return Image.fromarray(arr, "RGBA")


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

"""Map tiles of large point sets served from memory, built on request.

Writing a tile pyramid to disk for each new filter costs thousands of small files (0.5-2.7 s for
300k points on this project's test machine, erratic with the disk). Instead, a page registers its
point set and filter here (``TILES.register``) and puts a URL template in its deck.gl TileLayer;
the server's own route (``routes``, mounted by ``server.py`` through ``st.App``) answers each tile
request with ``PointSet.tile`` - the same text the pyramid would have held - keeping recent tiles
in a cache bounded in bytes. A filter change then costs a mask, not a pyramid.

The same route set answers the map's sharp basemap for each view (``atlas-view/<key>``, a WMS
``GetMap`` request from deck.gl's ``_WMSLayer``): a page registers a ``geo.viewmap.ViewPainter``
(``register_view``) and each request is drawn at the view's own size, with a small cache.

Tiles live in the memory of one server process: behind a load balancer, one browser must stay on
one replica (the nginx template uses ``ip_hash``). Without this route (``streamlit run app.py``
directly, or AppTest), ``ui.bigdata`` falls back to static files on disk.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by server.py before the server answers: keep numpy/pandas/pydeck out of it
    import numpy as np

    from geo.bigpoints import PointSet

EMPTY = b'{"type":"FeatureCollection","features":[]}'
URL_PATH = "atlas-tiles"  # the route: <baseUrlPath>/atlas-tiles/<key>/<z>/<x>/<y>.json
VIEW_PATH = "atlas-view"  # the route: <baseUrlPath>/atlas-view/<key>?SERVICE=WMS&REQUEST=GetMap&...
CAPABILITIES = (b'<?xml version="1.0" encoding="UTF-8"?><WMS_Capabilities version="1.3.0"><Service><Name>WMS</Name>'
                b'<Title>Critical Minerals Atlas basemap</Title></Service><Capability><Layer><Name>base</Name>'
                b'<Title>Land, borders and country layers</Title><CRS>EPSG:3857</CRS></Layer></Capability>'
                b'</WMS_Capabilities>')
_KEY = re.compile(r"^[0-9a-f]{8,64}$")


class TileServer:
    """Registered tile sets (a point set and a filter mask each) and a byte-bounded tile cache."""

    def __init__(self, *, max_sets: int = 64, max_point_sets: int = 4, max_cache_bytes: int = 64 * 2 ** 20):
        self.max_sets, self.max_point_sets, self.max_cache_bytes = max_sets, max_point_sets, max_cache_bytes
        self._sets: OrderedDict[str, tuple[PointSet, np.ndarray | None]] = OrderedDict()
        self._cache: OrderedDict[tuple[str, int, int, int], bytes] = OrderedDict()
        self._cache_bytes = 0
        self._lock = threading.Lock()
        self._views: OrderedDict[str, tuple[object, float]] = OrderedDict()  # key -> (painter, coarsest m/px)
        self._view_cache: OrderedDict[tuple, bytes] = OrderedDict()
        self._view_bytes = 0
        self.max_views, self.max_view_bytes = 32, 32 * 2 ** 20
        self.serving = False  # True once a server mounted ``routes()``: pages may use tile URLs

    def register(self, key: str, ps: PointSet, mask=None) -> None:
        """Make tile set ``key`` (points ``ps`` under ``mask``) servable. The oldest sets are
        forgotten beyond ``max_sets`` sets or ``max_point_sets`` distinct point sets (a point set
        of 300k sites holds ~100 MB); a page asking again registers its set again."""
        if not _KEY.match(key):
            raise ValueError(f"tile set key {key!r} is not a lowercase hex digest")
        import numpy as np

        m = None if mask is None else np.asarray(mask, dtype=bool)
        with self._lock:
            if key in self._sets:
                self._sets.move_to_end(key)
                return
            self._sets[key] = (ps, m)
            while (len(self._sets) > self.max_sets
                   or len({id(p) for p, _ in self._sets.values()}) > self.max_point_sets):
                old, _ = self._sets.popitem(last=False)
                for k in [k for k in self._cache if k[0] == old]:
                    self._cache_bytes -= len(self._cache.pop(k))

    def tile_bytes(self, key: str, z: int, x: int, y: int) -> bytes | None:
        """The tile's JSON bytes (an empty collection where no point falls), or None when the set
        is unknown or (z, x, y) is not a tile of it."""
        with self._lock:
            entry = self._sets.get(key)
            hit = self._cache.get((key, z, x, y))
            if hit is not None:
                self._cache.move_to_end((key, z, x, y))
                return hit
        if entry is None:
            return None
        ps, mask = entry
        if not ps.is_tile(z, x, y):
            return None
        text = ps.tile(z, x, y, mask)
        body = EMPTY if text is None else text.encode("utf-8")
        with self._lock:
            if (key, z, x, y) not in self._cache and len(body) <= self.max_cache_bytes:
                self._cache[(key, z, x, y)] = body
                self._cache_bytes += len(body)
                while self._cache_bytes > self.max_cache_bytes:
                    _, old = self._cache.popitem(last=False)
                    self._cache_bytes -= len(old)
        return body

    def register_view(self, key: str, painter, *, coarsest: float) -> None:
        """Make the basemap ``painter`` (a geo.viewmap.ViewPainter) answer ``atlas-view/<key>``.
        Views coarser than ``coarsest`` metres per pixel get a see-through pixel: the world
        picture under them is sharp enough there."""
        if not _KEY.match(key):
            raise ValueError(f"view key {key!r} is not a lowercase hex digest")
        with self._lock:
            self._views[key] = (painter, coarsest)
            self._views.move_to_end(key)
            while len(self._views) > self.max_views:
                old, _ = self._views.popitem(last=False)
                for k in [k for k in self._view_cache if k[0] == old]:
                    self._view_bytes -= len(self._view_cache.pop(k))

    def view_response(self, key: str, params: dict[str, str]) -> tuple[int, bytes, str]:
        """(HTTP status, body, media type) for a WMS request to view ``key``: GetCapabilities, or
        GetMap in EPSG:3857. A wrong parameter gets a 400 naming it; an unknown key a 404."""
        from geo import viewmap

        request = {k.upper(): v for k, v in params.items()}.get("REQUEST", "").lower()
        with self._lock:
            entry = self._views.get(key)
        if entry is None:
            return 404, b"No such map view: the page may be older than this server; reload it.", "text/plain"
        if request == "getcapabilities":
            return 200, CAPABILITIES, "application/vnd.ogc.wms_xml"
        if request != "getmap":
            return 400, b"REQUEST must be GetMap or GetCapabilities", "text/plain"
        try:
            bbox, width, height = viewmap.parse_getmap(params)
        except ValueError as e:
            return 400, str(e).encode(), "text/plain"
        painter, coarsest = entry
        if (bbox[2] - bbox[0]) / width >= coarsest:
            return 200, viewmap.transparent_png(), "image/png"
        ck = (key, bbox, width, height)
        with self._lock:
            hit = self._view_cache.get(ck)
        if hit is None:
            hit = painter.png(bbox, width, height)
            with self._lock:
                if ck not in self._view_cache:
                    self._view_cache[ck] = hit
                    self._view_bytes += len(hit)
                while self._view_bytes > self.max_view_bytes and self._view_cache:
                    _, old = self._view_cache.popitem(last=False)
                    self._view_bytes -= len(old)
        return 200, hit, "image/png"

    def stats(self) -> dict:
        with self._lock:
            return {"sets": len(self._sets), "cached_tiles": len(self._cache), "cached_bytes": self._cache_bytes}

    def routes(self, base_url_path: str = "") -> list:
        """Starlette routes answering ``<base>/atlas-tiles/<key>/<z>/<x>/<y>.json``; marks this
        process as serving tiles from memory."""
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import PlainTextResponse, Response
        from starlette.routing import Route

        async def tile(request):
            p = request.path_params
            body = await run_in_threadpool(self.tile_bytes, p["key"], p["z"], p["x"], p["y"])
            if body is None:
                return PlainTextResponse("No such map tile: the page may be older than this server; reload it.",
                                         status_code=404)
            return Response(body, media_type="application/json", headers={"Cache-Control": "private, max-age=3600"})

        async def view(request):
            status, body, media = await run_in_threadpool(self.view_response, request.path_params["key"],
                                                          dict(request.query_params))
            return Response(body, status_code=status, media_type=media,
                            headers={"Cache-Control": "private, max-age=3600"} if status == 200 else None)

        base = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
        self.serving = True
        return [Route(f"{base}/{URL_PATH}/{{key}}/{{z:int}}/{{x:int}}/{{y:int}}.json", tile, methods=["GET"]),
                Route(f"{base}/{VIEW_PATH}/{{key}}", view, methods=["GET"])]


TILES = TileServer()


def view_url(key: str) -> str:
    """The _WMSLayer URL for a registered basemap view, relative to the page."""
    return f"{VIEW_PATH}/{key}"


def url_template(key: str) -> str:
    """The TileLayer URL for a registered set, relative to the page (works under a baseUrlPath)."""
    return f"{URL_PATH}/{key}/{{z}}/{{x}}/{{y}}.json"

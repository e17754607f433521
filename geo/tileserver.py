"""Map tiles of large point sets served from memory, built on request.

Writing a tile pyramid to disk for each new filter costs thousands of small files (0.5-2.7 s for
300k points on this project's test machine, erratic with the disk). Instead, a page registers its
point set and filter here (``TILES.register``) and puts a URL template in its deck.gl TileLayer;
the server's own route (``routes``, mounted by ``server.py`` through ``st.App``) answers each tile
request with ``PointSet.tile`` - the same text the pyramid would have held - keeping recent tiles
in a cache bounded in bytes. A filter change then costs a mask, not a pyramid.

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
_KEY = re.compile(r"^[0-9a-f]{8,64}$")


class TileServer:
    """Registered tile sets (a point set and a filter mask each) and a byte-bounded tile cache."""

    def __init__(self, *, max_sets: int = 64, max_point_sets: int = 4, max_cache_bytes: int = 64 * 2 ** 20):
        self.max_sets, self.max_point_sets, self.max_cache_bytes = max_sets, max_point_sets, max_cache_bytes
        self._sets: OrderedDict[str, tuple[PointSet, np.ndarray | None]] = OrderedDict()
        self._cache: OrderedDict[tuple[str, int, int, int], bytes] = OrderedDict()
        self._cache_bytes = 0
        self._lock = threading.Lock()
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

        base = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
        self.serving = True
        return [Route(f"{base}/{URL_PATH}/{{key}}/{{z:int}}/{{x:int}}/{{y:int}}.json", tile, methods=["GET"])]


TILES = TileServer()


def url_template(key: str) -> str:
    """The TileLayer URL for a registered set, relative to the page (works under a baseUrlPath)."""
    return f"{URL_PATH}/{key}/{{z}}/{{x}}/{{y}}.json"

"""A large upload goes through map tiles the server builds from memory: the page stays small, the
points still draw, and a detail tile carries each site's own tooltip."""

import json
import urllib.request

from bench.synth import mrds_like
from geo.bigpoints import DETAIL_ZOOM, tile_xy
from tests.browser.helpers import color_pixels, map_canvas, wait_for_app


def test_large_upload_draws_from_tiles_not_from_the_page(server, page, tmp_path, artifacts):
    path = tmp_path / "mrds-20000.csv"
    mrds_like(20_000, seed=3).to_csv(path, index=False)
    tiles, ws_bytes = [], []
    page.on("response", lambda r: "/atlas-tiles/" in r.url and r.status == 200 and tiles.append(r.url))
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: ws_bytes.append(len(f) if f else 0)))
    page.goto(server + "/your-data")
    wait_for_app(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    page.wait_for_selector("text=20,000 of 20,000 rows from mrds-20000.csv are on the map", timeout=60_000)
    wait_for_app(page)
    page.screenshot(path=str(artifacts / "bigpoints-page.png"), full_page=True)
    canvas = map_canvas(page)
    png = b""
    for _ in range(60):
        png = canvas.screenshot()
        if tiles and color_pixels(png, (255, 255, 255), tol=8) > 300 and color_pixels(png, (0, 0, 0), tol=40) > 100:
            break
        page.wait_for_timeout(500)
    (artifacts / "bigpoints-upload.png").write_bytes(png)
    assert tiles, "no tile was fetched"
    assert all("/0/" in t or "/1/" in t or "/2/" in t for t in tiles)  # a world view asks for low zooms only
    assert color_pixels(png, (0, 0, 0), tol=40) > 100   # black rings of the merged dots
    assert sum(ws_bytes) < 3_000_000                       # 20k points are not inside the page
    # the same tile set at detail zoom: the site's own name, from memory (nothing under static/)
    df = mrds_like(20_000, seed=3)
    x, y = tile_xy(df["longitude"].to_numpy()[:1], df["latitude"].to_numpy()[:1], DETAIL_ZOOM)
    url = tiles[0].rsplit("/", 3)[0] + f"/{DETAIL_ZOOM}/{int(x[0])}/{int(y[0])}.json"
    detail = json.loads(urllib.request.urlopen(url, timeout=30).read())
    assert any(f["properties"]["tooltip"].startswith(df["site_name"][0] + "\n") for f in detail["features"])
    assert all(f["properties"]["n"] == 1 for f in detail["features"])

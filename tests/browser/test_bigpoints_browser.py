"""A large upload goes through static tiles: the page stays small and the points still draw."""

from bench.synth import mrds_like
from tests.browser.helpers import color_pixels, map_canvas, wait_for_app


def test_large_upload_draws_from_tiles_not_from_the_page(server, page, tmp_path, artifacts):
    path = tmp_path / "mrds-20000.csv"
    mrds_like(20_000, seed=3).to_csv(path, index=False)
    tiles, ws_bytes = [], []
    page.on("response", lambda r: "/static/atlas/tiles/" in r.url and r.status == 200 and tiles.append(r.url))
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

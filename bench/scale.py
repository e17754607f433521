"""Scale benchmark: page load -> points drawn in headless Chromium, data sent, server rerun time
and RSS, for the Atlas (curated data alone, and with 100k / 300k MRDS-shaped points through the
tile fast path), the 1k-point floor and the plain-pydeck baseline, side by side.

    .venv/bin/python bench/scale.py            # medians of 5 interleaved runs; prints a Markdown table

The floor and the baseline are bench/pages/plain.py (one st.pydeck_chart, N points inside the
page). The Atlas page itself with 1k MRDS-shaped points is measured too ("the same page showing 1k
points"), so each Atlas row has both ratios. Points are synthetic (bench/synth.py), reproducible
by seed.
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from bench.load import rss_mb  # noqa: E402
from bench.synth import mrds_like  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

RUNS = 5
ORANGE = (230, 159, 0)


def pixels(png: bytes, rgb, tol=30) -> int:
    img = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(1 for r, g, b in img.get_flattened_data()
               if abs(r - rgb[0]) < tol and abs(g - rgb[1]) < tol and abs(b - rgb[2]) < tol)


def serve(script: str, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-", suffix=".log", delete=False)
    cmd = ([sys.executable, "-m", "ui.serve"] if script == "app.py" else
           [sys.executable, "-m", "streamlit", "run", script]) + [
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    import urllib.request

    for _ in range(240):
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=2).read() == b"ok":
                return proc, base
        except OSError:
            time.sleep(0.25)
    raise RuntimeError("server did not start: " + Path(log.name).read_text()[-1500:])


def first_draw(browser, url: str, *, tiles: bool) -> tuple[float, int]:
    """Seconds from navigation to the points drawn, and bytes the page received (websocket + tiles)."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 950})
    page = ctx.new_page()
    got = {"ws": 0, "static": 0, "tiles": 0}
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: got.__setitem__("ws", got["ws"] + len(f or b""))))

    def on_response(r):
        # the Atlas's static files (basemap, fills) and map tiles: from memory (atlas-tiles/, server.py)
        # or as files (static/atlas/tiles/, a plain `streamlit run app.py`)
        if ("/static/atlas/" in r.url or "/atlas-tiles/" in r.url) and r.status == 200:
            try:  # bytes on the wire; len(r.body()) failed now and then for the 0.4 MB basemap picture,
                # which sessions 5-7 therefore left out of "data sent"
                got["static"] += r.request.sizes()["responseBodySize"]
            except Exception:  # noqa: BLE001
                got["static"] += int(r.headers.get("content-length") or 0)
            got["tiles"] += "/tiles/" in r.url or "/atlas-tiles/" in r.url
    page.on("response", on_response)
    start = time.perf_counter()
    page.goto(url, timeout=180_000)
    canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
    drawn = float("nan")
    deadline = time.perf_counter() + 180
    while time.perf_counter() < deadline:
        if canvas.count() and canvas.is_visible():
            png = canvas.screenshot(timeout=60_000)
            if pixels(png, ORANGE) >= 100 and (not tiles or (got["tiles"] and pixels(png, (0, 0, 0), 60) >= 200)):
                drawn = time.perf_counter() - start
                break
        time.sleep(0.2)
    page.wait_for_timeout(1500)  # let late tile responses count
    ctx.close()
    return drawn, got["ws"] + got["static"]


def curated_sites() -> int:
    """Sites in data/facilities.csv (the curated map's points)."""
    import csv

    with open(ROOT / "data" / "facilities.csv", encoding="utf-8") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def rerun_times(n: int, csv: Path | None, *, memory: bool = True) -> tuple[float, float]:
    """Server-side script time of a filter change on the Atlas map (AppTest): first time and repeat.
    ``memory``: large point sets' tiles built on request (as under ``make run``, server.py);
    otherwise written as static files (a plain ``streamlit run app.py``)."""
    env = dict(os.environ)
    if csv:
        env["ATLAS_EXTRA_POINTS"] = str(csv)
    code = ("from geo.tileserver import TILES; TILES.serving = True\n" if memory else "") + r"""
import sys, time, statistics
sys.path.insert(0, '.')
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import app_test, AppTest
class N(PagesManager):
    def __init__(s, *a, **k):
        super().__init__(*a, **k); PagesManager.uses_pages_directory = False
app_test.PagesManager = N
at = AppTest.from_file('app.py', default_timeout=300); at.run()
first, again = [], []
for m in (['copper'], ['gold'], ['lithium']):
    at.multiselect(key='f_minerals').set_value(m); t = time.perf_counter(); at.run(); first.append(time.perf_counter() - t)
    at.multiselect(key='f_minerals').set_value([]); at.run()
    at.multiselect(key='f_minerals').set_value(m); t = time.perf_counter(); at.run(); again.append(time.perf_counter() - t)
print(statistics.median(first), statistics.median(again))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    a, b = out.stdout.strip().splitlines()[-1].split()
    return float(a), float(b)


def main() -> None:
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="atlas-scale-"))
    csvs = {}
    for n in (1_000, 100_000, 300_000):
        csvs[n] = tmp / f"mrds-{n}.csv"
        mrds_like(n, seed=5).to_csv(csvs[n], index=False)
    configs = [  # (label, N, script, env, uses tiles)
        ("floor: plain pydeck", 1_000, "bench/pages/plain.py", {"BENCH_POINTS": "1000"}, False),
        ("Atlas, curated data", curated_sites(), "app.py", {}, False),
        ("Atlas + MRDS-shaped", 1_000, "app.py", {"ATLAS_EXTRA_POINTS": str(csvs[1_000])}, False),
        ("baseline: plain pydeck", 100_000, "bench/pages/plain.py", {"BENCH_POINTS": "100000"}, False),
        ("Atlas + MRDS-shaped", 100_000, "app.py", {"ATLAS_EXTRA_POINTS": str(csvs[100_000])}, True),
        ("baseline: plain pydeck", 300_000, "bench/pages/plain.py", {"BENCH_POINTS": "300000"}, False),
        ("Atlas + MRDS-shaped", 300_000, "app.py", {"ATLAS_EXTRA_POINTS": str(csvs[300_000])}, True),
    ]
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # All servers up at once and the runs interleaved (one load per page per round), so a slow
        # spell of this shared machine falls on every page alike instead of on one page's runs.
        servers = []
        try:
            for label, n, script, env, tiles in configs:
                proc, base = serve(script, env)
                servers.append((proc, base))
                first_draw(browser, base + "/", tiles=tiles)  # warm the server's caches
            runs = [[] for _ in configs]
            for rnd in range(RUNS):
                for i, ((label, n, script, env, tiles), (proc, base)) in enumerate(zip(configs, servers)):
                    runs[i].append(first_draw(browser, base + "/", tiles=tiles))
                print(f"round {rnd + 1}: " + ", ".join(f"{r[-1][0]:.1f}" for r in runs), flush=True)
            rss = [rss_mb(proc.pid) for proc, _ in servers]
        finally:
            for proc, _ in servers:
                proc.terminate()
                proc.wait(20)
        browser.close()
    for (label, n, *_), rs, mem in zip(configs, runs, rss):
        t = statistics.median(r[0] for r in rs)
        b = statistics.median(r[1] for r in rs)
        rows.append((label, n, t, b, mem, [round(r[0], 1) for r in rs]))
        print(f"{label} {n}: {t:.2f} s, {b / 1e6:.2f} MB, RSS {mem:.0f} MB, runs {rows[-1][5]}", flush=True)
    floor = rows[0][2]
    same_page = rows[2][2]  # the Atlas page itself showing 1k points
    base_t = {r[1]: r[2] for r in rows if r[0].startswith("baseline")}
    reruns = {"curated data": rerun_times(0, None),
              "curated data + 300,000 points (tiles from memory: make run)": rerun_times(300_000, csvs[300_000]),
              "curated data + 300,000 points (tiles as files: streamlit run app.py)":
                  rerun_times(300_000, csvs[300_000], memory=False)}
    print()
    print(f"Machine: {os.cpu_count()} cores, headless Debian Chromium (software WebGL); medians of {RUNS} runs "
          "after one warm-up, interleaved across pages; time = navigation to points drawn (canvas pixels); data = websocket + static files.")
    print()
    print("| page | points | first draw | ÷ floor (plain 1k) | ÷ Atlas with 1k | baseline ÷ this | data sent | server RSS |")
    print("|---|---|---|---|---|---|---|---|")
    for label, n, t, b, rss, runs in rows:
        vs_base = f"{base_t[n] / t:.2f}×" if label.startswith("Atlas") and n in base_t else ""
        vs_same = f"{t / same_page:.2f}×" if label.startswith("Atlas") else ""
        print(f"| {label} | {n:,} | {t:.2f} s | {t / floor:.2f}× | {vs_same} | {vs_base} | {b / 1e6:.2f} MB | {rss:.0f} MB |")
    print()
    print("| filter change on the Atlas map (server rerun, AppTest) | first time | repeated |")
    print("|---|---|---|")
    for label, (a, b) in reruns.items():
        print(f"| {label} | {a * 1000:.0f} ms | {b * 1000:.0f} ms |")


if __name__ == "__main__":
    main()

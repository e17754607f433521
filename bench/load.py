"""Load test (on demand, not in CI): one Atlas server on loopback, N concurrent headless Chromium
sessions across pages and filters. Prints sessions that drew, time to first draw (p50/p95),
server RSS before/peak/after, and whether memory comes back when the sessions leave.

    .venv/bin/python bench/load.py 50 5        # sessions (default 50), loading at once (default 5)

An open page with a deck.gl map costs its browser ~5% of a core even when nothing moves (the
map's render loop; measured the same for a plain st.pydeck_chart page), so here the 45 pages held
open spend most of the 2 cores on their own rendering: the times below are the browser's more
than the server's (bench/load_ws.py measures the server alone).

Each session is its own browser context (own cookies, own Streamlit session) in one Chromium
process; a session "draws" when its page's main element is on screen: the map canvas with
mining-coloured pixels on map pages, a plotly chart on analysis pages.
"""

from __future__ import annotations

import asyncio
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from geo.colors import STAGE_COLORS  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_server  # noqa: E402

PATHS = [  # (url path, what counts as drawn)
    ("/", "map"), ("/?mineral=cobalt", "map"), ("/?country=CHN&layers=facilities,controls", "map"),
    ("/?stage=processing&mineral=rare_earths", "map:processing"), ("/minerals?mineral=lithium", "chart"),
    ("/countries?country=JPN", "chart"), ("/what-if?exporter=COD&supply=mining", "chart"),
    ("/partnerships?partnership=msp", "chart"), ("/policies", "chart"), ("/your-data", "text"),
]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    pids = [pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


async def watch_peak(pid: int, peak: list, every: float = 0.5) -> None:
    """Keep ``peak[0]`` at the highest RSS seen (run as a task; cancel it to stop)."""
    while True:
        peak[0] = max(peak[0], rss_mb(pid))
        await asyncio.sleep(every)


def stage_pixels(png: bytes, stage: str = "mining") -> int:
    img = Image.open(io.BytesIO(png)).convert("RGB").resize((200, 120))
    r0, g0, b0 = STAGE_COLORS[stage]
    return sum(1 for r, g, b in img.get_flattened_data() if abs(r - r0) < 30 and abs(g - g0) < 30 and abs(b - b0) < 30)


async def session(browser, base: str, i: int, results: list, gate: asyncio.Semaphore, all_in: asyncio.Event,
                  n: int):
    path, kind = PATHS[i % len(PATHS)]
    ctx = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await ctx.new_page()
    drawn = None
    await gate.acquire()
    start = time.perf_counter()
    try:
        await page.goto(base + path, timeout=120_000)
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline and drawn is None:
            if kind.startswith("map"):
                canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
                if await canvas.count() and await canvas.is_visible():
                    stage = kind.partition(":")[2] or "mining"
                    if stage_pixels(await canvas.screenshot(timeout=30_000), stage) >= 3:
                        drawn = time.perf_counter() - start
            elif kind == "chart":
                if await page.locator(".js-plotly-plot .main-svg").count():
                    drawn = time.perf_counter() - start
            elif await page.get_by_text("No file loaded").count():
                drawn = time.perf_counter() - start
            if drawn is None:
                await asyncio.sleep(0.5)
        results.append((path, drawn, "" if drawn else "never drew"))
    except Exception as exc:  # noqa: BLE001 - counted as a failed session
        results.append((path, None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"))
    finally:
        gate.release()
    if len(results) == n:
        all_in.set()
    await all_in.wait()  # every session stays connected until the last one has loaded
    await asyncio.sleep(3)
    if i == 0:
        results.append(("_held", _established(base), ""))
    await ctx.close()


def _established(base: str) -> int:
    """Established TCP connections to the server's port (one websocket per open page)."""
    port = int(base.rsplit(":", 1)[1])
    n = 0
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if f[3] == "01" and int(f[1].rsplit(":", 1)[1], 16) == port:  # 01 = ESTABLISHED, local port
                n += 1
    return n


async def run(n: int, base: str, server_pid: int, loading: int = 5) -> dict:
    from playwright.async_api import async_playwright

    peak = [rss_mb(server_pid)]
    results: list = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        watcher = asyncio.create_task(watch_peak(server_pid, peak))
        t0 = time.perf_counter()
        gate, all_in = asyncio.Semaphore(loading), asyncio.Event()
        await asyncio.gather(*(session(browser, base, i, results, gate, all_in, n) for i in range(n)))
        wall = time.perf_counter() - t0
        watcher.cancel()
        await browser.close()
    held = [r[1] for r in results if r[0] == "_held"]
    return {"results": [r for r in results if r[0] != "_held"], "peak": peak[0], "wall": wall,
            "held": held[0] if held else None}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    loading = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    port = free_port()
    proc = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        import urllib.request

        urllib.request.urlopen(base + "/", timeout=30).read()
        warm = asyncio.run(run(1, base, proc.pid))  # warm the server's caches (data, basemap)
        rss0 = rss_mb(proc.pid)
        out = asyncio.run(run(n, base, proc.pid, loading))
        time.sleep(40)  # Streamlit drops a disconnected session's state after it closes
        rss_after = rss_mb(proc.pid)
    finally:
        proc.terminate()
    times = sorted(t for _, t, _ in out["results"] if t is not None)
    failed = [(p, e) for p, t, e in out["results"] if t is None]
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)] if times else float("nan")
    print(f"machine: {os.cpu_count()} cores; one Chromium, {n} contexts all held open together, {loading} loading "
          f"at a time (more starve the 2 cores in the browser's software WebGL); server connections open when the last had drawn: {out['held']}; "
          f"server warm (first session {warm['results'][0][1]:.1f} s); wall {out['wall']:.0f} s")
    print("| sessions | drew | failed | first draw p50 | p95 | max | server RSS warm | peak | 40 s after |"
          " per session (peak-warm)/n |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {n} | {len(times)} ({100 * len(times) / n:.0f}%) | {len(failed)} | "
          f"{statistics.median(times):.1f} s | {p95:.1f} s | {times[-1]:.1f} s | {rss0:.0f} MB | "
          f"{out['peak']:.0f} MB | {rss_after:.0f} MB | {(out['peak'] - rss0) / n:.1f} MB |")
    for p, e in failed[:10]:
        print("failed:", p, e)


if __name__ == "__main__":
    main()

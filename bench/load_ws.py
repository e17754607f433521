"""Server-side load test (on demand): N concurrent Streamlit sessions over the websocket protocol,
no browser. Each session asks for a page with filters (like a browser's first run) and waits until
the server has sent the whole page, map included. Measures what the server can hold when the
browsers are elsewhere (bench/load.py runs real Chromium on the same 2 cores instead).

    .venv/bin/python bench/load_ws.py 50        # sessions (default 50), all at once
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import PATHS, rss_mb, watch_peak  # noqa: E402
from tests.browser.conftest import free_port, start_server  # noqa: E402


async def session(base_ws: str, i: int, results: list, all_in: asyncio.Event, n: int):
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    path, kind = PATHS[i % len(PATHS)]
    page, _, query = path.lstrip("/").partition("?")
    start = time.perf_counter()
    done = maps = charts = received = 0
    try:
        async with connect(base_ws, subprotocols=["streamlit"], max_size=None, open_timeout=60) as ws:
            msg = BackMsg()
            msg.rerun_script.query_string = query
            msg.rerun_script.page_name = page
            await ws.send(msg.SerializeToString())
            while True:
                raw = await asyncio.wait_for(ws.recv(), timeout=120)
                received += len(raw)
                fm = ForwardMsg()
                fm.ParseFromString(raw)
                kind_of = fm.WhichOneof("type")
                if kind_of == "delta" and fm.delta.WhichOneof("type") == "new_element":
                    el = fm.delta.new_element.WhichOneof("type")
                    maps += el == "deck_gl_json_chart"
                    charts += el == "plotly_chart"
                if kind_of == "script_finished":
                    done = time.perf_counter() - start
                    break
            results.append((path, done, maps, charts, received))
            if len(results) == n:
                all_in.set()
            await all_in.wait()  # hold every session open until all have their page
            await asyncio.sleep(2)
    except Exception as exc:  # noqa: BLE001 - a failed session is counted
        results.append((path, None, 0, 0, received, type(exc).__name__))
        if len(results) == n:
            all_in.set()


async def run(n: int, base_ws: str, pid: int) -> dict:
    peak = [rss_mb(pid)]
    results: list = []
    w = asyncio.create_task(watch_peak(pid, peak, every=0.2))
    all_in = asyncio.Event()
    t0 = time.perf_counter()
    await asyncio.gather(*(session(base_ws, i, results, all_in, n) for i in range(n)))
    wall = time.perf_counter() - t0
    w.cancel()
    return {"results": results, "peak": peak[0], "wall": wall}


HEADER = ("| wave | sessions | got the whole page | map pages with the map | analysis pages with a chart | "
          "p50 | p95 | max | page size (median) | wall | server RSS peak |\n|---|---|---|---|---|---|---|---|---|---|---|")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    port = free_port()
    proc = start_server(port)
    ws = f"ws://127.0.0.1:{port}/_stcore/stream"
    try:
        asyncio.run(run(1, ws, proc.pid))  # warm the caches
        rss0 = rss_mb(proc.pid)
        out = asyncio.run(run(n, ws, proc.pid))
        time.sleep(5)
        rss_mid = rss_mb(proc.pid)
        out2 = asyncio.run(run(n, ws, proc.pid))  # a second wave: is the first wave's memory reused?
        time.sleep(5)
        rss_after = rss_mb(proc.pid)
    finally:
        proc.terminate()
    print(HEADER)
    for label, o in (("wave 1", out), ("wave 2", out2)):
        ok = [r for r in o["results"] if r[1]]
        times = sorted(r[1] for r in ok)
        with_map = sum(1 for r in ok if r[0].startswith("/?") or r[0] == "/")
        maps = sum(1 for r in ok if (r[0].startswith("/?") or r[0] == "/") and r[2] >= 1)
        p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
        chart_pages = [r for r in ok if "/" in r[0].lstrip("/").split("?")[0] or r[0].lstrip("/").split("?")[0]
                       in ("minerals", "countries", "what-if", "partnerships", "policies")]
        charted = sum(1 for r in chart_pages if r[3] >= 1)
        print(f"| {label} | {n} | {len(ok)} ({100 * len(ok) / n:.0f}%) | {maps}/{with_map} | {charted}/{len(chart_pages)} | "
              f"{statistics.median(times):.2f} s | {p95:.2f} s | {times[-1]:.2f} s | "
              f"{statistics.median(r[4] for r in ok) / 1e6:.2f} MB | {o['wall']:.1f} s | {o['peak']:.0f} MB |")
    print(f"server RSS: warm {rss0:.0f} MB, after wave 1 {rss_mid:.0f} MB, after wave 2 {rss_after:.0f} MB "
          f"(growth {rss_mid - rss0:.0f} MB, then {rss_after - rss_mid:+.0f} MB)")


if __name__ == "__main__":
    main()

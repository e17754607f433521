"""Cold start: process start -> health endpoint -> first map drawn in Chromium, and a warm
reload for comparison, for the Atlas and, as the floor, a plain one-chart pydeck page with 1k
points (bench/pages/plain.py) started the same way. Runs alternate between the two.

    .venv/bin/python bench/cold_start.py [runs] [atlas|plain|both]     # default: 3 both
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale import serve  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_server  # noqa: E402
from tests.browser.helpers import wait_for_app, wait_for_drawn  # noqa: E402


def one_run(browser, which: str) -> tuple[float, float, float]:
    t0 = time.perf_counter()
    if which == "atlas":  # both return once /_stcore/health answers "ok"
        port = free_port()
        proc, base = start_server(port), f"http://127.0.0.1:{port}"
    else:
        proc, base = serve("bench/pages/plain.py", {"BENCH_POINTS": "1000"})
    t_health = time.perf_counter() - t0
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        t1 = time.perf_counter()
        page.goto(base + "/")
        wait_for_app(page)
        wait_for_drawn(page)  # orange dots: mining sites on the Atlas, every point on the plain page
        t_first = time.perf_counter() - t1
        t2 = time.perf_counter()
        page.reload()
        wait_for_app(page)
        wait_for_drawn(page)
        t_warm = time.perf_counter() - t2
        page.close()
    finally:
        proc.terminate()
        proc.wait(10)
    return t_health, t_first, t_warm


def main() -> None:
    from playwright.sync_api import sync_playwright

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    which = sys.argv[2] if len(sys.argv) > 2 else "both"
    pages = ["atlas", "plain"] if which == "both" else [which]
    got = {p: [] for p in pages}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            for name in pages:  # alternated, so a slow spell of the machine falls on both
                got[name].append(one_run(b, name))
        b.close()
    print(f"runs: {runs} each (medians); first visit = navigation to dots drawn, polled every 0.5 s")
    print("| page | process start -> health ok | first visit -> map drawn | reload (warm) | total cold start |")
    print("|---|---|---|---|---|")
    totals = {}
    for name, rows in got.items():
        h, f, w = (statistics.median(c) for c in zip(*rows))
        totals[name] = statistics.median(a + b for a, b, _ in rows)
        label = "Atlas (make run)" if name == "atlas" else "plain one-chart pydeck page, 1k points"
        print(f"| {label} | {h:.2f} s | {f:.2f} s | {w:.2f} s | {totals[name]:.2f} s |")
    if len(totals) == 2:
        print(f"Atlas / plain total: {totals['atlas'] / totals['plain']:.2f}x")


if __name__ == "__main__":
    main()

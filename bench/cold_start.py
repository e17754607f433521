"""Cold start: process start -> health endpoint -> first map drawn in Chromium, and a warm
reload for comparison. Run on demand: .venv/bin/python bench/cold_start.py [runs]"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_server  # noqa: E402
from tests.browser.helpers import wait_for_app, wait_for_drawn  # noqa: E402


def one_run(browser) -> tuple[float, float, float]:
    port = free_port()
    t0 = time.perf_counter()
    proc = start_server(port)  # returns once /_stcore/health answers "ok"
    t_health = time.perf_counter() - t0
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        t1 = time.perf_counter()
        page.goto(f"http://127.0.0.1:{port}/")
        wait_for_app(page)
        wait_for_drawn(page)
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
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        rows = [one_run(b) for _ in range(runs)]
        b.close()
    h, f, w = (statistics.median(c) for c in zip(*rows))
    print(f"runs: {runs}")
    print(f"process start -> health ok:        {h:6.2f} s (median)")
    print(f"first visit -> map drawn (cold):    {f:6.2f} s (median)")
    print(f"reload -> map drawn (warm caches):  {w:6.2f} s (median)")
    print(f"cold/warm first-draw ratio:         {f / w:6.2f}x")
    print(f"total cold start (health + draw):   {h + f:6.2f} s")


if __name__ == "__main__":
    main()

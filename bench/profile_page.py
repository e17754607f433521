"""Where a page load's main-thread time goes: a Chromium CPU profile from navigation to the points
drawn, summed by function (self time) and by script.

    .venv/bin/python bench/profile_page.py            # the Atlas map page, curated data, 3 loads
    .venv/bin/python bench/profile_page.py plain 3    # bench/pages/plain.py with 1k points

Prints the milestones of each load (canvas visible, points drawn) and the top functions over all
loads. For finding what to optimise (issue 7), not a benchmark: profiling slows the page down.
"""

from __future__ import annotations

import collections
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale import ORANGE, pixels, serve  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def profile_load(browser, url: str) -> tuple[dict, float, float]:
    """One load: (CDP profile, seconds to canvas visible, seconds to points drawn)."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 950})
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 500})
    cdp.send("Profiler.start")
    start = time.perf_counter()
    page.goto(url, timeout=180_000)
    canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
    seen, drawn = None, float("nan")
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline:
        if canvas.count() and canvas.is_visible():
            if seen is None:
                seen = time.perf_counter() - start
            if pixels(canvas.screenshot(timeout=60_000), ORANGE) >= 100:
                drawn = time.perf_counter() - start
                break
        time.sleep(0.1)
    prof = cdp.send("Profiler.stop")["profile"]
    ctx.close()
    return prof, float("nan") if seen is None else seen, drawn


def self_times(prof: dict) -> tuple[collections.Counter, collections.Counter]:
    """Self time (ms) per function and per script URL."""
    nodes = {n["id"]: n for n in prof["nodes"]}
    deltas = prof.get("timeDeltas", [])
    per_fn: collections.Counter = collections.Counter()
    per_url: collections.Counter = collections.Counter()
    for sample, dt in zip(prof.get("samples", []), deltas[1:] + [0]):
        cf = nodes[sample]["callFrame"]
        url = cf.get("url", "").rsplit("/", 1)[-1] or "(native)"
        name = cf.get("functionName") or "(anonymous)"
        per_fn[f"{name}  [{url}:{cf.get('lineNumber', 0) + 1}]"] += dt / 1000
        per_url[url] += dt / 1000
    return per_fn, per_url


def main(argv: list[str]) -> None:
    which = argv[0] if argv else "atlas"
    runs = int(argv[1]) if len(argv) > 1 else 3
    from playwright.sync_api import sync_playwright

    if which == "plain":
        proc, base = serve("bench/pages/plain.py", {"BENCH_POINTS": "1000"})
    else:
        proc, base = serve("app.py", {})
    fn_total: collections.Counter = collections.Counter()
    url_total: collections.Counter = collections.Counter()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            profile_load(browser, base + "/")  # warm the server and the browser's cache once
            for i in range(runs):
                prof, seen, drawn = profile_load(browser, base + "/")
                fn, url = self_times(prof)
                fn_total.update(fn)
                url_total.update(url)
                print(f"load {i + 1}: canvas visible {seen:.2f} s, points drawn {drawn:.2f} s")
            browser.close()
    finally:
        proc.terminate()
    print(f"\nself time per load (ms), by script ({which}):")
    for url, ms in url_total.most_common(12):
        print(f"  {ms / runs:8.0f}  {url}")
    print("\nself time per load (ms), top functions:")
    for name, ms in fn_total.most_common(30):
        print(f"  {ms / runs:8.0f}  {name}")


if __name__ == "__main__":
    main(sys.argv[1:])

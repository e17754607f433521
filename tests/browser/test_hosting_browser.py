"""Hosting: two replicas under a path prefix behind Debian's nginx on loopback (the set-up the
README documents), opened in Chromium: pages draw, deep links and the share link keep the prefix."""

import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from geo.colors import STAGE_COLORS
from tests.browser.conftest import ROOT, free_port, start_server, wait_healthy
from tests.browser.helpers import share_link, wait_for_app, wait_for_drawn

NGINX = "/usr/sbin/nginx"
PREFIX = "atlas"


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.fail(f"{NGINX} is missing: run `make test`, which installs Debian's nginx")
    run = tmp_path_factory.mktemp("nginx")
    ports = [free_port(), free_port()]
    replicas = [start_server(p, "--server.baseUrlPath", PREFIX) for p in ports]
    listen = free_port()
    conf = (ROOT / "deploy" / "nginx.conf.template").read_text()
    conf = (conf.replace("@PREFIX@", PREFIX).replace("@LISTEN@", str(listen)).replace("@RUN@", str(run))
            .replace("@UPSTREAMS@", " ".join(f"server 127.0.0.1:{p};" for p in ports)))
    (run / "nginx.conf").write_text(conf)
    check = subprocess.run([NGINX, "-t", "-c", str(run / "nginx.conf"), "-p", str(run)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proxy = subprocess.Popen([NGINX, "-c", str(run / "nginx.conf"), "-p", str(run), "-g", "daemon off;"],
                             stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{listen}/{PREFIX}"
    wait_healthy(base + "/_stcore/health", timeout=30)
    yield base, run
    proxy.terminate()
    for r in replicas:
        r.terminate()
    for p in [proxy, *replicas]:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
    shutil.rmtree(run, ignore_errors=True)


def test_two_replicas_behind_nginx_under_a_prefix(proxied, browser, artifacts):
    base, run = proxied
    with urllib.request.urlopen(base + "/_stcore/health", timeout=5) as r:
        assert r.read() == b"ok"
    with pytest.raises(urllib.error.HTTPError) as missing:   # the map-tile route lives under the prefix too
        urllib.request.urlopen(base + "/atlas-tiles/0123abcd/0/0/0.json", timeout=5)
    assert missing.value.code == 404 and b"No such map tile" in missing.value.read()
    ctx = browser.new_context(viewport={"width": 1400, "height": 950})
    page = ctx.new_page()
    page.goto(base + "/?mineral=cobalt&country=COD")
    wait_for_app(page)
    wait_for_drawn(page, STAGE_COLORS["mining"], min_pixels=20)   # basemap + sites via the prefix
    link = share_link(page)
    assert urlparse(link).path == f"/{PREFIX}/" and "mineral=cobalt" in link
    page.screenshot(path=str(artifacts / "proxied-map.png"))
    page.goto(base + "/countries?country=JPN")
    wait_for_app(page)
    bars = "() => [...document.querySelectorAll('.js-plotly-plot .bars path')].some(b => b.getBBox().width > 1)"
    try:
        page.wait_for_function(bars, timeout=60_000)
    except PlaywrightTimeout:
        # Seen once in a clean-clone run on a loaded 2-core machine (not reproduced since): keep
        # the evidence, then give the page one reload; a page that never draws still fails.
        page.screenshot(path=str(artifacts / "proxied-countries-timeout.png"))
        page.reload()
        wait_for_app(page)
        page.wait_for_function(bars, timeout=60_000)
    assert "Japan (JPN)" in page.inner_text("body")
    assert urlparse(page.url).path == f"/{PREFIX}/countries"
    ctx.close()
    log = (run / "access.log").read_text()
    assert "/atlas/_stcore/stream" in log and " 101 " in log   # websocket upgraded through nginx

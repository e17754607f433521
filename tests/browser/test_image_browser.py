"""The Docker image's file set runs: no Docker engine on this machine (nor in CI), so the test
builds what the Dockerfile's COPY lines would put in /app into a temporary directory, leaves it
writable only where the image lets the `atlas` user write (static/), starts the Dockerfile's CMD
there and opens it in Chromium. A page or data file missing from the COPY lines, or a write
outside static/, fails it."""

import json
import os
import re
import shutil
import stat
import subprocess
import sys

import pytest

from geo.colors import STAGE_COLORS
from tests.browser.conftest import ROOT, free_port, wait_healthy
from tests.browser.helpers import wait_for_app, wait_for_drawn


def _dockerfile():
    text = (ROOT / "Dockerfile").read_text()
    copies = [line.split()[1:] for line in text.splitlines() if line.startswith("COPY ")]
    cmd = json.loads(next(line[4:] for line in text.splitlines() if line.startswith("CMD ")))
    writable = re.findall(r"mkdir -p (\S+) && chown atlas \1", text)
    return copies, cmd, writable


def _read_only(path):
    for root, dirs, files in os.walk(path):
        for name in files:
            p = os.path.join(root, name)
            os.chmod(p, os.stat(p).st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        os.chmod(root, os.stat(root).st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


@pytest.fixture(scope="module")
def image_app(tmp_path_factory):
    copies, cmd, writable = _dockerfile()
    assert writable == ["static"], writable
    app = tmp_path_factory.mktemp("image") / "app"
    app.mkdir()
    ignored = shutil.ignore_patterns("__pycache__", "*.pyc")
    for src, dest in copies:
        target = app / dest if dest not in (".", "./") else app / src
        if (ROOT / src).is_dir():
            shutil.copytree(ROOT / src, target, ignore=ignored)
        else:
            shutil.copy2(ROOT / src, target)
    (app / "static").mkdir()
    for child in app.iterdir():
        if child.name != "static":
            _read_only(child)
    os.chmod(app, 0o555)
    port = free_port()
    assert cmd[:3] == ["python", "-m", "ui.serve"], cmd
    args = [sys.executable, *cmd[1:]]
    args[args.index("--server.port") + 1] = str(port)
    args[args.index("--server.address") + 1] = "127.0.0.1"
    log = open(app.parent / "server.log", "w")
    proc = subprocess.Popen(args, cwd=app, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    base = f"http://127.0.0.1:{port}"
    if not wait_healthy(base + "/_stcore/health"):
        proc.kill()
        pytest.fail("the image's CMD did not become healthy: " + (app.parent / "server.log").read_text()[-2000:])
    yield base, app
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    for root, dirs, _files in os.walk(app.parent):
        os.chmod(root, 0o755)


def test_image_file_set_serves_map_and_pages(image_app, browser, artifacts):
    base, app = image_app
    ctx = browser.new_context(viewport={"width": 1400, "height": 950})
    page = ctx.new_page()
    page.goto(base + "/?mineral=rare_earths")
    wait_for_app(page)
    wait_for_drawn(page, STAGE_COLORS["mining"], min_pixels=10)
    body = page.inner_text("body")
    assert "sites in" in body and "Traceback" not in body
    page.screenshot(path=str(artifacts / "image-map.png"))
    page.goto(base + "/minerals?mineral=cobalt")
    wait_for_app(page)
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot .bars path')]"
                           ".some(b => b.getBBox().width > 1)", timeout=90_000)
    page.wait_for_function("() => document.body.innerText.includes('75.9%')", timeout=30_000)
    assert "Congo" in page.inner_text("body")   # cobalt mining: DRC 75.9% (USGS MCS 2025)
    ctx.close()
    # the app wrote only where the image lets it (the basemap picture under static/)
    assert any((app / "static").rglob("*.png"))
    log = (app.parent / "server.log").read_text()
    assert "PermissionError" not in log and "Read-only" not in log, log[-2000:]

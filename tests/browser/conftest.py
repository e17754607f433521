"""A real server and a real headless Chromium (Debian's /usr/bin/chromium)."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("ATLAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, *extra: str, env: dict | None = None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "ui.serve", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", *extra]
    # the server's log goes to a file: an unread pipe fills up and would freeze the server
    log = tempfile.NamedTemporaryFile(prefix=f"atlas-{port}-", suffix=".log", delete=False)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})})
    proc.log_path = log.name
    base = f"http://127.0.0.1:{port}"
    prefix = next((extra[i + 1] for i, a in enumerate(extra) if a == "--server.baseUrlPath"), "")
    if wait_healthy(f"{base}/{prefix.strip('/') + '/' if prefix else ''}_stcore/health"):
        return proc
    proc.kill()
    raise RuntimeError("streamlit did not become healthy: " + Path(log.name).read_text()[-2000:])


def wait_healthy(health_url: str, timeout: float = 60) -> bool:
    """True once ``health_url`` answers "ok" (a Streamlit health endpoint), False after ``timeout`` s."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(health_url, timeout=2) as r:
                if r.read() == b"ok":
                    return True
        except OSError:
            time.sleep(0.25)
    return False


@pytest.fixture(scope="session")
def server():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    port = free_port()
    proc = start_server(port)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 950})
    pg = ctx.new_page()
    pg.external_requests = []
    pg.on("request", lambda r: r.url.startswith(("http://", "https://")) and
          not r.url.startswith("http://127.0.0.1") and pg.external_requests.append(r.url))
    yield pg
    ctx.close()

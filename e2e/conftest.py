"""Browser scenarios: a real Guanxi server (the debug build) and Debian's chromium through Playwright."""
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest
from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHOTS = ROOT / "e2e" / "screenshots"


def chromium_path():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("chromium not found: run scripts/install-test-deps.sh")


@pytest.fixture(scope="session")
def shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def start_server(port, demo=False):
    data = pathlib.Path(tempfile.mkdtemp()) / "data"
    args = [str(ROOT / "scripts" / "serve-test-instance.sh"), str(port), str(data)] + (["demo"] if demo else [])
    pid = int(subprocess.check_output(args, text=True).strip())
    return pid, f"http://127.0.0.1:{port}", data


def stop_server(pid, data, name):
    """Stops the server and keeps its log beside the screenshots: a 500 in a scenario is explained there."""
    os.kill(pid, 15)
    log = data / "server.log"
    if log.exists():
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(log, SHOTS / f"server-{name}.log")


@pytest.fixture(scope="session")
def fresh_server():
    """An empty installation: the first visit shows the set-up page."""
    pid, url, data = start_server(int(os.environ.get("GUANXI_E2E_PORT", "18180")))
    yield url
    stop_server(pid, data, "fresh")


@pytest.fixture(scope="session")
def demo_server():
    """An installation filled by `guanxi demo`."""
    pid, url, data = start_server(int(os.environ.get("GUANXI_E2E_DEMO_PORT", "18182")), demo=True)
    yield url
    stop_server(pid, data, "demo")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()

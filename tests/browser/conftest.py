"""Real Chromium (Debian's) against the real app served by uvicorn on a free local port.

The app runs in a background thread of the test process over the ``db``/``settings`` fixtures, so
these tests run on SQLite and on PostgreSQL like the others.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from vsscare.app import create_app
from vsscare.core.config import Settings
from vsscare.core.db import Database

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        # `make test` installs it; a silent skip would hide the whole UI from the suite.
        pytest.fail("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(settings: Settings, db: Database) -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, db),
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def page(browser, live_server: str):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(5000)
    yield page
    context.close()

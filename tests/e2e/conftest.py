"""The real server on a free port, for a real browser: the app on a fresh SQLite database, office.js
served by the server from the npm package @microsoft/office-js instead of Microsoft's CDN. In local
mode (``server_url``), or in Entra ID mode with the fake Microsoft of the sign-in tests behind it
(``entra_server``). Headless Chromium opens the pane (``open_page``)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from flask import Flask
from werkzeug.serving import make_server

from freelance.web import create_app
from freelance.web.services import services
from tests.identity.conftest import ENTRA_CONFIG, FakeMicrosoft

ROOT = Path(__file__).resolve().parents[2]
OFFICE_JS = ROOT / "node_modules" / "@microsoft" / "office-js" / "dist"
OFFICE_JS_URL = "/vendor/office-js/office.js"
OFFICE_FAKES = ROOT / "addin" / "tests" / "office-fakes.mjs"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"

# In CI (CI=true) these never skip: a missing browser, Playwright or office.js fails the run instead.
_ABSENT_LOCALLY = not os.environ.get("CI")
try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:
    if not _ABSENT_LOCALLY:
        raise
    expect = sync_playwright = None

REQUIRES_BROWSER = [
    pytest.mark.skipif(
        _ABSENT_LOCALLY and sync_playwright is None,
        reason="Playwright for Python is not installed: pip install -r requirements-dev.txt",
    ),
    pytest.mark.skipif(
        _ABSENT_LOCALLY and not os.access(CHROMIUM, os.X_OK),
        reason=f"Chromium is not installed at {CHROMIUM}: apt-get install -y chromium",
    ),
    pytest.mark.skipif(
        _ABSENT_LOCALLY and not (OFFICE_JS / "office.js").exists(), reason="office.js from npm is missing: npm ci"
    ),
]
"""The ``pytestmark`` of every module that opens the pane in Chromium."""


@contextmanager
def _served(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 (threaded, as a browser opens several connections); yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="pane-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        services(app).store.engine.dispose()


@pytest.fixture(scope="module")
def server_url(tmp_path_factory) -> Iterator[str]:
    """The base URL of the running server in local mode (module-wide; tests seed what they need)."""
    database = tmp_path_factory.mktemp("pane") / "pane.db"
    with _served(create_app({"DATABASE_URL": f"sqlite:///{database}", "OFFICE_JS_URL": OFFICE_JS_URL})) as url:
        yield url


@dataclass
class EntraServer:
    """The server in Entra ID mode at ``url``, with ``microsoft`` (the fake Entra ID and Graph) behind it."""

    url: str
    microsoft: FakeMicrosoft


@pytest.fixture(scope="module")
def entra_server(tmp_path_factory) -> Iterator[EntraServer]:
    """The real server in Entra ID mode (Contoso and Fabrikam admitted), talking to the fake Microsoft
    of tests/identity at the HTTP boundary; the module fails if the app sent Microsoft anything it had to refuse."""
    microsoft = FakeMicrosoft()
    database = tmp_path_factory.mktemp("pane-entra") / "pane.db"
    with httpx.Client(transport=httpx.MockTransport(microsoft)) as http:
        app = create_app(
            {"DATABASE_URL": f"sqlite:///{database}", "OFFICE_JS_URL": OFFICE_JS_URL, **ENTRA_CONFIG}, http=http
        )
        with _served(app) as url:
            yield EntraServer(url, microsoft)
    assert microsoft.complaints == []


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """test-artifacts/ (gitignored): screenshots of the pane for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser):
    """``open_page(url, width=)`` opens the pane at ``url`` (360 px wide) and returns the page once the pane
    is ready; ``office_js=`` serves a stand-in for office.js (a fake host), ``block_office_js=`` none at all,
    ``before(page)`` runs before the pane loads (e.g. to expose a function to the stand-in).

    Whatever the page logs as an error (a script error, a CSP violation, a failed request) fails the
    test, unless it contains one of ``allowed`` (e.g. the 400 of a validation error the test provokes).
    """
    context = browser.new_context(viewport={"width": 360, "height": 900}, accept_downloads=True)
    problems: list[str] = []

    def open_pane(
        url: str,
        width: int = 360,
        block_office_js: bool = False,
        allowed: tuple[str, ...] = (),
        office_js: str | None = None,
        before=None,
    ):
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"console: {message.text}")
                if message.type == "error"
                and not any(text in message.text for text in allowed)
                and not _office_js_telemetry(message)
                else None
            ),
        )
        if block_office_js:
            page.route("**/vendor/office-js/office.js", lambda route: route.abort("internetdisconnected"))
        if office_js is not None:
            page.route(
                "**/vendor/office-js/office.js",
                lambda route: route.fulfill(body=office_js, content_type="text/javascript"),
            )
            # The stand-ins import the pane's documented fakes of Word, Excel and Office (not served by the app).
            page.route(
                "**/e2e/office-fakes.mjs",
                lambda route: route.fulfill(path=OFFICE_FAKES, content_type="text/javascript"),
            )
        if before is not None:
            before(page)
        page.goto(url)
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        return page

    yield open_pane
    context.close()
    assert problems == []


def _office_js_telemetry(message) -> bool:
    # Outside Office, office.js frames Microsoft's telemetry proxy in a hidden iframe (style="display:none")
    # a few seconds after loading; the pane's CSP blocks both, which is as it should be.
    return "/vendor/office-js/" in message.location.get("url", "") and (
        "Applying inline style" in message.text or "telemetryservice.firstpartyapps.oaspapps.com" in message.text
    )

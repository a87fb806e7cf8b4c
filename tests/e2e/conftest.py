"""The real server on a free port, for a real browser: the app on a fresh SQLite database, office.js
served by the server from the npm package @microsoft/office-js instead of Microsoft's CDN."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from freelance.web import create_app

ROOT = Path(__file__).resolve().parents[2]
OFFICE_JS = ROOT / "node_modules" / "@microsoft" / "office-js" / "dist"
OFFICE_JS_URL = "/vendor/office-js/office.js"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    """The base URL of the running server (module-wide; tests seed what they need)."""
    database = tmp_path_factory.mktemp("pane") / "pane.db"
    app = create_app({"DATABASE_URL": f"sqlite:///{database}", "OFFICE_JS_URL": OFFICE_JS_URL})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="pane-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    app.extensions["store"].engine.dispose()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """test-artifacts/ (gitignored): screenshots of the pane for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

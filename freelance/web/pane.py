"""The add-in's own files: the task pane, its scripts and icons, and the manifest for this server."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, redirect, render_template_string, send_from_directory

from ..manifest import render as manifest_for
from .config import Settings
from .services import services

bp = Blueprint("pane", __name__)
_ICON_CACHE_SECONDS = 7 * 24 * 3600


@lru_cache(maxsize=4)
def _read(path: Path) -> str:
    return path.read_text("utf-8")


def _settings() -> Settings:
    return services().settings


@bp.get("/")
def home():
    return redirect("/taskpane.html")


@bp.get("/taskpane.html")
def taskpane():
    """The task pane: one page, a view per ribbon button (``?view=sow``); office.js from the configured URL."""
    settings = _settings()
    return render_template_string(_read(settings.ADDIN_DIR / "taskpane.html"), office_js_url=settings.OFFICE_JS_URL)


@bp.get("/sign-in.html")
def sign_in():
    """The sign-in dialog's page, where Office's single sign-on is not available: MSAL.js signs the
    user in (auth code flow with PKCE). Its address is the app registration's SPA redirect URI."""
    return render_template_string(
        _read(_settings().ADDIN_DIR / "sign-in.html"), office_js_url=_settings().OFFICE_JS_URL
    )


@bp.get("/addin/<path:filename>")
def addin_file(filename: str):
    """A script, style sheet or icon of the pane; icons may be cached for a week. The pane's own
    tests are not served."""
    if filename.startswith("tests/"):
        abort(404)
    max_age = _ICON_CACHE_SECONDS if filename.startswith("icons/") else 0
    return send_from_directory(_settings().ADDIN_DIR, filename, max_age=max_age)


@bp.get("/vendor/office-js/<path:filename>")
def office_js(filename: str):
    """office.js from the npm package ``@microsoft/office-js``, for tests and offline development
    (set OFFICE_JS_URL=/vendor/office-js/office.js); production uses Microsoft's CDN."""
    return send_from_directory(_node_modules() / "@microsoft" / "office-js" / "dist", filename)


@bp.get("/vendor/msal-browser.min.js")
def msal_js():
    """MSAL.js for the sign-in dialog, from the npm package ``@azure/msal-browser`` (a dependency
    of the pane, installed by ``npm ci``): its CDN is gone since version 3 (the package's README)."""
    return send_from_directory(_node_modules() / "@azure" / "msal-browser" / "lib", "msal-browser.min.js")


def _node_modules() -> Path:
    return _settings().ADDIN_DIR.parent / "node_modules"


@lru_cache(maxsize=4)
def _manifest(settings) -> bytes:
    return manifest_for(settings.MANIFEST.read_bytes(), settings.PUBLIC_URL, settings.identity)


@bp.get("/manifest.xml")
def manifest():
    """The manifest for this server: its PUBLIC_URL, and sign-in when on (see freelance/manifest.py)."""
    return Response(
        _manifest(_settings()),
        mimetype="application/xml",
        headers={"Content-Disposition": "attachment; filename=manifest.xml"},
    )

"""The add-in's own files: the task pane, its scripts and icons, and the manifest for this server."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, render_template_string, send_from_directory
from lxml import etree

bp = Blueprint("pane", __name__)
_CHECKED_IN_ORIGIN = "https://localhost:3000"
_ICON_CACHE_SECONDS = 7 * 24 * 3600
_OV = "http://schemas.microsoft.com/office/taskpaneappversionoverrides"
_SSO_SCOPES = ("openid", "profile", "Files.ReadWrite")


@lru_cache(maxsize=4)
def _read(path: Path) -> str:
    return path.read_text("utf-8")


def _settings():
    return current_app.config["SETTINGS"]


@bp.get("/")
def home():
    return redirect("/taskpane.html")


@bp.get("/taskpane.html")
def taskpane():
    """The task pane: one page, a view per ribbon button (``?view=sow``); office.js from the configured URL."""
    settings = _settings()
    return render_template_string(_read(settings.ADDIN_DIR / "taskpane.html"), office_js_url=settings.OFFICE_JS_URL)


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
    return send_from_directory(_settings().ADDIN_DIR.parent / "node_modules" / "@microsoft" / "office-js" / "dist", filename)


@bp.get("/manifest.xml")
def manifest():
    """The manifest for this server: see ``rendered_manifest``."""
    return Response(rendered_manifest(_settings()), mimetype="application/xml",
                    headers={"Content-Disposition": "attachment; filename=manifest.xml"})


@lru_cache(maxsize=4)
def rendered_manifest(settings) -> bytes:
    """The checked-in manifest with every https://localhost:3000 address turned into PUBLIC_URL and,
    when sign-in is on, the WebApplicationInfo Office needs for single sign-on."""
    xml = _read(settings.MANIFEST).replace(_CHECKED_IN_ORIGIN, settings.PUBLIC_URL.rstrip("/")).encode("utf-8")
    identity = settings.identity
    if identity is None:
        return xml
    root = etree.fromstring(xml)
    info = etree.SubElement(root.find(f"{{{_OV}}}VersionOverrides"), f"{{{_OV}}}WebApplicationInfo")
    etree.SubElement(info, f"{{{_OV}}}Id").text = identity.client_id
    etree.SubElement(info, f"{{{_OV}}}Resource").text = identity.api_uri
    scopes = etree.SubElement(info, f"{{{_OV}}}Scopes")
    for scope in _SSO_SCOPES:
        etree.SubElement(scopes, f"{{{_OV}}}Scope").text = scope
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

"""The add-in manifest for one server: the checked-in manifest.xml with its addresses and sign-in filled in."""

from __future__ import annotations

from lxml import etree

from .documents.ooxml import attributes, parse
from .identity import EntraSettings

CHECKED_IN_ORIGIN = "https://localhost:3000"
_OV = "http://schemas.microsoft.com/office/taskpaneappversionoverrides"
_SSO_SCOPES = ("openid", "profile", "Files.ReadWrite")


def render(manifest: bytes, public_url: str, identity: EntraSettings | None) -> bytes:
    """Return ``manifest`` with every https://localhost:3000 address moved to ``public_url`` and, when
    sign-in is on, the WebApplicationInfo Office needs for single sign-on. Raises ValueError when sign-in
    is on and ``manifest`` has no VersionOverrides to put it in."""
    root = parse(manifest)
    origin = public_url.rstrip("/")
    for element in root.iter(etree.Element):
        for name, value in attributes(element):
            if value.startswith(CHECKED_IN_ORIGIN):
                element.set(name, origin + value.removeprefix(CHECKED_IN_ORIGIN))
        if element.text and element.text.startswith(CHECKED_IN_ORIGIN):
            element.text = origin + element.text.removeprefix(CHECKED_IN_ORIGIN)
    if identity is not None:
        overrides = root.find(f"{{{_OV}}}VersionOverrides")
        if overrides is None:
            raise ValueError("the manifest has no VersionOverrides to hold the sign-in (WebApplicationInfo)")
        info = etree.SubElement(overrides, f"{{{_OV}}}WebApplicationInfo")
        etree.SubElement(info, f"{{{_OV}}}Id").text = identity.client_id
        etree.SubElement(info, f"{{{_OV}}}Resource").text = identity.api_uri
        scopes = etree.SubElement(info, f"{{{_OV}}}Scopes")
        for scope in _SSO_SCOPES:
            etree.SubElement(scopes, f"{{{_OV}}}Scope").text = scope
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

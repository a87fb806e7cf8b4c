"""The OOXML namespaces and the one XML parser configuration every part is read with.

Parts are parsed without resolving entities, loading DTDs or touching the network, so a hostile
template cannot expand entities (XXE, billion laughs) or reach out.
"""

from __future__ import annotations

from typing import Any, cast

from lxml import etree

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
    "xml": "http://www.w3.org/XML/1998/namespace",
}
"""Each prefix the engine uses and its namespace (``m`` is SpreadsheetML's main namespace)."""


def qn(tag: str) -> str:
    """Return a prefixed name as lxml's Clark notation: ``qn("w:p")`` is ``{http://...}p``."""
    prefix, local = tag.split(":")
    return f"{{{NS[prefix]}}}{local}"


PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
"""The parser for every template part (and the add-in manifest): no entities, no DTD, no network."""
SAFE_PARSING: dict[str, Any] = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}
"""PARSER's settings, for a part parsed as it streams: ``etree.iterparse(stream, **SAFE_PARSING)``."""


def parse(xml: bytes) -> etree._Element:
    """Return the root element of ``xml``; raise etree.XMLSyntaxError when it is not well-formed."""
    return etree.fromstring(xml, PARSER)


def parse_part(xml: bytes) -> etree._Element:
    """Return the root of an uploaded part; raise ValueError, saying why, for malformed XML or a DTD."""
    try:
        root = parse(xml)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"the part is not well-formed XML: {exc}") from exc
    if root.getroottree().docinfo.doctype:  # type: ignore[attr-defined]  # lxml-stubs lack DocInfo.doctype
        raise ValueError("declares a DTD or entities, which templates may not")
    return root


def attributes(element: etree._Element) -> list[tuple[str, str]]:
    """Return the (name, value) pairs of ``element``'s attributes, in document order."""
    # lxml gives text; lxml-stubs also allow bytes.
    return cast("list[tuple[str, str]]", element.items())

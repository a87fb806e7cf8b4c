"""A workbook written as Excel writes one: its text in the shared-strings table, each font's properties
in the order the schema sets (ECMA-376 CT_Font).

openpyxl writes every string inline (``<c t="inlineStr">``), which Excel moves into a shared-strings
table the first time it saves the file, and a font's name before its boldness, which a validator
of the schema refuses. ``tidied`` rewrites only those parts; the cells' values are unchanged.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from .ooxml import NS, parse, qn
from .ziparchive import Member, pack

_FONT_ORDER = [
    qn(f"m:{name}")
    for name in (
        "b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color", "name",
        "family", "charset", "scheme",
    )
]  # fmt: skip
_STRINGS_PART = "xl/sharedStrings.xml"
_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_STRINGS_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"


def tidied(xlsx: bytes) -> bytes:
    """Return the workbook ``xlsx`` (one this service wrote) with its inline strings shared and its fonts'
    properties in schema order; the same workbook when it has neither to change."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    strings: dict[bytes, int] = {}
    table = etree.Element(qn("m:sst"), nsmap={None: NS["m"]})  # type: ignore[dict-item]  # the default namespace
    for name in [n for n in parts if n.startswith("xl/worksheets/sheet") and n.endswith(".xml")]:
        parts[name] = _shared(parts[name], strings, table)
    if "xl/styles.xml" in parts:
        parts["xl/styles.xml"] = _fonts_in_order(parts["xl/styles.xml"])
    if strings and _STRINGS_PART not in parts:
        table.set("count", str(len(table)))
        table.set("uniqueCount", str(len(table)))
        parts[_STRINGS_PART] = _xml(table)
        parts["xl/_rels/workbook.xml.rels"] = _with_strings_relationship(parts["xl/_rels/workbook.xml.rels"])
        parts["[Content_Types].xml"] = _with_strings_type(parts["[Content_Types].xml"])
    return pack([Member.of(name, content) for name, content in parts.items()])


def _shared(sheet_xml: bytes, strings: dict[bytes, int], table: etree._Element) -> bytes:
    """The sheet with each inline string replaced by its index in ``table`` (added there once)."""
    root = parse(sheet_xml)
    cells = root.findall(".//m:c[@t='inlineStr']", NS)
    if not cells:
        return sheet_xml
    for cell in cells:
        inline = cell.find("m:is", NS)
        item = etree.Element(qn("m:si"))
        item.extend(list(inline) if inline is not None else [])
        key = etree.tostring(item)
        if key not in strings:
            strings[key] = len(table)
            table.append(item)
        if inline is not None:
            cell.remove(inline)
        cell.set("t", "s")
        etree.SubElement(cell, qn("m:v")).text = str(strings[key])
    return _xml(root)


def _fonts_in_order(styles_xml: bytes) -> bytes:
    root = parse(styles_xml)
    for font in root.iterfind(".//m:fonts/m:font", NS):
        font[:] = sorted(font, key=lambda child: _FONT_ORDER.index(child.tag) if child.tag in _FONT_ORDER else 99)
    return _xml(root)


def _with_strings_relationship(rels_xml: bytes) -> bytes:
    root = parse(rels_xml)
    taken = {relationship.get("Id") for relationship in root}
    number = next(n for n in range(1, len(taken) + 2) if f"rId{n}" not in taken)
    etree.SubElement(
        root, qn("p:Relationship"), Id=f"rId{number}", Type=_STRINGS_RELATIONSHIP, Target="sharedStrings.xml"
    )
    return _xml(root)


def _with_strings_type(types_xml: bytes) -> bytes:
    root = parse(types_xml)
    etree.SubElement(root, f"{{{_CONTENT_TYPES}}}Override", PartName=f"/{_STRINGS_PART}", ContentType=_STRINGS_TYPE)
    return _xml(root)


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

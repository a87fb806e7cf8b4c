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
    had_table = _STRINGS_PART in parts
    table = _SharedStrings(parse(parts[_STRINGS_PART]) if had_table else None)
    for name in [n for n in parts if n.startswith("xl/worksheets/sheet") and n.endswith(".xml")]:
        parts[name] = _shared(parts[name], table)
    if "xl/styles.xml" in parts:
        parts["xl/styles.xml"] = _fonts_in_order(parts["xl/styles.xml"])
    if table.added:
        parts[_STRINGS_PART] = table.xml()
        if not had_table:
            parts["xl/_rels/workbook.xml.rels"] = _with_strings_relationship(parts["xl/_rels/workbook.xml.rels"])
            parts["[Content_Types].xml"] = _with_strings_type(parts["[Content_Types].xml"])
    return pack([Member.of(name, content) for name, content in parts.items()])


class _SharedStrings:
    """The shared-strings table: a workbook's own (Excel wrote it: its strings keep their indexes) or a new one,
    each string added once, after those it had."""

    def __init__(self, root: etree._Element | None):
        self.root = root if root is not None else etree.Element(qn("m:sst"), nsmap={None: NS["m"]})  # type: ignore[dict-item]  # the default namespace
        items = self.root.findall("m:si", NS)
        self.index = {etree.tostring(item): i for i, item in reversed(list(enumerate(items)))}
        self.size, self.added, self.uses = len(items), 0, int(self.root.get("count") or len(items))

    def of(self, item: etree._Element) -> int:
        """Return the index of the string ``item`` (an ``<si>``), added to the table if it is new."""
        key = etree.tostring(item)
        if key not in self.index:
            self.index[key] = self.size
            self.root.append(item)
            self.size, self.added = self.size + 1, self.added + 1
        self.uses += 1
        return self.index[key]

    def xml(self) -> bytes:
        self.root.set("count", str(self.uses))
        self.root.set("uniqueCount", str(self.size))
        return _xml(self.root)


def _shared(sheet_xml: bytes, table: _SharedStrings) -> bytes:
    """The sheet with each inline string replaced by its index in ``table``."""
    root = parse(sheet_xml)
    cells = root.findall(".//m:c[@t='inlineStr']", NS)
    if not cells:
        return sheet_xml
    for cell in cells:
        inline = cell.find("m:is", NS)
        item = etree.Element(qn("m:si"))
        item.extend(list(inline) if inline is not None else [])
        if inline is not None:
            cell.remove(inline)
        cell.set("t", "s")
        etree.SubElement(cell, qn("m:v")).text = str(table.of(item))
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

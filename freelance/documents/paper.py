"""A shipped template set to print on a paper: US Letter or A4.

The Word templates' sections get the paper's size (margins stay); the workbook's sheets get its paper
code, the same print layout otherwise. Done once per template file when the catalog loads.
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from ..locales import Paper
from .ooxml import parse, qn

_TWIPS = {"letter": (12240, 15840), "a4": (11906, 16838)}
"""Width and height in twentieths of a point, portrait."""
_SHEET_CODE = {"letter": "1", "a4": "9"}
"""SpreadsheetML's paperSize codes."""
_WORKSHEET = re.compile(r"xl/worksheets/sheet\d+\.xml")


def on_paper(template: bytes, paper: Paper) -> bytes:
    """Return the .docx or .xlsx ``template`` set to print on ``paper`` (the same bytes when it does)."""
    output, changed = io.BytesIO(), False
    with zipfile.ZipFile(io.BytesIO(template)) as source, zipfile.ZipFile(output, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "word/document.xml":
                data, changes = _word_paper(data, paper)
            elif _WORKSHEET.fullmatch(member.filename):
                data, changes = _sheet_paper(data, paper)
            else:
                changes = False
            changed |= changes
            target.writestr(member, data)
    return output.getvalue() if changed else template


def _word_paper(xml: bytes, paper: Paper) -> tuple[bytes, bool]:
    root = parse(xml)
    width, height = _TWIPS[paper]
    changed = False
    for size in root.iter(qn("w:pgSz")):
        landscape = size.get(qn("w:orient")) == "landscape"
        wanted = {qn("w:w"): str(height if landscape else width), qn("w:h"): str(width if landscape else height)}
        for name, value in wanted.items():
            changed |= size.get(name) != value
            size.set(name, value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), changed


def _sheet_paper(xml: bytes, paper: Paper) -> tuple[bytes, bool]:
    root = parse(xml)
    changed = False
    for setup in root.iter(qn("m:pageSetup")):
        changed |= setup.get("paperSize", "1") != _SHEET_CODE[paper]  # 1 (Letter) when absent
        setup.set("paperSize", _SHEET_CODE[paper])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), changed

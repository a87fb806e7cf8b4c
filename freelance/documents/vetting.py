"""Vetting an uploaded Word template before it is compiled: every problem at once, in the author's terms.

A template is refused when it carries what a contract must not: macros (.docm, vbaProject),
ActiveX controls, a DTD or entities in any part, external relationships other than hyperlinks (an
attached template, linked pictures, linked OLE objects), or fields that fetch content when the
document opens (INCLUDEPICTURE, INCLUDETEXT, LINK, DDE). Then every tag of every part (body,
headers, footers, footnotes, endnotes, comments, document properties) is read by
``expressions.analyse``. Each problem says where it is as the author sees the document: "body,
paragraph 12 ('The fee is {{ fee.amout }}')", "table 2, row 3", "footer", "document properties (Title)".
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree

from .expressions import Tag, TagProblem, Use, analyse
from .instructions import TAG
from .instructions import code as plain
from .ooxml import parse_part, qn
from .package import TEMPLATE_LIMITS, read_member
from .ziparchive import UnsafeZip, open_checked

_P, _T, _TBL, _TR, _TC, _INSTR = (qn(f"w:{name}") for name in ("p", "t", "tbl", "tr", "tc", "instrText"))
_FLD_SIMPLE, _INSTR_ATTR = qn("w:fldSimple"), qn("w:instr")
_FLD_CHAR, _FLD_CHAR_TYPE = qn("w:fldChar"), qn("w:fldCharType")
_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml")
_PROPERTIES = re.compile(r"docProps/(core|app|custom)\.xml")
_PART_NAMES = {"document": "body", "footnotes": "footnotes", "endnotes": "endnotes", "comments": "comments"}
_FETCHING_FIELDS = {"INCLUDEPICTURE", "INCLUDETEXT", "LINK", "DDE", "DDEAUTO", "IMPORT", "INCLUDE"}
_MACROS = re.compile(r"(^|/)(vbaProject\.bin|vbaData\.xml)$", re.I)
_ACTIVEX = re.compile(r"(^|/)activeX/", re.I)
_EXTERNAL = {
    "attachedTemplate": "the document is attached to a template elsewhere (Developer > Document Template): detach it",
    "image": "a picture linked to a file rather than inserted (Insert > Pictures without Link to File)",
    "oleObject": "an object linked to another file (OLE link): insert it without linking",
    "subDocument": "a subdocument linked from another file",
    "frame": "a frame that loads another file",
}
_NOTES = {"footnotes": "footnote", "endnotes": "endnote", "comments": "comment"}
_TYPE = qn("w:type")
_MACRO_RELATIONSHIPS = {"vbaProject", "wordVbaData", "vbaProjectSignature", "vbaProjectSignatureAgile"}
_ACTIVEX_RELATIONSHIPS = {"control", "activeXControl", "activeXControlBinary"}
_FIELD_CODE = re.compile(r"\s*([A-Za-z]+)")
_DELETED = qn("w:delText")
_UNCLOSED = re.compile(r"\{\{|\{%|\{#")
_PROPERTY_NAMES = {"creator": "Author", "lastModifiedBy": "Last modified by", "keywords": "Tags"}


@dataclass(frozen=True)
class Found:
    """A problem of the package or a tag: where (in the author's terms), the tag if any, and why."""

    location: str
    message: str
    tag: str | None = None


_MACRO_PROBLEM = Found("file", "holds macros (VBA): save it as a .docx without macros")
_ACTIVEX_PROBLEM = Found("file", "holds ActiveX controls, which templates may not")


@dataclass
class Vetting:
    """What vetting a template found: the data its tags use, and the problems that refuse it."""

    uses: list[Use] = field(default_factory=list)
    problems: list[Found] = field(default_factory=list)


def vet(data: bytes) -> Vetting:
    """Return every use and every problem of the template file ``data`` (a .docx)."""
    vetting = Vetting()
    try:
        archive = open_checked(data, TEMPLATE_LIMITS)
    except UnsafeZip as exc:
        vetting.problems.append(Found("file", str(exc)))
        return vetting
    with archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        _vet_members(names, vetting)
        parts = {}
        for info in archive.infolist():
            if info.filename.endswith((".xml", ".rels")) and not info.is_dir():
                try:
                    parts[info.filename] = parse_part(read_member(archive, info))
                except (ValueError, zipfile.BadZipFile) as exc:
                    vetting.problems.append(Found(_label(info.filename), str(exc)))
    for name, root in parts.items():
        if root is None:
            continue
        if name == "[Content_Types].xml":
            _vet_content_types(root, vetting)
        elif name.endswith(".rels"):
            _vet_relationships(name, root, vetting)
        elif _PARTS.fullmatch(name):
            _vet_word_part(name, root, vetting)
        elif _PROPERTIES.fullmatch(name):
            _analyse(_property_tags(name, root), vetting)
    if "word/document.xml" not in names:
        vetting.problems.append(Found("file", "is not a Word document (it has no word/document.xml)"))
    vetting.problems = list(dict.fromkeys(vetting.problems))  # a macro found by name, type and link is one problem
    return vetting


def _label(name: str) -> str:
    if match := _PARTS.fullmatch(name):
        stem = match.group(1)
        if stem in _PART_NAMES:
            return _PART_NAMES[stem]
        kind, number = stem.rstrip("0123456789"), stem[len(stem.rstrip("0123456789")) :]
        return f"{kind} {number}" if number and number != "1" else kind
    if _PROPERTIES.fullmatch(name):
        return "document properties"
    return f"part {name}"


def _vet_members(names: list[str], vetting: Vetting) -> None:
    if any(_MACROS.search(name) for name in names):
        vetting.problems.append(_MACRO_PROBLEM)
    if any(_ACTIVEX.search(name) for name in names):
        vetting.problems.append(_ACTIVEX_PROBLEM)


def _vet_content_types(root: etree._Element, vetting: Vetting) -> None:
    for element in root:
        content_type = element.get("ContentType", "")
        if "macroEnabled" in content_type:
            vetting.problems.append(Found("file", "is macro-enabled (.docm or .dotm): save it as a .docx"))
        elif "vbaProject" in content_type or "vbaData" in content_type:
            vetting.problems.append(_MACRO_PROBLEM)
        elif "activeX" in content_type.lower():
            vetting.problems.append(_ACTIVEX_PROBLEM)


def _vet_relationships(name: str, root: etree._Element, vetting: Vetting) -> None:
    source = name.replace("_rels/", "").removesuffix(".rels")
    for relationship in root:
        kind = relationship.get("Type", "").rsplit("/", 1)[-1]
        if kind in _MACRO_RELATIONSHIPS:
            vetting.problems.append(_MACRO_PROBLEM)
        elif kind in _ACTIVEX_RELATIONSHIPS:
            vetting.problems.append(_ACTIVEX_PROBLEM)
        if relationship.get("TargetMode") != "External" or kind == "hyperlink":
            continue
        reason = _EXTERNAL.get(kind, f"an external link of type {kind}")
        target = relationship.get("Target", "")[:80]
        vetting.problems.append(Found(_label(source), f"{reason} ({target}): templates may not fetch anything"))


def _vet_word_part(name: str, root: etree._Element, vetting: Vetting) -> None:
    tags: list[Tag] = []
    paragraphs: Counter[str] = Counter()
    tables: Counter[str] = Counter()
    table_rows: dict[etree._Element, int] = {}
    row_numbers: dict[etree._Element | None, int] = {}
    notes: dict[etree._Element, str] = {}
    placed = [(paragraph, _place(name, paragraph, notes), _outermost(paragraph, _TBL)) for paragraph in root.iter(_P)]
    # A part of one paragraph (a footer) is named alone; in a longer one each paragraph has its number.
    totals = Counter(part for _, part, table in placed if table is None)
    for paragraph, part, table in placed:
        if table is None:
            paragraphs[part] += 1
            many = part == "body" or totals[part] > 1
            where = f"{part}, paragraph {paragraphs[part]}" if many else part
        else:
            if table not in table_rows:
                tables[part] += 1
                table_rows[table] = tables[part]
                rows = [r for r in table.iter(_TR) if _outermost(r, _TBL) is table]
                row_numbers.update((row, number) for number, row in enumerate(rows, 1))
            row = _outermost(paragraph, _TR)
            where = f"{part + ', ' if part != 'body' else ''}table {table_rows[table]}, row {row_numbers.get(row, 1)}"
        text = "".join(t.text or "" for t in paragraph.iter(_T) if next(t.iterancestors(_P)) is paragraph)
        quoted = text.strip()
        location = f"{where} ('{quoted[:60]}{'…' if len(quoted) > 60 else ''}')" if quoted else where
        tags += [Tag(plain(match.group(0)), location) for match in TAG.finditer(text)]
        if _UNCLOSED.search(TAG.sub("", text)):
            vetting.problems.append(Found(location, "a tag opens here but does not close in this paragraph"))
        for instruction in _field_codes(paragraph):
            code = match.group(1).upper() if (match := _FIELD_CODE.match(instruction)) else ""
            if code in _FETCHING_FIELDS:
                vetting.problems.append(
                    Found(location, f"the field {code} fetches content from elsewhere when opened: remove it")
                )
    _vet_text_outside_paragraphs(name, root, vetting)
    _analyse(tags, vetting)


def _vet_text_outside_paragraphs(name: str, root: etree._Element, vetting: Vetting) -> None:
    """Refuse tags anywhere but a paragraph's text: in a field code, an equation or loose text they would
    run unseen (and could build a field that fetches)."""
    for element in root.iter(etree.Element):
        text = element.text or ""
        if element.tag == _DELETED or not (TAG.search(text) or _UNCLOSED.search(text)):
            continue
        if element.tag != _T or next(element.iterancestors(_P), None) is None:
            where = _label(name) + (" (a field code)" if element.tag == _INSTR else "")
            vetting.problems.append(
                Found(where, "tags go in the document's text, not in field codes, equations or other markup", text[:80])
            )


def _place(name: str, paragraph: etree._Element, notes: dict[etree._Element, str]) -> str:
    """The part ``paragraph`` is in, as its author names it: body, header, footnote 2, comment 1 ..."""
    part = _label(name)
    if note_kind := _NOTES.get(part):
        # Each footnote, endnote or comment on its own, numbered as Word shows them (separators aside).
        note = next(paragraph.iterancestors(qn(f"w:{note_kind}")), None)
        if note is not None and note.get(_TYPE) in (None, "normal"):
            part = notes.setdefault(note, f"{note_kind} {len(notes) + 1}")
    return part


def _outermost(element: etree._Element, tag: str) -> etree._Element | None:
    found = None
    for ancestor in element.iterancestors(tag):
        found = ancestor
    return found


def _field_codes(paragraph: etree._Element) -> list[str]:
    """Return the instruction of each field of ``paragraph``: simple fields, then complex ones, each
    on its own (a PAGE field before an INCLUDETEXT, or an INCLUDEPICTURE nested in an IF)."""
    codes = [simple.get(_INSTR_ATTR, "") for simple in paragraph.iter(_FLD_SIMPLE)]
    # The bottom of the stack gathers instruction text of a field begun in an earlier paragraph.
    fields: list[list[str]] = [[]]
    for node in paragraph.iter(_FLD_CHAR, _INSTR):
        if node.tag == _INSTR:
            fields[-1].append(node.text or "")
        elif node.get(_FLD_CHAR_TYPE) == "begin":
            fields.append([])
        elif node.get(_FLD_CHAR_TYPE) == "end" and len(fields) > 1:
            codes.append("".join(fields.pop()))
    codes += ["".join(instruction) for instruction in fields]
    return [code for code in codes if code.strip()]


def _property_tags(name: str, root: etree._Element) -> list[Tag]:
    tags = []
    for element in root.iter(etree.Element):
        if element.text and TAG.search(element.text):
            local = etree.QName(element).localname
            parent = element.getparent()
            label = parent.get("name") if parent is not None and local in ("lpwstr", "lpstr") else None
            title = label or _PROPERTY_NAMES.get(local, local[:1].upper() + local[1:])
            tags += [Tag(plain(m.group(0)), f"document properties ({title})") for m in TAG.finditer(element.text)]
    return tags


def _analyse(tags: list[Tag], vetting: Vetting) -> None:
    if not tags:
        return
    analysis = analyse(tags)
    vetting.uses += analysis.uses
    vetting.problems += [_found(problem) for problem in analysis.problems]


def _found(problem: TagProblem) -> Found:
    return Found(problem.tag.location, problem.message, problem.tag.text)

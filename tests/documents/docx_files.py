"""Templates for the engine's tests, built with python-docx the way Word writes them, and ways to read what the engine renders."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

import docx
from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree


@dataclass(frozen=True)
class Bold:
    """A bold run, in a paragraph given as a sequence of runs."""

    text: str


class _ProofError:
    def __repr__(self) -> str:
        return "PROOF_ERROR"


PROOF_ERROR = _ProofError()
"""A spell-check mark (``<w:proofErr/>``) between two runs, as Word leaves around unknown words."""


@dataclass(frozen=True)
class Table:
    """A table, one string of cell text per cell."""

    rows: Sequence[Sequence[str]]


@dataclass(frozen=True)
class ContentControl:
    """A paragraph whose single run sits inside a content control (``w:sdt``) tagged ``tag``."""

    tag: str
    text: str


Run = str | Bold | _ProofError


Block = str | Sequence[Run] | Table | ContentControl


def make_docx(*body: Block, header: str | None = None, footer: str | None = None, title: str | None = None) -> bytes:
    """Return a .docx whose body holds ``body`` in order.

    A str is a paragraph of one run; a sequence is one paragraph of several runs (str, Bold or
    PROOF_ERROR); Table and ContentControl are what they say. ``header``, ``footer`` and ``title``
    (the document property) are written when given.
    """
    document = docx.Document()
    for block in body:
        if isinstance(block, Table):
            _add_table(document, block)
        elif isinstance(block, ContentControl):
            _add_content_control(document.add_paragraph(), block)
        else:
            _add_runs(document.add_paragraph(), [block] if isinstance(block, str) else block)
    section = document.sections[0]
    if header is not None:
        section.header.paragraphs[0].text = header
    if footer is not None:
        section.footer.paragraphs[0].text = footer
    if title is not None:
        document.core_properties.title = title
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _add_runs(paragraph: Paragraph, runs: Sequence[Run]) -> None:
    for run in runs:
        if run is PROOF_ERROR:
            mark = OxmlElement("w:proofErr")
            mark.set(qn("w:type"), "spellStart")
            paragraph._p.append(mark)
        elif isinstance(run, Bold):
            paragraph.add_run(run.text).bold = True
        else:
            paragraph.add_run(run)


def _add_table(document: Document, table: Table) -> None:
    added = document.add_table(rows=len(table.rows), cols=len(table.rows[0]))
    for row, texts in zip(added.rows, table.rows):
        for cell, text in zip(row.cells, texts):
            cell.text = text


def _add_content_control(paragraph: Paragraph, control: ContentControl) -> None:
    run = paragraph.add_run(control.text)._r
    sdt, properties, tag, content = (OxmlElement(f"w:{name}") for name in ("sdt", "sdtPr", "tag", "sdtContent"))
    tag.set(qn("w:val"), control.tag)
    properties.append(tag)
    sdt.append(properties)
    run.addprevious(sdt)
    content.append(run)
    sdt.append(content)


def zip_of(members: dict[str, bytes]) -> bytes:
    """Return a deflated ZIP holding ``members`` (name -> content), written by Python's zipfile."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def members_of(archive_bytes: bytes) -> dict[str, bytes]:
    """Return the decompressed members of a ZIP, in archive order."""
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def xml_part(document: bytes, name: str = "word/document.xml") -> etree._Element:
    """Return the root of part ``name``; lxml raises XMLSyntaxError if it is not well-formed."""
    return etree.fromstring(members_of(document)[name])

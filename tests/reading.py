"""Reading generated .docx files back, as a person (and the add-in) would see them."""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn


def open_document(content: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(content))


def paragraph_text(paragraph) -> str:
    """The text of a w:p element: every run's text, content controls included, w:br as a newline."""
    parts = []
    for node in paragraph.iter(qn("w:t"), qn("w:br"), qn("w:tab")):
        parts.append(node.text or "" if node.tag == qn("w:t") else "\n" if node.tag == qn("w:br") else "\t")
    return "".join(parts)


def text_of(content: bytes) -> str:
    """All the body's text, paragraphs (in tables too) one per line, in document order."""
    body = open_document(content).element.body
    return "\n".join(paragraph_text(p) for p in body.iter(qn("w:p")))


def content_controls(content: bytes) -> dict[str, list[str]]:
    """Each content control's tag and the texts of the controls carrying it, in document order."""
    controls: dict[str, list[str]] = {}
    for sdt in open_document(content).element.body.iter(qn("w:sdt")):
        tag = sdt.find(f"{qn('w:sdtPr')}/{qn('w:tag')}")
        if tag is not None:
            controls.setdefault(tag.get(qn("w:val")), []).append(paragraph_text(sdt))
    return controls

"""docxtpl's own test templates, rendered by the engine and read back paragraph by paragraph.

Each case in ``../shared/peer-templates/docxtpl`` holds a template, the context docxtpl's test renders
it with, and the text docxtpl 0.20.2 produces (or the error it must raise). A case that differs on
purpose would be marked ``xfail(strict=True)`` with the reason; today none does (no case relies on
docxtpl printing nothing for a missing variable, which is an error here).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from docx.oxml.ns import qn
from lxml import etree

from freelance.documents import CompiledTemplate, TemplateInvalid
from tests.documents.docx_files import members_of
from tests.reading import paragraph_text

PEERS = Path(__file__).resolve().parents[2].parent / "shared" / "peer-templates" / "docxtpl"

needs_peers = pytest.mark.skipif(
    not PEERS.is_dir() and not os.environ.get("CI"),
    reason=f"docxtpl's test templates are not beside the project ({PEERS})",
)
"""In CI the templates must be there: the tests fail rather than skip."""

DELIBERATE: dict[str, str] = {}
"""Cases the engine renders differently on purpose, and why."""


def _cases() -> list[str]:
    """The cases that expect text (not an error); a placeholder when the templates are absent."""
    if not PEERS.is_dir():
        return ["missing"]
    return sorted(path.stem for path in PEERS.glob("*.json") if "expected" in _case(path.stem))


def _case(name: str) -> dict:
    return json.loads((PEERS / f"{name}.json").read_text("utf-8"))


def paragraphs(rendered: bytes, part: str) -> list[str]:
    """The visible text of each paragraph of ``part``, in document order (tables and content controls too)."""
    return [paragraph_text(p) for p in etree.fromstring(members_of(rendered)[part]).iter(qn("w:p"))]


def _params() -> list:
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=DELIBERATE[name]))
        if name in DELIBERATE
        else name
        for name in _cases()
    ]


@needs_peers
@pytest.mark.parametrize("name", _params())
def test_a_docxtpl_template_renders_the_paragraphs_docxtpl_renders(name):
    case = _case(name)
    rendered = CompiledTemplate((PEERS / case["template"]).read_bytes()).render(case["context"])
    for part, expected in case["expected"].items():
        assert paragraphs(rendered, part) == expected, part


@needs_peers
def test_a_docxtpl_template_with_a_stray_endif_is_refused_naming_the_tag_and_its_paragraph():
    case = _case("template_error")
    assert case["expected_error"] == "TemplateSyntaxError"
    with pytest.raises(TemplateInvalid) as refusal:
        CompiledTemplate((PEERS / case["template"]).read_bytes())
    message = str(refusal.value)
    assert message.startswith("word/document.xml: Encountered unknown tag 'endif'")
    assert "'{% endif %}' in the paragraph 'I am the fifth paragraph." in message

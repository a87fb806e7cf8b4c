"""CompiledTemplate: .docx templates built with python-docx, rendered, and read back as Word would."""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import date
from decimal import Decimal
from functools import cache

import pytest
from docx.oxml.ns import qn
from jinja2.exceptions import SecurityError, UndefinedError

from freelance.documents import CompiledTemplate, RenderFailed, TemplateInvalid
from freelance.values import Money
from tests.documents.docx_files import PROOF_ERROR, Bold, ContentControl, Table, make_docx, members_of, xml_part, zip_of
from tests.reading import content_controls, paragraph_text

MiB = 1024 * 1024


# --- Tags ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("runs", "text"),
    [
        # Word's usual split: the opening braces, the name and the closing braces each in a run
        (("{{", " client.name", " }}"), "Contoso Ltd"),
        # a spell-check mark between the pieces
        (("{{", PROOF_ERROR, " client.name", PROOF_ERROR, " }}"), "Contoso Ltd"),
        # the middle piece formatted differently (bold)
        (("{{", Bold(" client.name"), " }}"), "Contoso Ltd"),
        # split inside the braces themselves, with text either side
        (("Dear {", "{ client.na", "me }", "},"), "Dear Contoso Ltd,"),
    ],
    ids=["three-runs", "proof-error-between", "bold-middle", "split-braces"],
)
def test_a_tag_word_split_across_runs_renders_its_value(runs, text, reopen, sow_data):
    rendered = CompiledTemplate(make_docx(runs)).render(sow_data)
    assert reopen(rendered).paragraphs[0].text == text


@pytest.mark.parametrize(
    "items",
    [
        [],  # no items: no paragraph and no stray text
        ["Logo redesign"],
        ["Logo redesign", "Colour palette", "Typography"],
    ],
    ids=["none", "one", "three"],
)
def test_a_p_for_loop_repeats_its_paragraph_once_per_item(items, reopen):
    template = make_docx("In scope:", "{%p for item in in_scope %}", "• {{ item }}", "{%p endfor %}", "End.")
    rendered = CompiledTemplate(template).render({"in_scope": items})
    expected = ["In scope:", *(f"• {item}" for item in items), "End."]
    assert [p.text for p in reopen(rendered).paragraphs] == expected
    assert "".join(xml_part(rendered).itertext()) == "".join(expected)  # nothing left anywhere else in the part


@pytest.mark.parametrize(
    ("po_number", "shown"),
    [
        ("PO-7781", True),
        ("", False),  # an empty string is false
        (None, False),  # so is a missing optional field
    ],
)
def test_a_p_if_removes_its_paragraph_when_false(po_number, shown, reopen):
    template = make_docx("Terms.", "{%p if po_number %}", "Purchase order: {{ po_number }}", "{%p endif %}", "End.")
    rendered = CompiledTemplate(template).render({"po_number": po_number})
    expected = ["Terms.", *([f"Purchase order: {po_number}"] if shown else []), "End."]
    assert [p.text for p in reopen(rendered).paragraphs] == expected
    assert "".join(xml_part(rendered).itertext()) == "".join(expected)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_tr_for_loop_gives_one_table_row_per_item_and_drops_the_control_rows(count, reopen, sow_data):
    template = make_docx(
        Table(
            [
                ["Deliverable", "Due"],
                ["{%tr for d in deliverables %}", ""],
                ["{{ d.name }}", "{{ d.due_date }}"],
                ["{%tr endfor %}", ""],
            ]
        )
    )
    deliverables = sow_data["deliverables"][:count]
    rendered = CompiledTemplate(template).render({"deliverables": deliverables})
    rows = [[cell.text for cell in row.cells] for row in reopen(rendered).tables[0].rows]
    assert rows == [["Deliverable", "Due"], *([d["name"], d["due_date"]] for d in deliverables)]


_NOT_ALONE = "tag must be alone in its paragraph"


@pytest.mark.parametrize(
    ("paragraph", "reason"),
    [
        # text after the tag, in the same run
        ("{%p if po_number %} (purchase order)", _NOT_ALONE),
        # text before the tag, in a run of its own
        (("Purchase order: ", "{%p if po_number %}"), _NOT_ALONE),
        # two block tags in one paragraph
        ("{%p if po_number %}{%p endif %}", _NOT_ALONE),
        # a row tag where there is no row
        ("{%tr for d in deliverables %}", "only allowed inside a table row"),
    ],
    ids=["text-after", "text-before", "two-tags", "tr-outside-table"],
)
def test_a_misplaced_block_tag_is_refused_at_compile_time_naming_the_part_and_why(paragraph, reason):
    template = make_docx("Terms.", paragraph)
    with pytest.raises(TemplateInvalid) as refusal:
        CompiledTemplate(template)
    assert str(refusal.value).startswith("word/document.xml")
    assert reason in str(refusal.value)


def test_headers_and_footers_are_rendered_too(reopen, sow_data):
    template = make_docx(
        "Body", header="{{ sow_number }} · {{ client.name }}", footer="Page footer: {{ client.email }}"
    )
    section = reopen(CompiledTemplate(template).render(sow_data)).sections[0]
    assert section.header.paragraphs[0].text == "SOW-2027-001 · Contoso Ltd"
    assert section.footer.paragraphs[0].text == "Page footer: megan@contoso.com"


@pytest.mark.parametrize(
    ("number", "title"),
    [
        ("SOW-2027-001", "SOW SOW-2027-001"),
        ("Smith & Jones <Design>", "SOW Smith & Jones <Design>"),  # escaped in XML, exact when read
        ("two\nlines", "SOW two lines"),  # a document property is one line
        ("two\r\nlines", "SOW two lines"),  # a Windows line ending is one break
    ],
    ids=["plain", "xml-special-characters", "lf", "crlf"],
)
def test_document_properties_are_rendered(number, title, reopen):
    template = make_docx("Body", title="SOW {{ n }}")
    assert reopen(CompiledTemplate(template).render({"n": number})).core_properties.title == title


# --- Values are text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "{{ 7*7 }}",  # Jinja expression syntax
        "{% for x in y %}",  # Jinja statement syntax
        "{# a comment #}",  # Jinja comment syntax
        "Smith & Jones <Design>",  # XML's special characters
        "\"quoted\" and 'single'",  # quotes
        "]]>",  # the end of a CDATA section
        "<w:p/>",  # WordprocessingML markup
        "<?jinja {{ 7*7 }}?>",  # the engine's own processing instruction
        "😀",  # outside the Basic Multilingual Plane
        "Zoë Ångström — Москва, 東京, القاهرة",  # non-Latin scripts and right-to-left text
        "  two  spaces  ",  # leading, doubled and trailing spaces
    ],
)
def test_values_are_written_as_exact_text_never_markup_or_code(value, reopen):
    rendered = CompiledTemplate(make_docx("Client: {{ client.name }}.")).render({"client": {"name": value}})
    assert reopen(rendered).paragraphs[0].text == f"Client: {value}."
    assert xml_part(rendered) is not None  # the part parses: still well-formed


@pytest.mark.parametrize(
    "value",
    [
        "bell\x07",  # a control character
        "nul\x00",  # NUL
        "escape\x1b[0m",  # a terminal escape sequence
    ],
)
def test_a_value_with_a_character_xml_cannot_hold_fails_with_render_failed(value):
    template = CompiledTemplate(make_docx("{{ client.name }}"))
    with pytest.raises(RenderFailed, match=r"^word/document\.xml would not be well-formed XML"):
        template.render({"client": {"name": value}})


@pytest.mark.parametrize(
    "newline",
    [
        "\n",
        "\r\n",
    ],
    ids=["lf", "crlf"],
)
def test_a_multi_line_value_becomes_word_line_breaks_in_the_same_run(newline, reopen):
    lines = ["1 Microsoft Way", "Redmond, WA 98052", "United States"]
    rendered = CompiledTemplate(make_docx("{{ client.address }}")).render({"client": {"address": newline.join(lines)}})
    (run,) = reopen(rendered).paragraphs[0].runs
    assert run.text == "\n".join(lines)
    assert len(run._r.findall(qn("w:br"))) == len(lines) - 1


def test_fields_of_the_controlled_objects_are_wrapped_in_content_controls_tagged_with_their_name(sow_data):
    template = make_docx("By {{ freelancer.name }} of {{ freelancer.address }} for {{ client.name }}.")
    rendered = CompiledTemplate(template, controlled=("freelancer",)).render(sow_data)
    assert content_controls(rendered) == {
        "freelancer.name": ["Zoe Angstrom"],
        "freelancer.address": ["12 Pike Street\nSeattle, WA 98101"],
    }
    body = xml_part(rendered).find(qn("w:body"))
    assert len(body.findall(f".//{qn('w:sdt')}")) == 2  # client.name is not wrapped
    assert paragraph_text(body.find(qn("w:p"))) == (
        "By Zoe Angstrom of 12 Pike Street\nSeattle, WA 98101 for Contoso Ltd."
    )


@pytest.mark.parametrize(
    ("control", "controls"),
    [
        # already in a control tagged with its field: left as it is, not wrapped twice
        ("freelancer.name", {"freelancer.name": ["Zoe Angstrom"]}),
        # in a control of another kind: wrapped inside it
        ("signature", {"signature": ["Zoe Angstrom"], "freelancer.name": ["Zoe Angstrom"]}),
    ],
)
def test_a_freelancer_field_inside_a_content_control_is_wrapped_only_if_that_control_is_not_its_own(
    control, controls, sow_data
):
    template = make_docx(ContentControl(control, "{{ freelancer.name }}"))
    rendered = CompiledTemplate(template, controlled=("freelancer",)).render(sow_data)
    assert content_controls(rendered) == controls
    assert len(xml_part(rendered).findall(f".//{qn('w:sdt')}")) == len(controls)


# --- Failures ----------------------------------------------------------------------------------


def _a_function():
    return "called"


@pytest.mark.parametrize(
    "expression",
    [
        "''.__class__.__mro__",  # from a string to every class Python has loaded
        "x.__globals__",  # a function's module globals
        "cycler.__init__.__globals__.os.system('touch MARKER')",  # through a Jinja global to a shell command
        "items.append('injected')",  # changing the data passed in
    ],
)
def test_template_code_cannot_reach_python_internals_or_change_the_data(expression, tmp_path):
    marker, items = tmp_path / "executed", []
    template = CompiledTemplate(make_docx("{{ " + expression.replace("MARKER", str(marker)) + " }}"))
    with pytest.raises(RenderFailed) as failure:
        template.render({"x": _a_function, "items": items})
    assert isinstance(failure.value.__cause__, (SecurityError, UndefinedError))
    assert not marker.exists()
    assert items == []


@pytest.mark.parametrize(
    ("tag", "named"),
    [
        ("{{ purchase_order }}", "'purchase_order' is undefined"),  # a name the data lacks
        ("{{ client.nmae }}", "has no attribute 'nmae'"),  # a misspelt field
    ],
)
def test_an_undefined_value_fails_with_render_failed_naming_it(tag, named, sow_data):
    with pytest.raises(RenderFailed) as failure:
        CompiledTemplate(make_docx(tag)).render(sow_data)
    assert str(failure.value).startswith("word/document.xml: ")
    assert named in str(failure.value)
    assert isinstance(failure.value.__cause__, UndefinedError)


def test_an_unknown_locale_fails_with_render_failed_naming_it():
    with pytest.raises(RenderFailed, match="unknown locale 'xx-XX'"):
        CompiledTemplate(make_docx("{{ n|number }}")).render({"n": 1200, "locale": "xx-XX"})


def test_output_that_would_not_be_well_formed_xml_fails_with_render_failed():
    # A run-level {% if %} that ends inside a table cell: dropping what lies between leaves the
    # cell's closing tags without the opening ones.
    template = CompiledTemplate(make_docx("{% if false %}", Table([["{% endif %}"]])))
    with pytest.raises(RenderFailed, match=r"^word/document\.xml would not be well-formed XML"):
        template.render({})


# --- The package ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tagged() -> bytes:
    """A template with tags in its body, a table, the header, the footer and the title."""
    return make_docx(
        "{{ client.name }}",
        Table([["{{ freelancer.name }}"]]),
        header="{{ sow_number }}",
        footer="{{ freelancer.address }}",
        title="SOW {{ sow_number }}",
    )


def test_rendering_the_same_context_twice_gives_identical_bytes(tagged, sow_data):
    first, second = CompiledTemplate(tagged), CompiledTemplate(tagged)
    assert first.render(sow_data) == first.render(sow_data) == second.render(sow_data)


def test_the_document_keeps_the_template_member_order_and_dates_every_member_1980_01_01(tagged, sow_data):
    with zipfile.ZipFile(io.BytesIO(CompiledTemplate(tagged).render(sow_data))) as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == list(members_of(tagged))
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_parts_without_tags_are_copied_unchanged(tagged, sow_data):
    compiled = CompiledTemplate(tagged)
    original, rendered = members_of(tagged), members_of(compiled.render(sow_data))
    assert compiled.rendered_parts == ["docProps/core.xml", "word/document.xml", "word/header1.xml", "word/footer1.xml"]
    untouched = [name for name in original if name not in compiled.rendered_parts]
    assert {name: rendered[name] for name in untouched} == {name: original[name] for name in untouched}


_JAN_4 = date(2027, 1, 4)
_TWELVE_THOUSAND_EUROS = Money(Decimal("12000"), "EUR")


@pytest.mark.parametrize(
    ("locale", "value", "written"),
    [
        ("en-US", _JAN_4, "January 4, 2027"),
        ("en-GB", _JAN_4, "4 January 2027"),
        ("de-DE", _JAN_4, "4. Januar 2027"),
        (None, _JAN_4, "January 4, 2027"),  # no locale in the context: en-US
        ("en-US", _TWELVE_THOUSAND_EUROS, "€12,000.00"),
        ("de-DE", _TWELVE_THOUSAND_EUROS, "12.000,00\u00a0€"),  # Babel puts a no-break space before the sign
        ("en-US", Decimal("1200.5"), "1200.5"),  # a plain number is written as it is: a year 2023 stays 2023
        ("de-DE", 2023, "2023"),
    ],
)
def test_dates_and_money_are_written_in_the_locale_of_the_context(locale, value, written, reopen):
    context = {"value": value} if locale is None else {"value": value, "locale": locale}
    rendered = CompiledTemplate(make_docx("{{ value }}")).render(context)
    assert reopen(rendered).paragraphs[0].text == written


@pytest.mark.parametrize(
    ("tag", "locale", "written"),
    [
        ("{{ value|number }}", "en-US", "1,200.5"),
        ("{{ value|number }}", "de-DE", "1.200,5"),
        ("{{ value|number(2) }}", "en-US", "1,200.50"),
        ("{{ value|money('EUR') }}", "en-US", "€1,200.50"),
        ("{{ day|date }}", "en-GB", "4 January 2027"),
        ("{{ day|date('short') }}", "en-US", "1/4/27"),
        ("{{ fee|money }}", "en-US", "$12.00"),
    ],
)
def test_filters_group_numbers_and_write_money_and_dates_only_where_asked(tag, locale, written, reopen):
    context = {"value": Decimal("1200.5"), "day": "2027-01-04", "fee": {"amount": "12", "currency": "USD"}}
    rendered = CompiledTemplate(make_docx(tag)).render(context | {"locale": locale})
    assert reopen(rendered).paragraphs[0].text == written


def test_a_zero_amount_is_written_the_same_whatever_was_rendered_before(reopen):
    # de-CH with CHF appears in no other test: the first render here is the process's first of this value.
    template = CompiledTemplate(make_docx("{{ fee }}"))
    written = [
        reopen(template.render({"fee": Money(amount, "CHF"), "locale": "de-CH"})).paragraphs[0].text
        for amount in (Decimal("-0.00"), Decimal("0.00"))
    ]
    assert written[1] == "CHF\u00a00.00"


# --- Unsafe templates ----------------------------------------------------------------------------


@cache
def _zip_bomb() -> bytes:
    """A real .docx with one more member: 50 MiB of zeros, which deflate to about 50 KB."""
    return zip_of(members_of(make_docx("Terms.")) | {"word/media/zeros.bin": bytes(50 * MiB)})


def _rewrite_header_field(archive: bytes, old: int, new: int) -> bytes:
    """Change a 32-bit field (a CRC or a size) in both the local and the central header of a member."""
    old_bytes, new_bytes = struct.pack("<I", old), struct.pack("<I", new)
    assert archive.count(old_bytes) == 2
    return archive.replace(old_bytes, new_bytes)


def _with_a_damaged_member() -> bytes:
    template = make_docx("{{ client.name }}")
    with zipfile.ZipFile(io.BytesIO(template)) as archive:
        crc = archive.getinfo("word/document.xml").CRC
    return _rewrite_header_field(template, crc, crc ^ 0xFFFF)


def _bomb_declaring_a_small_size() -> bytes:
    return _rewrite_header_field(_zip_bomb(), 50 * MiB, 1000)


@pytest.mark.parametrize(
    "template",
    [
        pytest.param(lambda: b"Word 97 wrote this, not a ZIP", id="not-a-zip"),
        pytest.param(lambda: b"", id="empty"),
        pytest.param(lambda: make_docx("Terms.")[:2000], id="truncated-docx"),
        # refused from the directory, before anything is decompressed
        pytest.param(_zip_bomb, id="zip-bomb"),
        pytest.param(_with_a_damaged_member, id="damaged-member"),
        # the bomb again, its directory claiming 1000 bytes so that the size checks pass
        pytest.param(_bomb_declaring_a_small_size, id="bomb-lying-about-its-size"),
    ],
)
def test_a_template_that_is_not_a_safe_zip_is_refused(template):
    with pytest.raises(TemplateInvalid):
        CompiledTemplate(template())

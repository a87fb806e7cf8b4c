"""Vetting an uploaded Word template: every package and tag problem at once, each where the author sees it.

Every template is a real .docx made with python-docx; what Word would add (macros, external links,
fields, footnotes, comments, a DTD) is injected into its XML parts.
"""

from __future__ import annotations

import functools
import io
import warnings
import zipfile
from html import escape
from pathlib import Path

import pytest
from lxml import etree

from freelance.documents.expressions import LIST
from freelance.documents.ooxml import parse
from freelance.documents.vetting import Found, vet
from tests.documents.docx_files import Table, make_docx, members_of, zip_of
from tests.roster.files import pdf_bytes, xlsx_bytes

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MiB = 1024 * 1024
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PLACEHOLDER = "<w:p><w:r><w:t>placeholder</w:t></w:r></w:p>"


# --- building templates Word would write -----------------------------------------------------------


def changed(document: bytes, name: str, old: str, new: str) -> bytes:
    """Return ``document`` with ``old`` replaced by ``new`` in the part ``name``."""
    members = members_of(document)
    text = members[name].decode("utf-8")
    assert old in text, f"{old!r} is not in {name}"
    members[name] = text.replace(old, new, 1).encode("utf-8")
    return zip_of(members)


def with_member(document: bytes, name: str, content: bytes) -> bytes:
    return zip_of(members_of(document) | {name: content})


def with_body(*paragraphs_xml: str) -> bytes:
    """A .docx whose first body paragraph is "Intro", followed by the given raw ``<w:p>`` elements."""
    return changed(make_docx("Intro", "placeholder"), "word/document.xml", PLACEHOLDER, "".join(paragraphs_xml))


def with_relationship(document: bytes, rels: str, relationship_type: str, target: str, mode: str) -> bytes:
    """Return ``document`` with one more relationship of ``relationship_type`` in the part ``rels``."""
    members = members_of(document)
    existing = members.get(
        rels, b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'
    )
    root = etree.fromstring(existing)
    etree.SubElement(
        root,
        "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship",
        Id="rId99",
        Type=f"{RELATIONSHIPS}/{relationship_type}",
        Target=target,
        TargetMode=mode,
    )
    members[rels] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return zip_of(members)


def with_part(document: bytes, name: str, xml: str, relationship_type: str, content_type: str) -> bytes:
    """Return ``document`` with the part ``name`` (in word/), related from the body and typed, as Word adds one."""
    document = with_relationship(
        document, "word/_rels/document.xml.rels", relationship_type, name.removeprefix("word/"), "Internal"
    )
    override = f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>'
    return with_member(changed(document, "[Content_Types].xml", "</Types>", override), name, xml.encode("utf-8"))


def with_footnote(document: bytes, text: str) -> bytes:
    """Return ``document`` with footnote 1 saying ``text``, after Word's two separator footnotes."""
    xml = (
        f'<w:footnotes xmlns:w="{W}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
        "</w:footnote>"
        f'<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:footnote>'
        "</w:footnotes>"
    )
    footnotes = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
    return with_part(document, "word/footnotes.xml", xml, "footnotes", footnotes)


def with_comment(document: bytes, text: str) -> bytes:
    """Return ``document`` with one comment by Ann saying ``text``."""
    xml = (
        f'<w:comments xmlns:w="{W}"><w:comment w:id="0" w:author="Ann" w:initials="A">'
        f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:comment></w:comments>"
    )
    comments = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
    return with_part(document, "word/comments.xml", xml, "comments", comments)


def simple_field(instruction: str) -> str:
    """A paragraph "See here" whose "here" is the result of a simple field."""
    return (
        '<w:p><w:r><w:t xml:space="preserve">See </w:t></w:r>'
        f'<w:fldSimple w:instr="{escape(instruction, quote=True)}"><w:r><w:t>here</w:t></w:r></w:fldSimple></w:p>'
    )


def complex_field(*instruction_pieces: str, result: str = "here") -> str:
    """The runs of a complex field, its instruction split across runs the way Word splits it."""
    instruction = "".join(
        f'<w:r><w:instrText xml:space="preserve">{piece}</w:instrText></w:r>' for piece in instruction_pieces
    )
    return (
        f'<w:r><w:fldChar w:fldCharType="begin"/></w:r>{instruction}<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r><w:t>{result}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def paragraph(*runs: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">See </w:t></w:r>{"".join(runs)}</w:p>'


@functools.cache
def zeros(size: int) -> bytes:
    return bytes(size)


# --- the package ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "says"),
    [
        pytest.param(
            lambda: zip_of(members_of(make_docx("Terms.")) | {f"word/media/image{i}.png": b"x" for i in range(500)}),
            "members; at most 500 are accepted",
            id="too-many-members",
        ),
        # three members of 18 MiB each, none too large on its own: 54 MiB in all
        pytest.param(
            lambda: zip_of(
                members_of(make_docx("Terms.")) | {f"word/media/big{i}.bin": zeros(18 * MiB) for i in range(3)}
            ),
            "would expand to",
            id="too-large-in-all",
        ),
        pytest.param(
            lambda: with_member(make_docx("Terms."), "word/media/huge.bin", zeros(21 * MiB)),
            "member 'word/media/huge.bin' would expand to",
            id="one-member-too-large",
        ),
        # 2 MiB of zeros deflate about a thousandfold
        pytest.param(
            lambda: with_member(make_docx("Terms."), "word/media/bomb.bin", zeros(2 * MiB)),
            "which only a zip bomb does",
            id="zip-bomb-ratio",
        ),
        pytest.param(lambda: b"Word 97 wrote this, not a ZIP", "not a valid ZIP archive", id="not-a-zip"),
        pytest.param(pdf_bytes, "not a valid ZIP archive", id="a-pdf"),
        pytest.param(lambda: xlsx_bytes([["name"], ["Zoe"]]), "is not a Word document", id="a-workbook"),
    ],
)
def test_a_file_that_is_not_a_safe_word_package_is_refused_saying_why(template, says):
    problems = vet(template()).problems
    assert len(problems) == 1
    assert problems[0].location == "file"
    assert says in problems[0].message


DTD = '<!DOCTYPE {root} [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
DTD += '<!ENTITY leak SYSTEM "{secret}">]>'


def _declaring_a_dtd(document: bytes, name: str, root: str, secret: Path) -> bytes:
    xml = members_of(document)[name].decode("utf-8")
    declaration, rest = xml.split("?>", 1)
    return with_member(document, name, f"{declaration}?>{DTD.format(root=root, secret=secret.as_uri())}{rest}".encode())


@pytest.mark.parametrize(
    ("name", "root", "location"),
    [
        ("word/document.xml", "w:document", "body"),
        ("docProps/core.xml", "cp:coreProperties", "document properties"),
        ("word/_rels/document.xml.rels", "Relationships", "part word/_rels/document.xml.rels"),
    ],
)
def test_a_dtd_or_entity_declaration_in_any_part_is_refused_without_expanding_it(name, root, location, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("{{ leaked.__class__ }} s3cr3t")
    document = _declaring_a_dtd(make_docx("Terms &amp; {{ fee|money }}", title="Offer"), name, root, secret)

    problems = vet(document).problems

    assert problems == [Found(location, "declares a DTD or entities, which templates may not")]


def test_the_parser_vetting_uses_leaves_entities_unexpanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cr3t")
    xml = (
        f'<?xml version="1.0"?>{DTD.format(root="w:document", secret=secret.as_uri())}'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&lol2;&leak;</w:t></w:r></w:p></w:body></w:document>'
    )

    written = etree.tostring(parse(xml.encode()))

    assert b"s3cr3t" not in written
    assert b"lollollol" not in written


def test_a_part_that_is_not_well_formed_xml_is_refused_by_name():
    document = changed(make_docx("Terms."), "word/document.xml", "<w:body>", "<w:body><w:p>")

    [problem] = vet(document).problems

    assert problem.location == "body"
    assert problem.message.startswith("the part is not well-formed XML")


MACRO_ENABLED = "application/vnd.ms-word.document.macroEnabled.main+xml"
DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


@pytest.mark.parametrize(
    ("template", "says"),
    [
        pytest.param(
            lambda: changed(make_docx("Terms."), "[Content_Types].xml", DOCUMENT_MAIN, MACRO_ENABLED),
            "is macro-enabled (.docm or .dotm): save it as a .docx",
            id="docm-main-part",
        ),
        pytest.param(
            lambda: with_member(make_docx("Terms."), "word/vbaProject.bin", b"\xd0\xcf\x11\xe0VBA"),
            "holds macros (VBA): save it as a .docx without macros",
            id="vba-project",
        ),
        pytest.param(
            lambda: with_member(
                make_docx("Terms."),
                "word/activeX/activeX1.xml",
                b'<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" ax:classid="{8BD21D40}"/>',
            ),
            "holds ActiveX controls, which templates may not",
            id="activex-control",
        ),
    ],
)
def test_macros_and_activex_controls_are_refused(template, says):
    assert vet(template()).problems == [Found("file", says)]


@pytest.mark.parametrize(
    ("rels", "relationship_type", "target", "location", "names"),
    [
        (
            "word/_rels/settings.xml.rels",
            "attachedTemplate",
            "file:///C:/Templates/Contract.dotm",
            "part word/settings.xml",
            "attached to a template elsewhere",
        ),
        ("word/_rels/document.xml.rels", "image", "http://example.com/logo.png", "body", "a picture linked to a file"),
        (
            "word/_rels/document.xml.rels",
            "oleObject",
            "file:///C:/Budgets/rates.xlsx",
            "body",
            "an object linked to another file",
        ),
    ],
)
def test_an_external_relationship_that_fetches_is_refused_naming_what_it_is(
    rels, relationship_type, target, location, names
):
    document = with_relationship(make_docx("Terms."), rels, relationship_type, target, "External")

    [problem] = vet(document).problems

    assert problem.location == location
    assert names in problem.message
    assert target in problem.message
    assert problem.message.endswith("templates may not fetch anything")


def test_an_external_hyperlink_is_accepted():
    document = with_relationship(
        make_docx("See our terms."),
        "word/_rels/document.xml.rels",
        "hyperlink",
        "https://example.com/terms",
        "External",
    )

    assert vet(document).problems == []


FETCHING = [
    ('INCLUDEPICTURE "http://example.com/pixel.png" \\d', "INCLUDEPICTURE"),
    ('INCLUDETEXT "C:\\\\Shared\\\\clause.docx"', "INCLUDETEXT"),
    ('LINK Excel.Sheet.12 "C:\\\\Budgets\\\\rates.xlsx" "Sheet1!R1C1" \\a', "LINK"),
    ('DDE Excel "C:\\\\Budgets\\\\rates.xls" "R1C1"', "DDE"),
    ('DDEAUTO Excel "C:\\\\Budgets\\\\rates.xls" "R1C1"', "DDEAUTO"),
]


@pytest.mark.parametrize(("instruction", "code"), FETCHING)
def test_a_simple_field_that_fetches_is_refused_in_its_paragraph(instruction, code):
    document = with_body(simple_field(f" {instruction} "))

    assert vet(document).problems == [
        Found(
            "body, paragraph 2 ('See here')", f"the field {code} fetches content from elsewhere when opened: remove it"
        )
    ]


@pytest.mark.parametrize(("instruction", "code"), FETCHING)
def test_a_complex_field_that_fetches_is_refused_even_split_across_runs(instruction, code):
    half = len(code) // 2
    pieces = (" ", instruction[:half], instruction[half:], " ")  # the field's name itself is split
    document = with_body(paragraph(complex_field(*pieces)))

    assert vet(document).problems == [
        Found(
            "body, paragraph 2 ('See here')", f"the field {code} fetches content from elsewhere when opened: remove it"
        )
    ]


def test_a_fetching_field_after_a_harmless_one_in_the_same_paragraph_is_refused():
    document = with_body(paragraph(complex_field(" PAGE ", result="1"), complex_field(' INCLUDETEXT "x.docx" ')))

    [problem] = vet(document).problems

    assert problem.message.startswith("the field INCLUDETEXT")


def test_a_fetching_field_nested_in_an_if_field_is_refused():
    nested = complex_field(' INCLUDEPICTURE "http://example.com/pixel.png" ', result="")
    runs = [
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
        '<w:r><w:instrText xml:space="preserve"> IF 1 = 1 "</w:instrText></w:r>',
        nested,
        '<w:r><w:instrText xml:space="preserve">" "" </w:instrText></w:r>',
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>here</w:t></w:r>',
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    ]
    document = with_body(paragraph(*runs))

    [problem] = vet(document).problems

    assert problem.location == "body, paragraph 2 ('See here')"
    assert problem.message.startswith("the field INCLUDEPICTURE")


@pytest.mark.parametrize(
    "field",
    [
        pytest.param(simple_field(" PAGE "), id="simple"),
        pytest.param(paragraph(complex_field(" PA", "GE ", result="1")), id="complex"),
    ],
)
def test_a_harmless_field_is_accepted(field):
    assert vet(with_body(field)).problems == []


# --- tags -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tag", "says"),
    [
        ("{{ x.__class__ }}", None, ".__class__: attributes starting with _ are not allowed"),
        ("{{ x._secret }}", None, "._secret: attributes starting with _ are not allowed"),
        ("{{ x['_y'] }}", None, "._y: attributes starting with _ are not allowed"),
        ("{{ _x }}", None, "_x: names starting with _ are not allowed"),
        ("{{ x|safe }}", None, "|safe would let a value become raw WordprocessingML"),
        ("{{ x|attr('a') }}", None, "|attr reads attributes the template cannot name directly"),
        ('{{ "{}".format(x) }}', None, ".format() is not allowed"),
        ("{{ x.items() }}", None, "calls are not allowed: use the documented filters"),
        ("{{ cycler(1,2) }}", None, "cycler() is not available in templates"),
        ("{{ joiner() }}", None, "joiner() is not available in templates"),
        ("{{ namespace() }}", None, "namespace() is not available in templates"),
        ("{{ lipsum() }}", None, "lipsum() is not available in templates"),
        ("{{ self }}", None, "self is not available in templates"),
        ("{{ cycler }}", None, "cycler is not available in templates"),
        ("{{ range(10000)|length }}", None, "range() gives at most 1000 numbers"),
        ("{{ range(n) }}", None, "range() takes whole numbers written in the template"),
        ("{% macro m() %}{% endmacro %}", "{% macro m() %}", "{% macro %} is not allowed"),
        ("{% include 'x' %}", None, "{% include %} is not allowed: templates use if, for and set only"),
        ("{% for x in y recursive %}{{ x }}{% endfor %}", "{% for x in y recursive %}", "recursive loops"),
        ("{{ items|sort(attribute='__class__') }}", None, "|sort takes a field name written in the template"),
        ("{{ x|pprint }}", None, "|pprint is not a filter (see the documented filters)"),
        ("{{ loop.cycle }}", None, "loop.cycle is not available"),
    ],
)
def test_a_tag_the_sandbox_would_refuse_is_found_at_upload_with_its_text(text, tag, says):
    problems = vet(make_docx("Intro", text)).problems

    assert problems[0].location == f"body, paragraph 2 ('{text}')"
    assert problems[0].tag == (tag or text)
    assert says in problems[0].message
    assert all(problem.tag for problem in problems)


@pytest.mark.parametrize(
    "text",
    [
        "{% for i in range(3) %}{{ i }}{% endfor %}",
        "{{ range(1000)|length }}",
        "{{ items|sort(attribute='name')|join(', ') }}",
        "{% set total = fee * 2 %}{{ total|number }}",
        "{%p if po %}",
    ],
)
def test_tags_within_the_rules_are_accepted(text):
    blocks = [text, "{%p endif %}"] if text.startswith("{%p if") else [text]
    assert vet(make_docx(*blocks)).problems == []


@pytest.mark.parametrize(
    ("paragraphs", "location", "tag", "says"),
    [
        (
            ["Intro", "{% if po %}", "PO {{ po }}", "Thanks"],
            "body, paragraph 2 ('{% if po %}')",
            "{% if po %}",
            "is never closed: add {% endif %}",
        ),
        (
            ["Intro", "{{ fee }}", "{% endfor %}"],
            "body, paragraph 3 ('{% endfor %}')",
            "{% endfor %}",
            "{% endfor %} closes nothing",
        ),
        (
            ["{% for d in deliverables %}", "{{ d.name }}", "{% endif %}", "{% endfor %}"],
            "body, paragraph 3 ('{% endif %}')",
            "{% endif %}",
            "{% endif %} closes nothing (the open block is {% for %})",
        ),
    ],
)
def test_unbalanced_blocks_are_reported_at_the_tag_at_fault(paragraphs, location, tag, says):
    problems = vet(make_docx(*paragraphs)).problems

    assert problems[0] == Found(location, says, tag)


def test_a_syntax_error_is_reported_at_its_own_tag():
    problems = vet(make_docx("{{ client }}", "The fee is {{ fee + }}", "{{ start|date }}")).problems

    assert problems == [
        Found("body, paragraph 2 ('The fee is {{ fee + }}')", "unexpected 'end of print statement'", "{{ fee + }}")
    ]


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param("{{ fee + }}", id="syntax-error"),
        pytest.param("{% include 'x' %}", id="refused-statement"),
        pytest.param("{% if po %}", id="block-never-closed"),
    ],
)
def test_a_tag_that_breaks_its_part_does_not_hide_the_refusals_of_the_others(broken):
    problems = vet(make_docx(broken, "{{ client.__class__ }}", "{% if x.__dict__ %}yes{% endif %}")).problems

    assert [problem.tag for problem in problems] == [broken, "{{ client.__class__ }}", "{% if x.__dict__ %}"]


# --- every problem at once, where the author sees it ------------------------------------------------


def test_every_problem_of_every_part_is_found_at_once_in_the_authors_terms():
    document = make_docx(
        "Statement of Work",
        "Between {{ client.name }} and {{ freelancer.name }}.",
        "The fee is {{ fee|pprint }}",
        Table([["Deliverable", "Due"], ["{{ d.__class__ }}", "{{ d.due|date }}"]]),
        header="{{ client._secret }}",
        footer="Page {% include 'footer' %}",
        title="SOW {{ title|safe }}",
    )
    document = with_comment(with_footnote(document, "Payable in {{ currency.items() }}"), "{{ lipsum() }}")

    problems = vet(document).problems

    assert sorted((problem.location, problem.tag) for problem in problems) == sorted(
        [
            ("body, paragraph 3 ('The fee is {{ fee|pprint }}')", "{{ fee|pprint }}"),
            ("table 1, row 2 ('{{ d.__class__ }}')", "{{ d.__class__ }}"),
            ("header ('{{ client._secret }}')", "{{ client._secret }}"),
            ("footer ('Page {% include 'footer' %}')", "{% include 'footer' %}"),
            ("document properties (Title)", "{{ title|safe }}"),
            ("footnote 1 ('Payable in {{ currency.items() }}')", "{{ currency.items() }}"),
            ("comment 1 ('{{ lipsum() }}')", "{{ lipsum() }}"),
        ]
    )


def test_a_use_is_located_at_its_paragraph_as_the_author_numbers_them():
    document = make_docx("Statement of Work", "", "The fee is {{ fee.amout }}")

    [use] = [use for use in vet(document).uses if use.path == ("fee", "amout")]

    assert use.tag.location == "body, paragraph 3 ('The fee is {{ fee.amout }}')"


def test_a_long_paragraph_is_quoted_shortened():
    text = "The freelancer shall deliver " + "everything " * 10 + "{{ x._y }}"

    [problem] = vet(make_docx(text)).problems

    assert problem.location == f"body, paragraph 1 ('{text[:60]}…')"


# --- the shipped templates and what tags use ------------------------------------------------------


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.docx")), ids=lambda path: path.name)
def test_the_shipped_templates_vet_without_problems(path):
    vetting = vet(path.read_bytes())

    assert vetting.problems == []
    assert vetting.uses


def test_word_smart_quotes_inside_a_tag_are_read_as_straight_ones():
    vetting = vet(make_docx("{{ x == \u201ca\u201d }}", "{% if kind == \u2018fixed\u2019 %}Fixed{% endif %}"))

    assert vetting.problems == []
    assert {(use.path, use.examples) for use in vetting.uses if use.examples} == {
        (("x",), ("a",)),
        (("kind",), ("fixed",)),
    }


def test_uses_give_each_path_and_the_type_it_implies():
    document = make_docx(
        Table(
            [
                ["Deliverable", "Due"],
                ["{%tr for d in deliverables %}", ""],
                ["{{ d.name }}", "{{ d.due|date }}"],
                ["{%tr endfor %}", ""],
            ]
        ),
        "The fee is {{ fee|money }}.",
        "{% if po_number %}PO {{ po_number }}{% endif %}",
        "{% if hours is number %}{{ hours|number }} hours{% endif %}",
    )

    uses = {(use.path, use.implies) for use in vet(document).uses}

    assert {
        (("deliverables",), "list"),
        (("deliverables", LIST, "name"), "text"),
        (("deliverables", LIST, "due"), "date"),
        (("fee",), "money"),
        (("po_number",), "condition"),
        (("po_number",), "text"),
        (("hours",), "number"),
    } <= uses
    assert not any(path[0] == "d" for path, _ in uses)  # the loop variable is not data


# --- what the compiler would run that a paragraph's text does not show ------------------------------


@pytest.mark.parametrize(
    ("xml", "where"),
    [
        (paragraph(complex_field("{{ 'INCLUDE' ~ 'PICTURE' }} http://example.com/p.png")), "body (a field code)"),
        (
            '<w:p><m:oMath xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math">'
            "<m:r><m:t>{{ x.center(40) }}</m:t></m:r></m:oMath></w:p>",
            "body",
        ),
    ],
    ids=["field-code", "equation"],
)
def test_a_tag_outside_a_paragraphs_text_is_refused(xml, where):
    problems = vet(with_body(xml)).problems
    assert [(p.location, p.message) for p in problems] == [
        (where, "tags go in the document's text, not in field codes, equations or other markup")
    ]


def test_a_tag_split_over_paragraphs_to_be_merged_is_refused():
    # {%- joins the paragraphs: the compiler would assemble a tag no paragraph shows whole.
    problems = vet(make_docx('{{ "a".center(60) ~ \'', "{%- ' }} tail")).problems
    assert (
        "body, paragraph 1 ('{{ \"a\".center(60) ~ '')",
        "a tag opens here but does not close in this paragraph",
    ) in {(p.location, p.message) for p in problems}


def test_a_part_given_twice_in_the_archive_is_refused():
    members = members_of(make_docx("Hello"))
    hostile = members["word/document.xml"].replace(b"Hello", b"{{ x.__class__ }}")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of the duplicate name
        out.writestr("word/document.xml", hostile)  # the hostile copy first, the harmless one after
        for name, content in members.items():
            out.writestr(name, content)
    assert vet(archive.getvalue()).problems == [
        Found("file", "the archive holds 'word/document.xml' twice: which one a reader takes differs, so it is refused")
    ]


@pytest.mark.parametrize(
    ("relationship_type", "content_type", "says"),
    [
        ("control", "application/vnd.ms-office.activeX+xml", "holds ActiveX controls, which templates may not"),
        ("vbaProject", "application/vnd.ms-office.vbaProject", "holds macros (VBA): save it as a .docx without macros"),
    ],
)
def test_macros_and_controls_are_found_by_relationship_and_content_type_whatever_their_names(
    relationship_type, content_type, says
):
    template = with_part(make_docx("Terms."), "word/controls/ctl1.xml", "<x/>", relationship_type, content_type)
    assert vet(template).problems == [Found("file", says)]


def test_a_fetching_field_written_without_a_space_is_refused():
    problems = vet(with_body(simple_field('INCLUDETEXT"http://example.com/terms.docx"'))).problems
    assert [p.message for p in problems] == [
        "the field INCLUDETEXT fetches content from elsewhere when opened: remove it"
    ]


def test_a_table_of_thousands_of_rows_is_vetted_with_each_row_numbered():
    rows = [["{%tr for d in items %}"], ["{{ d.name }}"], ["{%tr endfor %}"]] + [[f"Row {i}"] for i in range(3000)]
    assert [p.location for p in vet(make_docx(Table([*rows, ["{{ x._y }}"]]))).problems] == [
        "table 1, row 3004 ('{{ x._y }}')"
    ]


@pytest.mark.parametrize(
    "text",
    ['{{ "%200000000s" % "a" }}', "{{ items|sum('__class__') }}", "{% for k, v in pairs %}{% endfor %}"],
)
def test_more_tags_the_sandbox_would_stop_are_refused_at_upload(text):
    assert vet(make_docx(text)).problems

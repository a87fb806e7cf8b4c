"""The compiler's docxtpl syntax, one construct at a time: tiny documents rendered and read back."""

from __future__ import annotations

import pytest
from docx.oxml.ns import qn
from lxml import etree

from freelance.documents import CompiledTemplate, TemplateInvalid
from tests.documents.docx_files import Table, make_docx, members_of, xml_part, zip_of
from tests.reading import paragraph_text

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def render(template: bytes, context: dict | None = None) -> list[str]:
    """The text of every paragraph of the rendered body (table cells too), in document order."""
    return texts(CompiledTemplate(template).render(context or {}))


def texts(rendered: bytes) -> list[str]:
    return [paragraph_text(p) for p in xml_part(rendered).iter(qn("w:p"))]


def with_body(body_xml: str) -> bytes:
    """A .docx whose body is ``body_xml`` (WordprocessingML with the ``w`` prefix), as Word could write it."""
    members = members_of(make_docx("placeholder"))
    document = etree.fromstring(members["word/document.xml"])
    body = document.find(qn("w:body"))
    for child in list(body)[:-1]:  # keep the section properties
        body.remove(child)
    for index, element in enumerate(etree.fromstring(f'<w:body xmlns:w="{W}">{body_xml}</w:body>')):
        body.insert(index, element)
    members["word/document.xml"] = etree.tostring(document, xml_declaration=True, encoding="UTF-8", standalone=True)
    return zip_of(members)


def cells(rendered: bytes) -> list[list[etree._Element]]:
    return [row.findall(qn("w:tc")) for row in xml_part(rendered).iter(qn("w:tr"))]


def cell_properties(cell: etree._Element) -> list[str]:
    """The local names of a cell's properties, in document order."""
    return [etree.QName(child).localname for child in cell.find(qn("w:tcPr"))]


# --- Cells, runs and comments ------------------------------------------------------------------


@pytest.mark.parametrize("labels", [[], ["fruit"], ["fruit", "stone", "thing"]])
def test_a_tc_for_loop_gives_one_cell_per_item_and_drops_the_control_cells(labels):
    template = make_docx(Table([["Type", "{%tc for label in labels %}", "{{ label }}", "{%tc endfor %}"]]))
    rendered = CompiledTemplate(template).render({"labels": labels})
    assert texts(rendered) == ["Type", *labels]
    assert len(cells(rendered)[0]) == 1 + len(labels)


def test_a_tc_if_removes_its_cell_when_false():
    template = make_docx(Table([["A", "{%tc if extra %}", "B", "{%tc endif %}"]]))
    assert render(template, {"extra": False}) == ["A"]
    assert render(template, {"extra": True}) == ["A", "B"]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # a comment paragraph goes, leaving no empty line
        (make_docx("Before", "{#p a note to the author #}", "After"), ["Before", "After"]),
        # a comment row goes with all its cells
        (make_docx(Table([["{#tr this row goes #}", "gone"], ["kept", "too"]])), ["kept", "too"]),
        # a comment cell goes alone
        (make_docx(Table([["kept", "{#tc this cell goes#}"]])), ["kept"]),
        # an inline comment prints nothing
        (make_docx("Use {# not this #}this."), ["Use this."]),
    ],
    ids=["paragraph", "row", "cell", "inline"],
)
def test_a_comment_tag_removes_its_paragraph_row_or_cell(template, expected):
    assert render(template) == expected


@pytest.mark.parametrize(("vip", "text"), [(True, "Hello dear friend"), (False, "Hello friend")])
def test_an_r_if_keeps_or_drops_the_runs_between_and_the_text_around_keeps_its_runs(vip, text):
    template = make_docx(["Hello{%r if vip %}", " dear", "{%r endif %} friend"])
    assert render(template, {"vip": vip}) == [text]


def test_a_printed_block_tag_is_refused_as_unsupported():
    with pytest.raises(TemplateInvalid, match="rich text"):
        CompiledTemplate(make_docx("{{p subdocument }}"))


# --- Cell commands -------------------------------------------------------------------------------


def test_colspan_sets_the_cells_span_from_an_expression_in_schema_order():
    template = make_docx(Table([["{% colspan labels|count %}Type of thing", "x"]]))
    rendered = CompiledTemplate(template).render({"labels": ["a", "b", "c"]})
    cell = cells(rendered)[0][0]
    assert cell.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}").get(qn("w:val")) == "3"
    assert cell_properties(cell) == ["tcW", "gridSpan"]
    assert texts(rendered)[0] == "Type of thing"


@pytest.mark.parametrize(("span", "written"), [("'two'", "1"), ("0", "1"), ("2", "2")])
def test_a_colspan_that_is_not_a_positive_whole_number_spans_one_column(span, written):
    rendered = CompiledTemplate(make_docx(Table([[f"{{% colspan {span} %}}x"]]))).render({})
    assert cells(rendered)[0][0].find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}").get(qn("w:val")) == written


@pytest.mark.parametrize(
    ("colour", "fill"),
    [
        ("FF0000", "FF0000"),
        ("#00ff00", "00ff00"),  # a leading # is dropped
        ('"/><w:b/><w:shd w:fill="', "auto"),  # markup is no colour: escaped, then refused
        ("red", "auto"),
    ],
)
def test_cellbg_shades_the_cell_with_a_hex_colour_and_anything_else_is_automatic(colour, fill):
    template = make_docx(Table([["{% cellbg colour %}Paid"]]))
    rendered = CompiledTemplate(template).render({"colour": colour})
    shading = cells(rendered)[0][0].find(f"{qn('w:tcPr')}/{qn('w:shd')}")
    assert shading.get(qn("w:fill")) == fill
    assert texts(rendered) == ["Paid"]


def test_a_cell_property_replaces_the_one_there_and_keeps_the_schema_order():
    body = (
        '<w:tbl><w:tr><w:tc><w:tcPr><w:tcW w:w="100" w:type="dxa"/><w:vAlign w:val="center"/>'
        '<w:shd w:val="clear" w:fill="FFFFFF"/><w:tcBorders/></w:tcPr>'
        "<w:p><w:r><w:t>{% cellbg 'ABCDEF' %}{% colspan 2 %}x</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p/>"
    )
    cell = cells(CompiledTemplate(with_body(body)).render({}))[0][0]
    assert cell_properties(cell)[:2] == ["tcW", "gridSpan"]
    assert cell_properties(cell).count("shd") == 1
    assert cell.find(f"{qn('w:tcPr')}/{qn('w:shd')}").get(qn("w:fill")) == "ABCDEF"


def test_vm_merges_a_cell_down_a_tr_loop_and_shows_its_text_once():
    template = make_docx(
        Table([["{%tr for item in items %}", ""], ["Group{% vm %}", "{{ item }}"], ["{%tr endfor %}", ""]])
    )
    rendered = CompiledTemplate(template).render({"items": ["one", "two", "three"]})
    merges = [row[0].find(f"{qn('w:tcPr')}/{qn('w:vMerge')}").get(qn("w:val")) for row in cells(rendered)]
    assert merges == ["restart", "continue", "continue"]
    assert texts(rendered) == ["Group", "one", "", "two", "", "three"]


@pytest.mark.parametrize("template_span", [None, "2"])
def test_hm_makes_one_cell_spanning_all_the_copies_of_a_tc_loop(template_span):
    span = f'<w:gridSpan w:val="{template_span}"/>' if template_span else ""

    def cell(text: str) -> str:
        return f'<w:tc><w:tcPr><w:tcW w:w="100" w:type="dxa"/>{span}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>'

    row = "".join(cell(text) for text in ("{%tc for x in [1, 2, 3] %}", "{% hm %}Header", "{%tc endfor %}"))
    rendered = CompiledTemplate(with_body(f"<w:tbl><w:tr>{row}</w:tr></w:tbl><w:p/>")).render({})
    [[merged]] = cells(rendered)
    assert merged.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}").get(qn("w:val")) == str(3 * int(template_span or 1))
    assert texts(rendered) == ["Header", ""]


def test_a_cell_command_outside_a_table_is_refused():
    with pytest.raises(TemplateInvalid, match="only allowed inside a table cell"):
        CompiledTemplate(make_docx("Group{% vm %}"))


# --- Merging paragraphs, literal delimiters, quotes ------------------------------------------------


@pytest.mark.parametrize(("in_town", "text"), [(True, "Located\xa0in town."), (False, "Located\xa0in the country.")])
def test_dashed_statements_merge_their_paragraphs_with_the_text_around(in_town, text):
    template = make_docx(
        "Located",
        "{%- if in_town -%}",
        "\xa0in town",
        "{%- else -%}",
        "\xa0in the country",
        "{%- endif -%}",
        ".",
    )
    assert render(template, {"in_town": in_town}) == [text]


def test_a_dashed_statement_followed_by_a_tag_merges_nothing_more():
    template = make_docx(["before", "{% if True -%}"], ["{%- endif %}", " and after"])
    assert render(template) == ["before and after"]


def test_literal_delimiters_print_jinja_delimiters_and_are_not_code():
    template = make_docx("Write {_{ name }_} or {_% if x %_}.", "{{ name }}")
    assert render(template, {"name": "Ada"}) == ["Write {{ name }} or {% if x %}.", "Ada"]


def test_literal_delimiters_alone_in_a_part_are_printed_too():
    assert render(make_docx("Write {_{ name }_}.")) == ["Write {{ name }}."]


def test_words_curly_quotes_inside_a_tag_are_straight_quotes_to_jinja():
    template = make_docx("{% if fee == “fixed” %}A fixed fee{% endif %}{{ ‘!’ }} “quoted”")
    assert render(template, {"fee": "fixed"}) == ["A fixed fee! “quoted”"]


def test_an_opening_delimiter_without_its_closing_one_is_refused():
    with pytest.raises(TemplateInvalid, match="without its closing"):
        CompiledTemplate(make_docx("Dear {{ client.name"))


def test_a_whole_number_is_written_as_it_is():
    assert render(make_docx("Since {{ year }}"), {"year": 2023}) == ["Since 2023"]


# --- Revision and proofing marks ---------------------------------------------------------------


def test_a_tag_split_around_tracked_changes_counts_inserted_text_and_ignores_deleted_text():
    body = (
        "<w:p><w:r><w:t>{{ cli</w:t></w:r>"
        '<w:del w:id="1" w:author="A"><w:r><w:delText>XX</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="A"><w:r><w:t>ent.na</w:t></w:r></w:ins>'
        '<w:proofErr w:type="spellStart"/><w:bookmarkStart w:id="0" w:name="b"/>'
        '<w:r><w:t>me }}</w:t></w:r><w:bookmarkEnd w:id="0"/></w:p>'
    )
    assert render(with_body(body), {"client": {"name": "Contoso"}}) == ["Contoso"]


def test_deleted_text_that_looks_like_a_tag_stays_deleted_text():
    body = '<w:p><w:r><w:t>Kept</w:t></w:r><w:del w:id="1" w:author="A"><w:r><w:delText>{{ gone }}</w:delText></w:r></w:del></w:p>'
    rendered = CompiledTemplate(with_body(body)).render({})  # no "gone" in the context: it is not code
    deleted = [node.text for node in xml_part(rendered).iter(qn("w:delText"))]
    assert texts(rendered) == ["Kept"]
    assert deleted == ["{{ gone }}"]


# --- Safety and errors --------------------------------------------------------------------------


def test_a_value_that_looks_like_a_tag_or_markup_is_printed_as_text():
    value = '{{ 7 * 7 }}{% if 1 %}</w:t><w:t>"&'
    assert render(make_docx("{{ v }}"), {"v": value}) == [value]


def test_a_processing_instruction_for_jinja_in_the_template_is_refused():
    with pytest.raises(TemplateInvalid, match="processing instruction"):
        CompiledTemplate(with_body("<w:p><?jinja {{ 7 * 7 }}?></w:p>"))


def test_a_jinja_syntax_error_names_the_tag_and_its_paragraph():
    with pytest.raises(TemplateInvalid) as refusal:
        CompiledTemplate(make_docx("Fine.", "Broken {% if %} here", "Fine too."))
    assert "(at '{% if %}' in the paragraph 'Broken {% if %} here')" in str(refusal.value)

"""Build the Word contract templates from their Markdown sources.

Every templates/source/<id>.md becomes templates/<id>.docx: a document with
numbered headings, bordered tables, a page header taken from templates/<id>.json
and a "Page X of Y" footer. Jinja tags ({{ ... }}, {% ... %}) are copied verbatim,
each inside a single run, so the output stays a valid docxtpl template. Builds
are byte-for-byte reproducible.

A template is built once per text locale its metadata lists in "locales" (the
first is <id>.md's, en-US): templates/<id>.<locale>.docx from
templates/source/<id>.<locale>.md (a translation, with the metadata's
"translations" for that locale), or for en-GB from <id>.md in British spelling
(tools/british.py). Each is on its locale's paper (en-US: US Letter; the catalog
makes a copy on the other paper for the locales that want it).

Usage (from the repository root, with the project virtualenv):
    python -m tools.build_templates             # rebuild every template
    python -m tools.build_templates sow         # rebuild only templates/sow.docx
    python -m tools.build_templates --check     # exit 1 if a committed .docx is stale

Supported Markdown: one "# Title", "##"/"###" headings (numbered clauses "1." and
sub-clauses "1.1"), paragraphs with **bold** and *italic*, "-" bullet lists, "1."
numbered lists (each starting at 1), "---" (a page break) and GFM pipe tables.
Relative column widths follow the dash counts of the table's delimiter row
("|---|------|"); "---:" right-aligns a column (money). A row with an empty cell
is tall enough to sign or date by hand. A table's header row stays with its first
row. U+2011 becomes Word's non-breaking hyphen.
"""

import argparse
import io
import json
import re
import sys
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Inches, Mm, Pt, RGBColor
from markdown_it import MarkdownIt

from freelance.locales import paper_for
from tools.british import british

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SOURCES = TEMPLATES / "source"
FONT = "Calibri"
ACCENT = RGBColor(0x1F, 0x38, 0x64)
GRAY = RGBColor(0x70, 0x70, 0x70)
HEADER_FILL = "D9E2F3"
PAGE_WORDS = {"en": ("Page ", " of "), "de": ("Seite ", " von ")}
"""The footer's "Page X of Y", by the text's language."""
PAPER_SIZES = {"a4": (Mm(210), Mm(297)), "letter": (Inches(8.5), Inches(11))}
WRITING_ROW = 680
"""Height (twentieths of a point: 1.2 cm) of a table row with an empty cell, to sign or date by hand."""
AUTHOR = "Freelance Toolkit"
BUILD_TIME = datetime(2026, 1, 1, tzinfo=UTC)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
BLOCK_TAG = re.compile(r"\{%(p|tr)\s.*%\}", re.S)
BLOCK_STYLES = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2"}
LIST_STYLES = {"bullet_list_open": "List Bullet", "ordered_list_open": "List Number"}
# Parts of python-docx's default template that a fresh contract should not carry.
LEFTOVER_RELS = ("/thumbnail", "/stylesWithEffects", "/customXml")


def set_fonts(rpr):
    """Give a w:rPr explicit Calibri fonts for every script, replacing theme fonts."""
    rfonts = rpr.get_or_add_rFonts()
    rfonts.attrib.clear()
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{attr}"), FONT)


def restyle(style, size, bold=None, color=None, before=None, after=None, line=None):
    """Replace a style's character look and set its paragraph spacing."""
    leftovers = "w:rPr | w:pPr/w:pBdr | w:pPr/w:contextualSpacing | w:pPr/w:tabs"
    for old in style.element.xpath(leftovers):
        old.getparent().remove(old)
    set_fonts(style.element.get_or_add_rPr())
    style.font.size, style.font.bold, style.font.color.rgb = Pt(size), bold, color
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after = (None if pt is None else Pt(pt) for pt in (before, after))
    fmt.line_spacing = line


def setup_styles(doc):
    """Set document defaults and the Normal, title, heading, table and page styles."""
    defaults = doc.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr")[0]
    set_fonts(defaults)
    for tag in ("w:sz", "w:szCs"):
        defaults.find(qn(tag)).set(qn("w:val"), "21")
    styles = doc.styles
    restyle(styles["Normal"], 10.5, after=6, line=1.15)
    restyle(styles["Title"], 20, bold=True, color=ACCENT, before=0, after=12, line=1.0)
    restyle(styles["Heading 1"], 12.5, bold=True, color=ACCENT, before=14, after=4)
    restyle(styles["Heading 2"], 10.5, bold=True, color=ACCENT, before=8, after=3)
    for name in ("Header", "Footer"):
        restyle(styles[name], 8, color=GRAY, before=0, after=0, line=1.0)
    table_text = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = styles["Normal"]
    restyle(table_text, 9.5, before=0, after=0, line=1.0)


def number_headings(doc):
    """Link Heading 1/2 to a multilevel list numbered "1." and "1.1"."""
    numbering = doc.part.numbering_part.element
    abstracts = numbering.findall(qn("w:abstractNum"))
    abstract_id = 1 + max(int(a.get(qn("w:abstractNumId"))) for a in abstracts)
    num_id = 1 + max(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num")))
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        f'<w:pStyle w:val="{style}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="454" w:hanging="454"/></w:pPr></w:lvl>'
        for i, (style, text) in enumerate((("Heading1", "%1."), ("Heading2", "%1.%2")))
    )
    abstracts[-1].addnext(
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
            f'<w:nsid w:val="1F386401"/><w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>'
        )
    )
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>')
    )
    for level, name in enumerate(("Heading 1", "Heading 2")):
        num_pr = doc.styles[name].element.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = level
        num_pr.get_or_add_numId().val = num_id


def setup_page(doc, header_text, locale):
    """Use the locale's paper with contract margins, a right-aligned header and a page-number footer."""
    section = doc.sections[0]
    section.page_width, section.page_height = PAPER_SIZES[paper_for(locale)]
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.2)
    section.header_distance = section.footer_distance = Cm(1.1)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.add_run(header_text)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page, of = PAGE_WORDS[locale.split("-")[0]]
    footer.add_run(page)
    add_field(footer, "PAGE")
    footer.add_run(of)
    add_field(footer, "NUMPAGES")


def add_field(paragraph, code):
    """Append a complex field such as PAGE, showing "1" until Word updates it."""
    for content in (
        '<w:fldChar w:fldCharType="begin"/>',
        f'<w:instrText xml:space="preserve"> {code} </w:instrText>',
        '<w:fldChar w:fldCharType="separate"/>',
        "<w:t>1</w:t>",
        '<w:fldChar w:fldCharType="end"/>',
    ):
        paragraph._p.append(parse_xml(f"<w:r {nsdecls('w')}>{content}</w:r>"))


def add_span(spans, text, style):
    """Append text to a span list, extending the last span if its style matches."""
    if spans and spans[-1][1] == style:
        spans[-1][0] += text
    elif text:
        spans.append([text, style])


def is_block_tag(spans):
    """True if the spans hold nothing but a {%p ... %} or {%tr ... %} tag."""
    return bool(BLOCK_TAG.fullmatch("".join(text for text, _ in spans).strip()))


def is_tag(text):
    """True if ``text`` is nothing but a {%p ... %} or {%tr ... %} tag."""
    return is_block_tag([[text, None]])


def is_writing_row(row):
    """True for a table row with an empty cell (to sign or date by hand), not a {%tr %} tag's row."""
    return not is_tag(row.cells[0].text) and any(not cell.text.strip() for cell in row.cells)


def stories(doc):
    """The parts holding the document's text: its body, headers and footers."""
    return [doc.part] + [
        rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith(("/header", "/footer"))
    ]


def inline_paragraphs(inline):
    """Turn an inline token into paragraphs of [text, (bold, italic)] spans.

    Soft breaks become spaces, except around a line holding only a {%p %} or
    {%tr %} tag: docxtpl deletes that tag's whole paragraph, so it gets its own.
    """
    lines, marks = [[]], {"strong": False, "em": False}
    for child in inline.children:
        mark, _, edge = child.type.rpartition("_")
        if mark in marks:
            marks[mark] = edge == "open"
        elif child.type == "softbreak":
            lines.append([])
        else:
            text = "\n" if child.type == "hardbreak" else child.content
            add_span(lines[-1], text, (marks["strong"], marks["em"]))
    paragraphs = [lines[0]]
    for line in lines[1:]:
        if is_block_tag(line) or is_block_tag(paragraphs[-1]):
            paragraphs.append(line)
            continue
        if paragraphs[-1]:
            paragraphs[-1][-1][0] += " "
        for text, style in line:
            add_span(paragraphs[-1], text, style)
    return paragraphs


def write_runs(paragraph, spans, bold=False):
    """Add one run per formatting span to a paragraph."""
    for text, (span_bold, italic) in spans:
        run = paragraph.add_run(text)
        if bold or span_bold:
            run.bold = True
        if italic:
            run.italic = True


def column_widths(source_lines, table_token, text_width):
    """Column widths proportional to the dashes of the delimiter row."""
    delimiter = source_lines[table_token.map[0] + 1].strip().strip("|")
    dashes = [max(cell.count("-"), 1) for cell in delimiter.split("|")]
    return [text_width * n // sum(dashes) for n in dashes]


def format_table(table, widths, alignments):
    """Full width, fixed columns, small cell margins, rows that never split, a header row kept with the first
    row, right-aligned columns where the delimiter row says so, and room to write in rows with an empty cell."""
    table.style = "Table Grid"
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_width = tbl_pr.find(qn("w:tblW"))
    tbl_width.set(qn("w:type"), "pct")
    tbl_width.set(qn("w:w"), "5000")
    tbl_pr.find(qn("w:tblLayout")).addnext(
        parse_xml(
            f'<w:tblCellMar {nsdecls("w")}><w:top w:w="45" w:type="dxa"/>'
            '<w:left w:w="85" w:type="dxa"/><w:bottom w:w="45" w:type="dxa"/>'
            '<w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
        )
    )
    for column, width in zip(table.columns, widths):
        column.width = width
        for cell in column.cells:
            cell.width = width
    writing = [index > 0 and is_writing_row(row) for index, row in enumerate(table.rows)]
    signing = any(writing)
    for index, row in enumerate(table.rows):
        if signing and index < len(table.rows) - 1:  # a table to sign stays on one page
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.keep_with_next = True
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if index == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))
            for cell in row.cells:
                cell._tc.get_or_add_tcPr().append(
                    parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/>')
                )
                cell.paragraphs[0].paragraph_format.keep_with_next = True
        elif writing[index]:
            tr_pr.append(parse_xml(f'<w:trHeight {nsdecls("w")} w:val="{WRITING_ROW}" w:hRule="atLeast"/>'))
        for cell, alignment in zip(row.cells, alignments):
            if alignment == "right" and not is_tag(cell.text):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def add_table(doc, tokens, start, source_lines):
    """Add the pipe table opening at tokens[start]; return the index after it."""
    previous = doc.element.body.sectPr.getprevious()
    if previous is not None and previous.tag == qn("w:p"):
        doc.paragraphs[-1].paragraph_format.keep_with_next = True  # the table's lead-in
    rows, alignments = [], []
    for end in range(start, len(tokens)):
        if tokens[end].type == "tr_open":
            rows.append([])
        elif tokens[end].type == "th_open":
            alignments.append("right" if "right" in str(tokens[end].attrGet("style") or "") else None)
        elif tokens[end].type == "inline":
            rows[-1].append(tokens[end])
        elif tokens[end].type == "table_close":
            break
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    for index, (row, cells) in enumerate(zip(table.rows, rows)):
        for cell, inline in zip(row.cells, cells):
            paragraph = cell.paragraphs[0]
            paragraph.style = "Table Text"
            write_runs(paragraph, inline_paragraphs(inline)[0], bold=index == 0)
    width = doc.sections[0].page_width - doc.sections[0].left_margin - doc.sections[0].right_margin
    format_table(table, column_widths(source_lines, tokens[start], width), alignments)
    return end + 1


def render(doc, markdown):
    """Append the Markdown document's blocks to the Word body."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    lists, index, after_table, numbers = [], 0, False, None
    while index < len(tokens):
        token = tokens[index]
        if token.type == "table_open":
            index, after_table = add_table(doc, tokens, index, markdown.splitlines()), True
            continue
        if token.type in LIST_STYLES:
            if not lists:
                keep_lead_in(doc)
            lists.append(LIST_STYLES[token.type] + (" 2" if lists else ""))
            numbers = restarted_numbering(doc, lists[-1]) if token.type == "ordered_list_open" else None
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "inline":
            style = BLOCK_STYLES.get(tokens[index - 1].tag) or (lists[-1] if lists else None)
            for spans in inline_paragraphs(token):
                paragraph = doc.add_paragraph(style=style)
                if lists and numbers is not None and not is_block_tag(spans):
                    number_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                    number_pr.get_or_add_ilvl().val = len(lists) - 1
                    number_pr.get_or_add_numId().val = numbers
                write_runs(paragraph, spans)
                if after_table and style not in BLOCK_STYLES.values():
                    paragraph.paragraph_format.space_before = Pt(6)  # air below the table
                after_table = False
        elif token.type == "hr":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif token.type in ("code_block", "fence"):
            line = token.map[0] + 1
            print(f"warning: line {line}: {token.type} kept as plain text", file=sys.stderr)
            doc.add_paragraph(token.content.strip())
        index += 1


def keep_lead_in(doc):
    """Keep the paragraph that introduces a list ("... the following services:") with the list's first item."""
    for paragraph in reversed(doc.paragraphs):
        if not is_tag(paragraph.text):
            if paragraph.text.rstrip().endswith(":"):
                paragraph.paragraph_format.keep_with_next = True
            return


def restarted_numbering(doc, style_name):
    """A new numbering instance of ``style_name``'s list that starts again at 1; return its id."""
    numbering = doc.part.numbering_part.element
    style_num = doc.styles[style_name].element.pPr.numPr.numId.val
    abstract = numbering.num_having_numId(style_num).abstractNumId.val
    num_id = 1 + max(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num")))
    numbering.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>'
            '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
        )
    )
    return num_id


def non_breaking_hyphens(doc):
    """Turn each U+2011 of the text into Word's non-breaking hyphen, which every font can show."""
    for part in stories(doc):
        for text in part.element.xpath("//w:t[contains(., '\u2011')]"):
            pieces = text.text.split("\u2011")
            text.text = pieces[0]
            text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            anchor = text
            for piece in pieces[1:]:
                hyphen = OxmlElement("w:noBreakHyphen")
                anchor.addnext(hyphen)
                anchor = OxmlElement("w:t")
                anchor.text = piece
                anchor.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                hyphen.addnext(anchor)


def check_tags(template_id, markdown, doc):
    """Fail unless every Jinja tag of the source sits whole inside one run."""
    # A filter's "|" inside a table cell is written "\|" in the source.
    expected = Counter(" ".join(tag.replace("\\|", "|").split()) for tag in TAG.findall(markdown))
    found = Counter(
        " ".join(tag.split())
        for run in doc.element.body.iter(qn("w:r"))
        for tag in TAG.findall("".join(t.text or "" for t in run.iter(qn("w:t"))))
    )
    if expected != found:
        broken = sorted((expected - found) + (found - expected))
        raise SystemExit(f"{template_id}: Jinja tags not kept intact: {broken}")


def set_properties(doc, meta, locale):
    """Fixed, reproducible document properties taken from the metadata; the text's language."""
    props = doc.core_properties
    props.title = meta["properties"]["title"]
    props.subject = meta["properties"]["subject"]
    props.author = props.last_modified_by = AUTHOR
    props.comments = ""
    props.revision = 1
    props.created = props.modified = BUILD_TIME
    props.language = locale
    doc.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang")[0].set(qn("w:val"), locale)


def drop_leftovers(doc):
    """Remove the default template's thumbnail, stylesWithEffects and customXml parts."""
    for rels in (doc.part.package.rels, doc.part.rels):
        for rid in [rid for rid, rel in rels.items() if rel.reltype.endswith(LEFTOVER_RELS)]:
            del rels[rid]


def drop_unused_styles(doc):
    """Remove the default template's styles that nothing uses: LibreOffice and Word load the contract faster.

    Kept: styles the body, header, footer or numbering name, the defaults, and the styles those are
    based on, linked to or followed by.
    """
    parts = [*stories(doc), doc.part.numbering_part]
    named = {
        name
        for part in parts
        for name in part.element.xpath("//w:pStyle/@w:val | //w:rStyle/@w:val | //w:tblStyle/@w:val")
    }
    styles = {style.get(qn("w:styleId")): style for style in doc.styles.element.xpath("w:style")}
    named |= {style_id for style_id, style in styles.items() if style.get(qn("w:default")) == "1"}
    pending = list(named)
    while pending:
        style = styles.get(pending.pop())
        for related in [] if style is None else style.xpath("w:basedOn/@w:val | w:link/@w:val | w:next/@w:val"):
            if related not in named:
                named.add(related)
                pending.append(related)
    for style_id, style in styles.items():
        if style_id not in named:
            style.getparent().remove(style)


def reproducible_zip(data):
    """Rewrite a .docx zip with fixed timestamps and attributes, same member order."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            target.writestr(info, source.read(member))
    return output.getvalue()


def locales(template_id):
    """The text locales of a template (its metadata's "locales"), the first one its <id>.md's."""
    meta = json.loads((TEMPLATES / f"{template_id}.json").read_text(encoding="utf-8"))
    return meta.get("locales", ["en-US"])


def target(template_id, locale):
    """The .docx a template's text in ``locale`` is built into: <id>.docx for the first, <id>.<locale>.docx."""
    first = locales(template_id)[0]
    return TEMPLATES / (f"{template_id}.docx" if locale == first else f"{template_id}.{locale}.docx")


def source(template_id, locale):
    """The Markdown source and metadata of a template's text in ``locale``: <id>.<locale>.md with the
    metadata's "translations" for it, else (en-GB) <id>.md in British spelling, else <id>.md."""
    meta = json.loads((TEMPLATES / f"{template_id}.json").read_text(encoding="utf-8"))
    meta |= meta.get("translations", {}).get(locale, {})
    own = SOURCES / f"{template_id}.{locale}.md"
    if own.exists():
        return own.read_text(encoding="utf-8"), meta
    markdown = (SOURCES / f"{template_id}.md").read_text(encoding="utf-8")
    if locale == "en-GB":
        meta["header"] = british(meta["header"])
        meta["properties"] = {name: british(text) for name, text in meta["properties"].items()}
        return british(markdown), meta
    return markdown, meta


def build(template_id, locale="en-US"):
    """Return the .docx bytes of a template's text in ``locale`` (see ``source``)."""
    markdown, meta = source(template_id, locale)
    doc = Document()
    setup_styles(doc)
    number_headings(doc)
    setup_page(doc, meta["header"], locale)
    render(doc, markdown)
    check_tags(template_id, markdown, doc)
    set_properties(doc, meta, locale)
    non_breaking_hyphens(doc)
    drop_leftovers(doc)
    drop_unused_styles(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return reproducible_zip(buffer.getvalue())


def main(argv=None):
    """Build or check the requested templates; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="template ids (default: every source)")
    parser.add_argument("--check", action="store_true", help="only report stale .docx files")
    args = parser.parse_args(argv)
    ids = args.ids or sorted(path.stem for path in SOURCES.glob("*.md") if "." not in path.stem)
    missing = [i for i in ids if not (SOURCES / f"{i}.md").exists()]
    if missing:
        parser.error(f"no Markdown source for: {', '.join(missing)}")
    stale = []
    for template_id in ids:
        for locale in locales(template_id):
            path, data = target(template_id, locale), build(template_id, locale)
            if args.check:
                if not path.exists() or path.read_bytes() != data:
                    stale.append(path.relative_to(TEMPLATES.parent))
            else:
                path.write_bytes(data)
                print(f"built {path.relative_to(TEMPLATES.parent)}")
    for path in stale:
        print(f"out of date: {path} (run python -m tools.build_templates)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())

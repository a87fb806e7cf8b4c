"""Turning the XML of a Word part into Jinja source.

Word splits typed text into runs wherever spell-check, formatting or revision marks fall, so a tag
like ``{{ client.name }}`` may arrive as ``{{``, `` client``, ``.name }}``. Compiling a part:

1. joins every tag back into the text node where it starts;
2. turns paragraphs holding only ``{%p ... %}`` and table rows whose text is ``{%tr ... %}`` into
   the bare statement, so loops and conditions repeat whole paragraphs and rows (docxtpl's syntax);
3. wraps each ``{{ <object>.<field> }}`` of the objects the caller names (``controlled``) in a
   content control tagged ``<object>.<field>``, so an add-in can find and refill it later;
4. lifts every tag out of the text into a processing instruction, serialises the tree, and puts
   the tags back as Jinja code. Only tag text becomes code; all other text stays escaped XML.
   (Tags are found by their delimiters: an unmatched ``{{`` in template text is a template error.)
"""

from __future__ import annotations

import re
from copy import deepcopy

from lxml import etree

from .ooxml import parse as parse_xml
from .ooxml import qn

_P, _R, _T, _TR, _RPR = (qn(f"w:{name}") for name in ("p", "r", "t", "tr", "rPr"))
_SDT, _SDT_PR, _SDT_CONTENT, _TAG, _ALIAS, _VAL = (
    qn(f"w:{name}") for name in ("sdt", "sdtPr", "sdtContent", "tag", "alias", "val")
)
_SPACE = qn("xml:space")

TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_BLOCK_TAG = re.compile(r"\{%-?\s*(p|tr)\s")
_BLOCK = re.compile(r"^\{%(p|tr)\s+((?:(?!%\}).)*?)\s*%\}$", re.S)
_PI_TARGET = "jinja"
_PI = re.compile(r"<\?jinja (.*?)\?>", re.S)


class TemplateSyntaxError(ValueError):
    """A template part whose tags cannot be compiled; the message says where and why."""


def parse(xml: bytes) -> etree._Element:
    """Return the root of a part; raise TemplateSyntaxError for malformed XML or a DTD."""
    try:
        root = parse_xml(xml)
    except etree.XMLSyntaxError as exc:
        raise TemplateSyntaxError(f"the part is not well-formed XML: {exc}") from exc
    if root.getroottree().docinfo.doctype:  # type: ignore[attr-defined]  # lxml-stubs lack DocInfo.doctype
        raise TemplateSyntaxError("the part declares a DTD, which templates may not")
    return root


def wordml_source(xml: bytes, controlled: tuple[str, ...] = ()) -> str | None:
    """Return the Jinja source of a WordprocessingML part, or None if it holds no tags.

    Each ``{{ <object>.<field> }}`` of an object named in ``controlled`` gets its content control.
    """
    root = parse(xml)
    for paragraph in root.iter(_P):
        _join_split_tags(paragraph)
    _lift_block_statements(root)
    if controlled:
        _wrap_fields(root, _field_tag(controlled))
    return _jinja_source(root)


def _field_tag(objects: tuple[str, ...]) -> re.Pattern[str]:
    """Return the pattern of a tag that prints one field of one of ``objects``; group 1 is ``object.field``."""
    names = "|".join(re.escape(name) for name in objects)
    return re.compile(rf"\{{\{{\s*((?:{names})\.[a-z_]+)\s*\}}\}}")


def text_source(xml: bytes) -> str | None:
    """Return the Jinja source of any other XML part (tags in element text), or None if it has none."""
    return _jinja_source(parse(xml))


def _own_text_nodes(paragraph: etree._Element) -> list[etree._Element]:
    # A text box nests paragraphs inside a paragraph; their text is theirs, not this one's.
    return [t for t in paragraph.iter(_T) if next(t.iterancestors(_P)) is paragraph]


def _join_split_tags(paragraph: etree._Element) -> None:
    nodes = _own_text_nodes(paragraph)
    if len(nodes) < 2:
        return
    texts = [t.text or "" for t in nodes]
    full = "".join(texts)
    if "{" not in full:
        return
    owner = [i for i, text in enumerate(texts) for _ in text]
    for match in TAG.finditer(full):
        first = owner[match.start()]
        for position in range(match.start(), match.end()):
            owner[position] = first
    joined = [""] * len(nodes)
    for position, char in enumerate(full):
        joined[owner[position]] += char
    for node, old, new in zip(nodes, texts, joined):
        if old != new:
            node.text = new
            node.set(_SPACE, "preserve")


def _lift_block_statements(root: etree._Element) -> None:
    for paragraph in list(root.iter(_P)):
        text = "".join(t.text or "" for t in _own_text_nodes(paragraph)).strip()
        if not _BLOCK_TAG.search(text):
            continue
        match = _BLOCK.match(text)
        if not match:
            raise TemplateSyntaxError(f"{text[:60]!r}: a {{%p %}} or {{%tr %}} tag must be alone in its paragraph")
        level, statement = match.groups()
        target = paragraph if level == "p" else next(paragraph.iterancestors(_TR), None)
        if target is None:
            raise TemplateSyntaxError(f"{text[:60]!r}: {{%tr %}} is only allowed inside a table row")
        parent = target.getparent()
        if parent is None:
            continue  # already replaced: a row whose cells hold more than one {%tr %}
        instruction = etree.ProcessingInstruction(_PI_TARGET, f"{{% {statement} %}}")
        instruction.tail = target.tail
        parent.replace(target, instruction)


def _wrap_fields(root: etree._Element, field_tag: re.Pattern[str]) -> None:
    for node in list(root.iter(_T)):
        run = node.getparent()
        while run is not None and run.tag == _R and node.text and (match := field_tag.search(node.text)):
            if _inside_content_control(run, match.group(1)):
                break
            node = _split_out_field(run, node, match)
            run = node.getparent()


def _inside_content_control(run: etree._Element, field: str) -> bool:
    return any(tag.get(_VAL) == field for sdt in run.iterancestors(_SDT) for tag in sdt.iterfind(f"{_SDT_PR}/{_TAG}"))


def _split_out_field(run: etree._Element, node: etree._Element, match: re.Match[str]) -> etree._Element:
    """Move the tag ``match`` of ``node`` into its own run inside a content control after ``run``.

    ``match`` was found in the text of ``node``. Returns the text node that holds what followed the
    tag (in a new run after the control).
    """
    text = match.string
    before, tag, after = text[: match.start()], match.group(0), text[match.end() :]
    properties = run.find(_RPR)
    following = list(node.itersiblings())
    node.text = before
    node.set(_SPACE, "preserve")
    field_run, _ = _run(properties, tag)
    rest_run, rest = _run(properties, after)
    for sibling in following:
        rest_run.append(sibling)
    control = _content_control(match.group(1), field_run)
    run.addnext(control)
    control.addnext(rest_run)
    return rest


def _run(properties: etree._Element | None, text: str) -> tuple[etree._Element, etree._Element]:
    """Return a new run holding ``text`` (with a copy of ``properties``), and its text node."""
    run = etree.Element(_R)
    if properties is not None:
        run.append(deepcopy(properties))
    node = etree.SubElement(run, _T)
    node.text = text
    node.set(_SPACE, "preserve")
    return run, node


def _content_control(field: str, run: etree._Element) -> etree._Element:
    control = etree.Element(_SDT)
    properties = etree.SubElement(control, _SDT_PR)
    etree.SubElement(properties, _ALIAS).set(_VAL, " ".join(field.replace("_", " ").split(".")).capitalize())
    etree.SubElement(properties, _TAG).set(_VAL, field)
    etree.SubElement(control, _SDT_CONTENT).append(run)
    return control


def _jinja_source(root: etree._Element) -> str | None:
    found = False
    for element in list(root.iter(etree.Element)):
        if element.text and TAG.search(element.text):
            _lift_tags(element)
            found = True
    if not found and not any(True for _ in root.iter(etree.ProcessingInstruction)):
        return None
    xml = etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True).decode("utf-8")
    return _PI.sub(lambda match: match.group(1), xml)


def _lift_tags(element: etree._Element) -> None:
    text = element.text or ""
    pieces = TAG.split(text)
    tags = TAG.findall(text)
    element.text = pieces[0]
    for index, (tag, literal) in enumerate(zip(tags, pieces[1:])):
        if "?>" in tag:
            raise TemplateSyntaxError(f"{tag[:60]!r}: a tag may not contain '?>'")
        instruction = etree.ProcessingInstruction(_PI_TARGET, tag)
        instruction.tail = literal
        element.insert(index, instruction)
    if element.tag == _T:
        element.set(_SPACE, "preserve")

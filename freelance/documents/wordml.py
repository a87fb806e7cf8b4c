"""Turning the XML of a Word part into Jinja source, with docxtpl's tag syntax.

Word splits typed text into runs wherever spell-check, formatting or revision marks fall, so a tag
like ``{{ client.name }}`` may arrive as ``{{``, `` client``, ``.name }}``. Compiling a part:

1. joins every tag back into the text node where it starts (deleted text, ``w:delText``, is not
   text: it neither counts nor holds tags);
2. merges text across runs and paragraphs at ``{%-`` (with the text before) and ``-%}`` (with the
   text after): the markup between goes, as in docxtpl;
3. applies the cell commands: ``{% colspan n %}`` and ``{% cellbg colour %}`` set the cell's span
   and shading; in a loop, ``{% vm %}`` merges the cell's copies vertically and ``{% hm %}``
   horizontally (one cell spanning them all);
4. turns paragraphs holding only ``{%p ... %}``, and the cells and rows whose paragraph holds only
   ``{%tc ... %}`` or ``{%tr ... %}``, into the bare statement, so loops and conditions repeat whole
   paragraphs, cells and rows; ``{#p ... #}``, ``{#tc ... #}`` and ``{#tr ... #}`` remove theirs;
   ``{%r ... %}`` replaces its run (the text around it keeps runs of its own);
5. wraps each ``{{ <object>.<field> }}`` of the objects the caller names (``controlled``) in a
   content control tagged ``<object>.<field>``, so an add-in can find and refill it later;
6. lifts every tag out of the text into a processing instruction and writes the source (see
   :mod:`.instructions`): only tag text becomes code, all other text stays escaped XML.
"""

from __future__ import annotations

import re
from copy import deepcopy

from lxml import etree

from .instructions import TAG, TemplateSyntaxError, code, guard, instruction, jinja_source
from .ooxml import parse_part, qn

__all__ = ["TemplateSyntaxError", "parse", "text_source", "wordml_source"]

_P, _R, _T, _TR, _TC, _RPR = (qn(f"w:{name}") for name in ("p", "r", "t", "tr", "tc", "rPr"))
_SDT, _SDT_PR, _SDT_CONTENT, _TAG, _ALIAS, _VAL = (
    qn(f"w:{name}") for name in ("sdt", "sdtPr", "sdtContent", "tag", "alias", "val")
)
_DELETED = frozenset({qn("w:delText"), qn("w:delInstrText")})
_SPACE = qn("xml:space")

_LEVELS = {"p": _P, "tc": _TC, "tr": _TR}
_BLOCK_TAG = re.compile(r"\{%-?\s*(p|tr|tc)\s|\{#(p|tr|tc)\s")
_BLOCK = re.compile(r"^\{%(p|tr|tc)\s+((?:(?!%\}).)*?)\s*%\}$|^\{#(p|tr|tc)\s((?:(?!#\}).)*)#\}$", re.S)
_RUN_STATEMENT = re.compile(r"\{%r\s+((?:(?!%\}).)*?)\s*%\}", re.S)
_PRINTED_BLOCK = re.compile(r"\{\{(p|tr|tc|r)\s")
_TAG_START = re.compile(r"\{\{|\{%|\{#")
_MERGE_BEFORE, _MERGE_AFTER = "{%-", "-%}"
_CELL_COMMAND = re.compile(r"\{%\s*(vm|hm)\s*%\}|\{%\s*(colspan|cellbg)\s+((?:(?!%\}).)*?)\s*%\}", re.S)
_TC_PR = qn("w:tcPr")
_CELL_ORDER = (
    "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark headers"
    " cellIns cellDel cellMerge tcPrChange"
)
_CELL_PROPERTIES = {name: rank for rank, name in enumerate(_CELL_ORDER.split(), start=1)}
"""The children of ``w:tcPr`` and their rank in the schema's order."""
_FIRST = "{% if loop.first %}"


def parse(xml: bytes) -> etree._Element:
    """Return the root of a part; raise TemplateSyntaxError for malformed XML, a DTD or stray Jinja instructions."""
    try:
        root = parse_part(xml)
    except ValueError as exc:
        raise TemplateSyntaxError(str(exc)) from exc
    for node in root.iter(etree.ProcessingInstruction, etree.Comment):
        # The compiler's own instructions are the only code: none may come with the template.
        if "jinja" in etree.tostring(node, encoding="unicode"):
            raise TemplateSyntaxError("the part holds a 'jinja' processing instruction or comment")
    return root


def wordml_source(xml: bytes, controlled: tuple[str, ...] = ()) -> str | None:
    """Return the Jinja source of a WordprocessingML part, or None if it holds no tags.

    Each ``{{ <object>.<field> }}`` of an object named in ``controlled`` gets its content control.
    Raise TemplateSyntaxError for a tag the compiler cannot place.
    """
    root = parse(xml)
    for paragraph in root.iter(_P):
        _join_split_tags(paragraph)
    _merge_at_dashes(root)
    _apply_cell_commands(root)
    removed = _lift_block_statements(root)
    _lift_run_statements(root)
    if controlled:
        _wrap_fields(root, _field_tag(controlled))
    return jinja_source(root, skip=_DELETED, changed=removed)


def _field_tag(objects: tuple[str, ...]) -> re.Pattern[str]:
    """Return the pattern of a tag that prints one field of one of ``objects``; group 1 is ``object.field``."""
    names = "|".join(re.escape(name) for name in objects)
    return re.compile(rf"\{{\{{\s*((?:{names})\.[a-z_]+)\s*\}}\}}")


def text_source(xml: bytes) -> str | None:
    """Return the Jinja source of any other XML part (tags in element text), or None if it has none."""
    return jinja_source(parse(xml))


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
            _set_text(node, new)


def _set_text(node: etree._Element, text: str) -> None:
    node.text = text
    node.set(_SPACE, "preserve")


def _merge_at_dashes(root: etree._Element) -> None:
    """docxtpl's ``{%-`` and ``-%}``: the tag joins the text node before (after) it, and what lies between goes."""
    previous = None
    for node in list(root.iter(_T)):
        text = node.text or ""
        if previous is not None and (start := text.find(_MERGE_BEFORE)) >= 0:
            # The text before the tag in its own node goes too, as in docxtpl.
            _splice(previous, node, (previous.text or "") + "{%" + text[start + len(_MERGE_BEFORE) :])
        else:
            previous = node
    nodes = list(root.iter(_T))
    for index, node in enumerate(nodes):
        following = iter(nodes[index + 1 :])
        while node.getparent() is not None and (end := _merge_point(node.text or "")) >= 0:
            after = next((t for t in following if t.getparent() is not None), None)
            if after is None:
                break
            _splice(node, after, (node.text or "")[:end] + "%}" + (after.text or ""))


def _merge_point(text: str) -> int:
    """Return where the last ``-%}`` of ``text`` starts if no tag opens after it (else -1)."""
    end = text.rfind(_MERGE_AFTER)
    if end < 0 or _TAG_START.search(text, end):
        return -1
    return end


def _splice(first: etree._Element, second: etree._Element, text: str) -> None:
    """Give ``first`` the ``text``, drop ``second`` and all markup between them, and join their ancestors.

    As if the XML between ``</w:t>`` of ``first`` and ``<w:t>`` of ``second`` were cut out: each
    ancestor of ``second`` below the common one gives what follows the removed part to its
    counterpart on ``first``'s side.
    """
    firsts = [first, *first.iterancestors()]
    seconds = [second, *second.iterancestors()]
    common = next(ancestor for ancestor in seconds if any(ancestor is other for other in firsts))
    depth = next(i for i, ancestor in enumerate(firsts) if ancestor is common)
    if seconds[depth] is not common:
        raise TemplateSyntaxError(f"{(second.text or '')[:60]!r}: cannot merge text at different depths")
    for level in range(depth):
        mine, theirs = firsts[level], seconds[level]
        if level == depth - 1:  # siblings: what lies between them goes, then the second
            following = list(mine.itersiblings())
            between = [*following[: following.index(theirs)], theirs]
        else:  # what follows mine goes; what follows theirs joins mine
            between = [*mine.itersiblings(), *theirs.itersiblings(preceding=True), theirs]
            firsts[level + 1].extend(list(theirs.itersiblings()))
        for element in between:
            _remove(element)
    _set_text(first, text)


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def _apply_cell_commands(root: etree._Element) -> None:
    settings: list[tuple[etree._Element, str]] = []  # each property's placeholder element and its markup
    for node in list(root.iter(_T)):
        merged: etree._Element | None = None
        while node.text and (match := _CELL_COMMAND.search(node.text)):
            cell = next(node.iterancestors(_TC), None)
            if cell is None:
                raise TemplateSyntaxError(f"{match.group()!r} is only allowed inside a table cell")
            _set_text(node, node.text[: match.start()] + node.text[match.end() :])
            command, value = match.group(1) or match.group(2), code(match.group(3) or "")
            w = _prefix(cell)
            if command == "colspan":
                span = f"{{{{ [({value})|int, 1]|max }}}}"
                settings.append((_cell_property(cell, "gridSpan"), f'<{w}:gridSpan {w}:val="{span}"/>'))
            elif command == "cellbg":
                settings.append((_cell_property(cell, "shd"), _shading(w, value)))
            elif command == "vm":
                merge = f"{_FIRST}restart{{% else %}}continue{{% endif %}}"
                settings.append((_cell_property(cell, "vMerge"), f'<{w}:vMerge {w}:val="{merge}"/>'))
                merged = cell
            else:
                span = _spanning_copies(w, cell)
                settings.append((_cell_property(cell, "gridSpan"), span))
                cell.addprevious(instruction(_FIRST))
                cell.addnext(instruction("{% endif %}"))
        if merged is not None:
            # As in docxtpl, the cell's text up to the tag shows in the first copy only.
            cell_text = list(merged.iter(_T))
            for earlier in cell_text[: cell_text.index(node) + 1]:
                guard(earlier, _FIRST, "{% endif %}")
    for placeholder, markup in settings:
        if (parent := placeholder.getparent()) is not None:  # a later command may have replaced it
            lifted = instruction(markup)
            lifted.tail = placeholder.tail
            parent.replace(placeholder, lifted)


def _prefix(cell: etree._Element) -> str:
    if not cell.prefix:
        raise TemplateSyntaxError("a cell command needs the WordprocessingML namespace to have a prefix")
    return cell.prefix


def _cell_property(cell: etree._Element, name: str) -> etree._Element:
    """Return an empty ``w:<name>`` put in the cell's properties in schema order, replacing any there."""
    properties = cell.find(_TC_PR)
    if properties is None:
        properties = etree.Element(_TC_PR)
        cell.insert(0, properties)
    for old in properties.findall(qn(f"w:{name}")):
        properties.remove(old)
    rank = _CELL_PROPERTIES[name]
    later = (child for child in properties if _CELL_PROPERTIES.get(_local_name(child), 0) > rank)
    placeholder = etree.Element(qn(f"w:{name}"))
    if (following := next(later, None)) is not None:
        following.addprevious(placeholder)
    else:
        properties.append(placeholder)
    return placeholder


def _local_name(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _shading(w: str, colour: str) -> str:
    """Return the markup of a cell shading filled with ``colour`` (six hex digits, else automatic)."""
    fill = "fill if fill|length == 6 and not fill|lower|trim('0123456789abcdef') else 'auto'"
    return (
        f"{{% with fill = ({colour})|string|trim|replace('#', '') %}}"
        f'<{w}:shd {w}:val="clear" {w}:color="auto" {w}:fill="{{{{ {fill} }}}}"/>{{% endwith %}}'
    )


def _spanning_copies(w: str, cell: etree._Element) -> str:
    """Return the markup of the span of one cell standing for all the loop's copies of ``cell``."""
    span = cell.find(f"{_TC_PR}/{qn('w:gridSpan')}")
    each = span.get(_VAL, "") if span is not None else ""
    length = f"{int(each)} * loop.length" if each.isdigit() else "loop.length"
    return f'<{w}:gridSpan {w}:val="{{{{ {length} }}}}"/>'


def _lift_block_statements(root: etree._Element) -> bool:
    """Replace block tags' paragraphs, cells and rows by their statements; return whether a comment removed one."""
    removed = False
    for paragraph in list(root.iter(_P)):
        text = "".join(t.text or "" for t in _own_text_nodes(paragraph)).strip()
        if found := _PRINTED_BLOCK.search(text):
            raise TemplateSyntaxError(
                f"{text[:60]!r}: {{{{{found.group(1)} }}}} (docxtpl's rich text) is not supported"
            )
        if not _BLOCK_TAG.search(text):
            continue
        match = _BLOCK.match(text)
        if not match:
            raise TemplateSyntaxError(
                f"{text[:60]!r}: a {{%p %}}, {{%tc %}} or {{%tr %}} tag must be alone in its paragraph"
            )
        level, statement = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), None)
        target = paragraph if level == "p" else next(paragraph.iterancestors(_LEVELS[level]), None)
        if target is None:
            where = "table row" if level == "tr" else "table cell"
            raise TemplateSyntaxError(f"{text[:60]!r}: {{%{level} %}} is only allowed inside a {where}")
        parent = target.getparent()
        if parent is None:
            continue  # already replaced: a row whose cells hold more than one {%tr %}
        if statement is None:
            parent.remove(target)
            removed = True
            continue
        lifted = instruction(f"{{% {code(statement)} %}}")
        lifted.tail = target.tail
        parent.replace(target, lifted)
    return removed


def _lift_run_statements(root: etree._Element) -> None:
    for node in list(root.iter(_T)):
        run = node.getparent()
        while run is not None and run.tag == _R and node.text and (match := _RUN_STATEMENT.search(node.text)):
            node = _split_run(run, node, match, instruction(f"{{% {code(match.group(1))} %}}"))
            run = node.getparent()


def _wrap_fields(root: etree._Element, field_tag: re.Pattern[str]) -> None:
    for node in list(root.iter(_T)):
        run = node.getparent()
        while run is not None and run.tag == _R and node.text and (match := field_tag.search(node.text)):
            if _inside_content_control(run, match.group(1)):
                break
            field_run, _ = _run(run.find(_RPR), match.group(0))
            node = _split_run(run, node, match, _content_control(match.group(1), field_run))
            run = node.getparent()


def _inside_content_control(run: etree._Element, field: str) -> bool:
    return any(tag.get(_VAL) == field for sdt in run.iterancestors(_SDT) for tag in sdt.iterfind(f"{_SDT_PR}/{_TAG}"))


def _split_run(
    run: etree._Element, node: etree._Element, match: re.Match[str], middle: etree._Element
) -> etree._Element:
    """Replace the tag ``match`` of ``node`` (a text node of ``run``) by ``middle``, placed after ``run``.

    ``match`` was found in the text of ``node``. Returns the text node that holds what followed the
    tag (in a new run after ``middle``).
    """
    text = match.string
    following = list(node.itersiblings())
    _set_text(node, text[: match.start()])
    rest_run, rest = _run(run.find(_RPR), text[match.end() :])
    for sibling in following:
        rest_run.append(sibling)
    run.addnext(middle)
    middle.addnext(rest_run)
    return rest


def _run(properties: etree._Element | None, text: str) -> tuple[etree._Element, etree._Element]:
    """Return a new run holding ``text`` (with a copy of ``properties``), and its text node."""
    run = etree.Element(_R)
    if properties is not None:
        run.append(deepcopy(properties))
    node = etree.SubElement(run, _T)
    _set_text(node, text)
    return run, node


def _content_control(field: str, run: etree._Element) -> etree._Element:
    control = etree.Element(_SDT)
    properties = etree.SubElement(control, _SDT_PR)
    etree.SubElement(properties, _ALIAS).set(_VAL, " ".join(field.replace("_", " ").split(".")).capitalize())
    etree.SubElement(properties, _TAG).set(_VAL, field)
    etree.SubElement(control, _SDT_CONTENT).append(run)
    return control

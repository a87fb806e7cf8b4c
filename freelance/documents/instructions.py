"""Jinja code inside a part's XML tree, and the tree written out as Jinja source.

Every piece of code the compiler keeps is a processing instruction ``<?jinja ...?>`` in the tree:
the tags found in element text, and the statements and markup the compiler writes itself. Writing
the source serialises the tree and puts each instruction's code back in place. Only instructions
become code: every other character stays escaped XML, and a ``{`` that Jinja could read as the
start of a tag (before ``{``, ``%``, ``#`` or an instruction) is written ``&#123;``.

docxtpl's literal delimiters ``{_{ }_}`` and ``{_% %_}`` in text print ``{{ }}`` and ``{% %}``.
"""

from __future__ import annotations

import re
from bisect import bisect_right

import jinja2
from jinja2 import Environment
from lxml import etree

from .ooxml import qn

TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_UNMATCHED = re.compile(r"\{\{|\{%|\{#")
_LITERAL = re.compile(r"\{_\{|\}_\}|\{_%|%_\}")
_SMART_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
_TARGET = "jinja"
_T, _P, _SPACE = qn("w:t"), qn("w:p"), qn("xml:space")
_OPENING = re.compile(r"\{[{%#][-+]?")
_SOURCE = re.compile(r"<\?jinja (.*?)\?>|\{(?=[{%#]|<\?jinja )", re.S)


class TemplateSyntaxError(ValueError):
    """A template part whose tags cannot be compiled; the message says where and why."""


def code(tag: str) -> str:
    """Return a tag's code as Jinja reads it: Word's curly quotes become straight ones."""
    return tag.translate(_SMART_QUOTES)


def instruction(source: str) -> etree._Element:
    """Return a processing instruction holding ``source``, Jinja code the compiler vouches for."""
    if "?>" in source:
        raise TemplateSyntaxError(f"{source[:60]!r}: a tag may not contain '?>'")
    return etree.ProcessingInstruction(_TARGET, source)


def lift_tags(element: etree._Element) -> bool:
    """Move the tags of ``element``'s text into instructions among its children; return whether it held any.

    Raise TemplateSyntaxError for an opening delimiter without its closing one.
    """
    text = element.text or ""
    tags = TAG.findall(text)
    pieces = [_literal(piece) for piece in TAG.split(text)]
    element.text = pieces[0]
    for index, (tag, piece) in enumerate(zip(tags, pieces[1:])):
        lifted = instruction(code(tag))
        lifted.tail = piece
        element.insert(index, lifted)
    if element.tag == _T:
        element.set(_SPACE, "preserve")  # a value may start or end with a space
    return bool(tags)


def guard(element: etree._Element, before: str, after: str) -> None:
    """Put ``element``'s text (tags lifted) between the statements ``before`` and ``after``."""
    lift_tags(element)
    opening = instruction(before)
    opening.tail, element.text = element.text, None
    element.insert(0, opening)
    element.append(instruction(after))


def _literal(text: str) -> str:
    if match := _UNMATCHED.search(text):
        closing = {"{{": "}}", "{%": "%}", "{#": "#}"}[match.group()]
        raise TemplateSyntaxError(f"{text[match.start() :][:60]!r}: {match.group()!r} without its closing {closing!r}")
    return _LITERAL.sub(lambda found: found.group().replace("_", ""), text)


def jinja_source(root: etree._Element, skip: frozenset[str] = frozenset(), changed: bool = False) -> str | None:
    """Return the Jinja source of the tree, or None if it holds no code, no literal delimiters and is not ``changed``.

    Tags in the text of elements named in ``skip`` (deleted text) stay text.
    """
    found = changed
    for element in list(root.iter(etree.Element)):
        if element.text and element.tag not in skip:
            if TAG.search(element.text):
                found = lift_tags(element) or found
            elif _LITERAL.search(element.text) or _UNMATCHED.search(element.text):
                element.text = _literal(element.text)
                found = True
    instructions = [node for node in root.iter(etree.ProcessingInstruction) if _is_instruction(node)]
    if not found and not instructions:
        return None
    xml = etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True).decode("utf-8")
    pieces, lines, position, line = [], [], 0, 1
    for match in _SOURCE.finditer(xml):
        pieces.append(xml[position : match.start()])
        line += xml.count("\n", position, match.start())
        position = match.end()
        if match.group(1) is None:
            pieces.append("&#123;")
            continue
        # A line break inside the instruction's first tag, where Jinja ignores it, gives each
        # instruction a line of its own: a syntax error's line number then names the tag.
        lifted = _OPENING.sub(lambda opening: opening.group() + "\n", match.group(1), count=1)
        pieces.append(lifted)
        lines.append(line + 1)
        line += lifted.count("\n")
    source = "".join(pieces) + xml[position:]
    _check_syntax(source, instructions, lines)
    return source


def _check_syntax(source: str, instructions: list[etree._Element], lines: list[int]) -> None:
    """Raise TemplateSyntaxError naming the tag (and its paragraph) where Jinja cannot parse ``source``."""
    try:
        Environment().parse(source)  # parsing runs nothing; the same syntax as the sandbox's
    except jinja2.TemplateSyntaxError as exc:
        index = bisect_right(lines, exc.lineno or 0) - 1
        if index < 0 or (exc.message or "").startswith("Unexpected end of template"):
            raise TemplateSyntaxError(exc.message) from exc
        instruction = instructions[index]
        paragraph = next((p for p in instruction.iterancestors(_P)), None)
        where = f" in the paragraph {_shown(paragraph)!r}" if paragraph is not None else ""
        raise TemplateSyntaxError(f"{exc.message} (at {instruction.text!r}{where})") from exc


def _is_instruction(node: etree._Element) -> bool:
    return isinstance(node, etree._ProcessingInstruction) and node.target == _TARGET


def _shown(paragraph: etree._Element) -> str:
    """Return the paragraph's text as the author typed it, tags included."""
    text = "".join(
        (node.text or "") + (node.tail or "") if _is_instruction(node) else node.text or ""
        for node in paragraph.iter(_T, etree.ProcessingInstruction)
    )
    return text if len(text) <= 100 else text[:97] + "..."

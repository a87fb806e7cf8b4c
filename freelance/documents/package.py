"""A template package (.docx) compiled once and rendered many times into document bytes."""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from jinja2 import Template, TemplateError

from . import wordml
from .environment import WORDML, XML_LINE, Budget, BudgetSpent, budgeted
from .ziparchive import Member, UnsafeZip, ZipLimits, open_checked, pack

# Parts whose text is WordprocessingML runs; other XML parts take tags in plain element text.
_WORDML_PART = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml")
_TEXT_PART = re.compile(r"docProps/(core|app|custom)\.xml")
# Unchanged parts are compressed once, as small as zlib can; rendered parts on every request,
# where level 3 is about twice as fast as the default 6 for a tenth more bytes.
STATIC_LEVEL, RENDERED_LEVEL = 9, 3


class TemplateInvalid(ValueError):
    """A template that cannot be compiled; the message names the part and the reason."""


class RenderFailed(RuntimeError):
    """Rendering failed for these values (a template expression error, or output that is not XML)."""


class RenderLimit(RenderFailed):
    """Rendering stopped: the template loops too often, takes too long or grows too large."""


@dataclass(frozen=True, slots=True)
class _Part:
    name: str
    template: Template


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Return a template member's bytes; raise TemplateInvalid if the archive cannot give them."""
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError) as exc:
        raise TemplateInvalid(f"{info.filename}: the member cannot be read: {exc}") from exc


TEMPLATE_LIMITS = ZipLimits(max_members=500, max_total_size=50 * 1024 * 1024, max_member_size=20 * 1024 * 1024)
"""What a template file may hold before anything in it is decompressed."""


class CompiledTemplate:
    """A .docx (or other OOXML) template, parsed and compiled once.

    ``version`` is the SHA-256 of the template file. ``render(context)`` returns the document's
    bytes: the same context always gives the same bytes. Each ``{{ <object>.<field> }}`` of an
    object named in ``controlled`` becomes a content control tagged ``<object>.<field>``.
    """

    def __init__(self, data: bytes, *, controlled: tuple[str, ...] = (), limits: ZipLimits = TEMPLATE_LIMITS):
        self.version = hashlib.sha256(data).hexdigest()
        try:
            archive = open_checked(data, limits)
        except UnsafeZip as exc:
            raise TemplateInvalid(str(exc)) from exc
        self._layout: list[Member | _Part] = []
        with archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                content = read_member(archive, info)
                part = self._compile(info.filename, content, controlled)
                self._layout.append(part or Member.of(info.filename, content, STATIC_LEVEL))

    @staticmethod
    def _compile(name: str, content: bytes, controlled: tuple[str, ...]) -> _Part | None:
        try:
            if _WORDML_PART.fullmatch(name):
                source, environment = wordml.wordml_source(content, controlled), WORDML
            elif _TEXT_PART.fullmatch(name):
                source, environment = wordml.text_source(content), XML_LINE
            else:
                return None
            return _Part(name, environment.bounded_template(source)) if source is not None else None
        except (wordml.TemplateSyntaxError, TemplateError) as exc:
            lineno = getattr(exc, "lineno", None)  # jinja2's syntax errors say where they are
            line = f" (line {lineno})" if lineno else ""
            raise TemplateInvalid(f"{name}{line}: {exc}") from exc

    @property
    def rendered_parts(self) -> list[str]:
        """The names of the parts that hold tags."""
        return [entry.name for entry in self._layout if isinstance(entry, _Part)]

    def render(self, context: Mapping[str, Any], budget: Budget | None = None) -> bytes:
        """Return the document for ``context``; raise RenderFailed if a part cannot be rendered
        (RenderLimit, a subclass, when it would take more than ``budget``: by default a fresh Budget)."""
        with budgeted(budget or Budget()) as spending:
            return pack(
                [
                    self._render_part(entry, context, spending) if isinstance(entry, _Part) else entry
                    for entry in self._layout
                ]
            )

    @staticmethod
    def _render_part(part: _Part, context: Mapping[str, Any], budget: Budget) -> Member:
        chunks = []
        try:
            for chunk in part.template.generate(context):
                chunks.append(chunk)
                budget.spend_output(len(chunk))
        except BudgetSpent as exc:
            raise RenderLimit(f"{part.name}: {exc}") from exc
        except (TemplateError, TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
            raise RenderFailed(f"{part.name}: {exc}") from exc
        content = "".join(chunks).encode("utf-8")
        try:
            # expat checks well-formedness without building a tree. Rendered parts cannot carry a
            # DTD (templates with one are refused, values are escaped), so no entity is expanded.
            expat.ParserCreate().Parse(content, True)
        except expat.ExpatError as exc:
            raise RenderFailed(f"{part.name} would not be well-formed XML: {exc}") from exc
        return Member.of(part.name, content, RENDERED_LEVEL)

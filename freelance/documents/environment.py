"""The Jinja environments templates render in: sandboxed, strict, and escaping every value."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from ..values import Money
from .formatting import written_date, written_money, written_number

DEFAULT_LOCALE = "en-US"
_WORD_LINE_BREAK = Markup('</w:t><w:br/><w:t xml:space="preserve">')
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _written(context: Context, value: Any) -> str:
    """Return ``value`` as a contract writes it, in the locale the context names."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    locale = context.get("locale") or DEFAULT_LOCALE
    if isinstance(value, Money):
        return written_money(value, locale)
    if isinstance(value, date):
        return written_date(value, locale)
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return written_number(value, locale)
    return str(value)


@pass_context
def _finalize_wordml(context: Context, value: Any) -> Markup:
    # Values always pass through escape(): whatever a user typed is text, never markup or code.
    # A line break in a value (an address) becomes a Word line break inside the same run.
    text = _written(context, value)
    if "\n" not in text and "\r" not in text:
        return escape(text)
    return _WORD_LINE_BREAK.join(escape(line) for line in _LINE_BREAK.split(text))


@pass_context
def _finalize_line(context: Context, value: Any) -> str:
    return " ".join(_LINE_BREAK.split(_written(context, value)))


@pass_context
def _finalize_xml_line(context: Context, value: Any) -> Markup:
    return escape(_finalize_line(context, value))


def _environment(finalize: Callable[[Context, Any], str], autoescape: bool = True) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        autoescape=autoescape,
        undefined=StrictUndefined,
        finalize=finalize,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["written"] = pass_context(_written)
    return env


WORDML = _environment(_finalize_wordml)
"""For WordprocessingML parts, where values sit inside ``<w:t>``."""

XML_LINE = _environment(_finalize_xml_line)
"""For other XML parts (document properties): values on one line, escaped."""

TEXT_LINE = _environment(_finalize_line, autoescape=False)
"""For plain text such as file names: values on one line, not escaped (never written as XML)."""

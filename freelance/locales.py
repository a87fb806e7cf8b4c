"""What a document's locale decides: the language of its text, the formats of its values, its paper.

A shipped contract comes in a few text languages (en-US, en-GB, de-DE). A locale gets the text in its own
language where there is one (de-AT reads the German text), else English: US English in the countries
that write it, British English elsewhere. Values are formatted to match the text: in the locale itself
when the text is in its language, else in the text's own locale, so a sentence never mixes languages.
The paper is the locale's country's: US Letter where CLDR says so, A4 elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from babel.core import get_global

from .values import locale_for

Paper = Literal["letter", "a4"]
PAPERS: tuple[Paper, ...] = ("letter", "a4")

LETTER_COUNTRIES = frozenset(["BZ", "CA", "CL", "CO", "CR", "GT", "MX", "NI", "PA", "PH", "PR", "SV", "US", "VE"])
"""Countries that print on US Letter (CLDR's paperSize data); every other prints on A4."""
US_ENGLISH_COUNTRIES = frozenset(["US", "PR"])
"""Countries whose English text is US English; elsewhere a document in English reads British English."""


def country_of(tag: str) -> str:
    """Return the country of a locale tag, or its language's most likely one (en: US, de: DE)."""
    locale = locale_for(tag)
    if locale.territory:
        return str(locale.territory)
    likely = get_global("likely_subtags").get(locale.language, "")
    return likely.rsplit("_", 1)[-1] if "_" in likely else ""


def paper_for(tag: str) -> Paper:
    """Return the paper a document in locale ``tag`` is printed on."""
    return "letter" if country_of(tag) in LETTER_COUNTRIES else "a4"


def text_locale(tag: str, available: Sequence[str]) -> str:
    """Return which of the ``available`` text locales a document in locale ``tag`` is written in."""
    if tag in available:
        return tag
    language = locale_for(tag).language
    english = "en-US" if country_of(tag) in US_ENGLISH_COUNTRIES else "en-GB"
    same_language = [text for text in available if locale_for(text).language == language]
    if language == "en" and english in available:
        return english
    if same_language:
        return same_language[0]
    return english if english in available else available[0]


def value_locale(tag: str, text: str) -> str:
    """Return the locale values are formatted in: ``tag`` when the text is in its language, else the text's."""
    return tag if locale_for(tag).language == locale_for(text).language else text

"""Values the models hold and the documents write out: money in a currency, and locales.

A neutral module: the models, the budget arithmetic and the document engine all use it, and it
imports none of them.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from babel import Locale, UnknownLocaleError


class Money(NamedTuple):
    """An amount in an ISO 4217 currency; written out as currency, never as a bare number."""

    amount: Decimal
    currency: str


@lru_cache(maxsize=256)
def locale_for(tag: str) -> Locale:
    """Return the Babel locale for a BCP 47 tag such as ``en-US``; raise ValueError if unknown."""
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"unknown locale {tag!r}") from exc

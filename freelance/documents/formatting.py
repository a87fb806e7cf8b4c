"""Values written the way a contract writes them: dates in words and money per locale (Babel)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from ..values import Money, locale_for


# Contracts repeat the same dates and amounts across documents; Babel's pattern lookup is the
# costly part of each call, so formatted strings are memoised per (value, locale). Numbers are
# keyed by their text: Decimal("-0") == Decimal("0") would otherwise share one cache entry.
@lru_cache(maxsize=8192)
def written_date(value: date, tag: str) -> str:
    """Return ``value`` in words for the locale, e.g. "January 4, 2027" (en-US), "4 January 2027" (en-GB)."""
    return format_date(value, format="long", locale=locale_for(tag))


def written_money(value: Money, tag: str) -> str:
    """Return ``value`` as currency for the locale, e.g. "$12,000.00" or "12.000,00 €"."""
    return _written_money(str(value.amount), value.currency, tag)


def written_number(value: Decimal | int, tag: str) -> str:
    """Return a plain number for the locale, e.g. "1,200.5"."""
    return _written_number(str(value), tag)


@lru_cache(maxsize=8192)
def _written_money(amount: str, currency: str, tag: str) -> str:
    return format_currency(Decimal(amount), currency, locale=locale_for(tag))


@lru_cache(maxsize=4096)
def _written_number(number: str, tag: str) -> str:
    return format_decimal(Decimal(number), locale=locale_for(tag))

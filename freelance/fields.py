"""Field types shared by the request models: text without control characters, ISO codes, money."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated

from babel import Locale
from babel.numbers import get_currency_precision, list_currencies
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
    ValidationError,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from .values import locale_for

# Characters XML 1.0 cannot carry, tabs, and other C0/C1 controls a person never means to type.
_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Characters that reorder the text around them: U+202E makes ``Zoe \\u202egnp.exe`` read ``Zoe exe.png``."""
_NOT_COUNTRIES = {"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"}
COUNTRIES = (
    frozenset(code for code in Locale("en").territories if isinstance(code, str) and len(code) == 2 and code.isalpha())
    - _NOT_COUNTRIES
)
_NOT_CURRENCIES = {"XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XDR", "XSU", "XUA", "XBA", "XBB", "XBC", "XBD"}
CURRENCIES = frozenset(list_currencies()) - _NOT_CURRENCIES


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be a single line")
    return _no_controls(value)


def _multi_line(value: str) -> str:
    return _no_controls(value.replace("\r\n", "\n").replace("\r", "\n"))


def _no_controls(value: str) -> str:
    if found := _CONTROL.search(value):
        raise ValueError(f"contains a control character (U+{ord(found.group()):04X})")
    return value


def _no_bidi_controls(value: str) -> str:
    if found := BIDI_CONTROLS.search(value):
        raise ValueError(
            f"contains a bidirectional control character (U+{ord(found.group()):04X}), "
            "which makes the text read differently from what it is"
        )
    return value


def _country(value: str) -> str:
    if value.upper() not in COUNTRIES:
        raise ValueError(f"{value[:20]!r} is not an ISO 3166-1 alpha-2 country code")
    return value.upper()


def _currency(value: str) -> str:
    if value.upper() not in CURRENCIES:
        raise ValueError(f"{value[:20]!r} is not an ISO 4217 currency code")
    return value.upper()


def _locale(value: str) -> str:
    locale_for(value)
    return value


def _iso_date(value: object) -> object:
    # JSON has no date type: only an ISO 8601 string is a date (not a number of seconds).
    if not isinstance(value, (str, date)):
        raise ValueError("is not a date: write it as YYYY-MM-DD, e.g. 2027-01-31")
    return value


def _plausible_year(value: date) -> date:
    if not 1900 <= value.year <= 2199:
        raise ValueError("must be between the years 1900 and 2199")
    return value


def _length(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


_LINE, _LINES = AfterValidator(_single_line), AfterValidator(_multi_line)

# Required text, stripped, of 1 to N characters: LineN on a single line, TextN of one or more lines.
Line40 = Annotated[str, _length(40), _LINE]
Line50 = Annotated[str, _length(50), _LINE]
Line60 = Annotated[str, _length(60), _LINE]
Line120 = Annotated[str, _length(120), _LINE]
Line200 = Annotated[str, _length(200), _LINE]
Line300 = Annotated[str, _length(300), _LINE]
Line500 = Annotated[str, _length(500), _LINE]
Text500 = Annotated[str, _length(500), _LINES]
Text1000 = Annotated[str, _length(1000), _LINES]
Text2000 = Annotated[str, _length(2000), _LINES]
Text4000 = Annotated[str, _length(4000), _LINES]
Name = Annotated[str, _length(200), _LINE, AfterValidator(_no_bidi_controls)]
"""A person's or a company's name: a single line, and nothing that reorders how it reads."""
# A code's letters, told to clients (a form's field limits); the validator checks the code is a real one.
Country = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    AfterValidator(_country),
    Field(json_schema_extra={"minLength": 2, "maxLength": 2, "pattern": "^[A-Za-z]{2}$"}),
]
Currency = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    AfterValidator(_currency),
    Field(json_schema_extra={"minLength": 3, "maxLength": 3, "pattern": "^[A-Za-z]{3}$"}),
]
LocaleTag = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20), AfterValidator(_locale)]
Date = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_plausible_year)]
Amount = Annotated[Decimal, Field(gt=0, max_digits=15, decimal_places=3)]
"""A positive amount of money: at most 15 digits, at most 3 decimal places (the currency may allow fewer)."""
Units = Annotated[Decimal, Field(gt=0, le=100_000, max_digits=10, decimal_places=2)]


def text(max_length: int) -> object:
    """Return the type of required text of one or more lines, stripped, of 1 to ``max_length`` characters."""
    return Annotated[str, _length(max_length), _LINES]


def excess_decimals(amount: Decimal | None, currency: str | None) -> str | None:
    """Return why ``amount`` has more decimals than ``currency`` allows (100.005 USD, 10.5 JPY), or None.

    Trailing zeros do not count: 5000.0 JPY, as many JSON writers send 5000, is 5000 yen.
    """
    if amount is None or currency is None or not amount.is_finite():
        return None
    digits = get_currency_precision(currency)
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        return f"{currency} amounts have at most {digits} decimal places"
    return None


def refuse_excess_decimals(model: BaseModel, field: str, currency: str | None) -> None:
    """Raise a ValidationError at ``field`` of ``model`` (its path in any enclosing model) when its amount has
    more decimals than ``currency`` allows."""
    amount = getattr(model, field)
    if reason := excess_decimals(amount, currency):
        error = InitErrorDetails(type=PydanticCustomError("currency_decimals", reason), loc=(field,), input=amount)
        raise ValidationError.from_exception_data(type(model).__name__, [error])

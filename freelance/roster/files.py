"""Reading a roster file: a CSV or .xlsx roster, row by row.

Columns are matched by header, ignoring case, spaces and punctuation, with the usual synonyms
(``Full name``, ``E-mail``, ``Hourly rate``, an Upwork-style export). Rows stream: a file is never
held in memory as a whole sheet.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from babel import Locale
from openpyxl import load_workbook
from pydantic import ValidationError

from ..documents import UnsafeZip, ZipLimits, open_checked
from ..errors import UnreadableFile
from ..fields import COUNTRIES
from ..models import RosterFreelancer
from ..problems import Problem
from .export import ESCAPED_START
from .lists import skills_of

_SYNONYMS = {
    "name": [
        "name",
        "full name",
        "legal name",
        "freelancer",
        "freelancer name",
        "contractor",
        "contractor name",
        "vendor",
        "vendor name",
        "supplier",
        "supplier name",
        "contact name",
    ],
    "business_name": ["business name", "business", "company", "company name", "trading name", "trading as", "agency"],
    "email": [
        "email",
        "e-mail",
        "email address",
        "e-mail address",
        "mail",
        "contact email",
        "vendor email",
        "supplier email",
        "work email",
    ],
    "phone": ["phone", "phone number", "telephone", "mobile", "mobile number"],
    "address": ["address", "postal address", "street address", "location"],
    "country": ["country", "country code", "country iso", "nationality"],
    "tax_id": ["tax id", "tax number", "vat", "vat number", "vat id", "tin", "ein"],
    "rate": [
        "rate",
        "hourly rate",
        "rate per hour",
        "hourly",
        "daily rate",
        "day rate",
        "rate per day",
        "daily",
        "bill rate",
    ],
    "rate_unit": ["rate unit", "unit", "rate type"],
    "currency": ["currency", "currency code", "rate currency"],
    "skills": ["skills", "skill", "tags", "expertise"],
    "profile_url": ["profile url", "profile", "profile link", "upwork profile", "upwork profile url", "url"],
    "status": ["status", "state"],
    "signatory_title": ["signatory title", "signs as", "signing title"],
}


def _key(header: str) -> str:
    """A header as columns are matched by: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", header.lower())


_FIELD_OF = {_key(synonym): name for name, synonyms in _SYNONYMS.items() for synonym in synonyms}
_UNIT_OF_HEADER = {
    "hourlyrate": "hour",
    "rateperhour": "hour",
    "hourly": "hour",
    "dailyrate": "day",
    "dayrate": "day",
    "rateperday": "day",
    "daily": "day",
}
# A header that also names the currency, and perhaps the unit: "Day rate (USD)", "Rate (EUR/day)".
_WITH_CURRENCY = re.compile(
    r"^(?P<base>.*?)\s*[(\[]\s*(?P<currency>[A-Za-z]{3})\s*(?:(?:/|per)\s*(?P<unit>hour|hr|h|day|d))?\s*[)\]]\s*$",
    re.IGNORECASE,
)
_UNITS = {"hr": "hour", "hour": "hour", "h": "hour", "day": "day", "d": "day"}
_REQUIRED = ("name", "email")
_HEADERS_NAMED = 30
"""Headers a refusal lists at most (a file's first line may be anything)."""
_COUNTRY_CODES = {name.lower(): code for code, name in Locale("en").territories.items() if code in COUNTRIES}
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
_MONEY = re.compile(
    r"^(?P<pre>[A-Za-z]{3}|[$€£¥₹])?\s*(?P<amount>\d[\d,.]*)\s*(?P<post>[A-Za-z]{3}|[$€£¥₹])?"
    r"\s*(?:/\s*(?P<unit>hr|hour|h|day|d))?$"
)
# "1,200.50" and "1.200,50" (thousands grouped), "45,50" (a decimal comma), "45.5", "95.500" and "1200".
# Dots group thousands only before a decimal comma: "95.500" is ninety-five and a half.
_AMOUNT_FORMS = (
    (re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?"), lambda a: a.replace(",", "")),
    (re.compile(r"\d{1,3}(\.\d{3})+,\d+"), lambda a: a.replace(".", "").replace(",", ".")),
    (re.compile(r"\d+,\d{1,2}"), lambda a: a.replace(",", ".")),
    (re.compile(r"\d+(\.\d+)?"), lambda a: a),
)
_DELIMITERS = ",;\t|"
_SAMPLE = 64 * 1024
"""Characters read to find a CSV file's delimiter: its header line, or the start of it."""
XLSX_LIMITS = ZipLimits(max_members=500, max_total_size=200 * 1024 * 1024, max_ratio=100)


class RosterFileRefused(UnreadableFile):
    """A file that cannot be read as a roster: the message says why."""


class RosterSheet:
    """A roster file's columns and its rows as freelancers (or problems), read lazily."""

    def __init__(self, headers: list[Any], rows: Iterator[tuple[int, list[Any]]], *, escaped: bool = False):
        self._rows, self._escaped = rows, escaped
        self.columns: dict[str, int] = {}
        self.ignored = []
        self.default_unit: str | None = None
        """The unit of a rate that says none (an import's rate_unit), after the header's own."""
        self._implied_unit: str | None = None
        self._implied_currency: str | None = None
        for index, header in enumerate(headers):
            text = str(header or "").strip()
            named = _WITH_CURRENCY.match(text)
            key = _key(named["base"] if named else text)
            field = _FIELD_OF.get(key)
            if named and field != "rate":
                field = _FIELD_OF.get(_key(text))  # "(...)" is a currency only after a rate's name
                named = None
            if field and field not in self.columns:
                self.columns[field] = index
                if field == "rate":
                    self._implied_unit = _UNITS.get((named["unit"] or "").lower()) if named else None
                    self._implied_unit = self._implied_unit or _UNIT_OF_HEADER.get(key)
                    self._implied_currency = named["currency"].upper() if named else None
            elif text:
                self.ignored.append(text)
        self._header_of = {field: str(headers[index]).strip() for field, index in self.columns.items()}
        if missing := [field for field in _REQUIRED if field not in self.columns]:
            named_headers = [str(h) for h in headers if h]
            more = f" and {len(named_headers) - _HEADERS_NAMED:,} more" if len(named_headers) > _HEADERS_NAMED else ""
            accepted = "; ".join(f"{field}: {', '.join(_SYNONYMS[field])}" for field in missing)
            raise RosterFileRefused(
                f"The roster has no column for {' or '.join(missing)} "
                f"(its headers: {', '.join(named_headers[:_HEADERS_NAMED]) or 'none'}{more}). "
                f"Headers it takes, in any case: {accepted}."
            )
        self.fields = frozenset(self.columns) | ({"rate_unit", "currency"} if "rate" in self.columns else set())
        """The freelancer fields the file gives: an import changes these and keeps the others."""

    def close(self) -> None:
        """Stop reading: the file's reader lets go of the stream (a workbook is closed), however far it got."""
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()

    def header(self, field: str) -> str:
        """Return the file's header of ``field``'s column (a rate's unit or currency without a column of its
        own: the rate's)."""
        if field not in self._header_of and field in ("rate_unit", "currency") and "rate" in self._header_of:
            return self._header_of["rate"]
        return self._header_of.get(field, field)

    def rows(self) -> Iterator[tuple[int, RosterFreelancer | list[Problem]]]:
        """Yield (row number as a spreadsheet shows it, freelancer or that row's problems); blank rows are skipped."""
        for number, cells in self._rows:
            values = {
                field: _text(cells[index], self._escaped) if index < len(cells) else ""
                for field, index in self.columns.items()
            }
            if not any(values.values()):
                continue
            yield number, self._freelancer(number, values)

    def _freelancer(self, number: int, values: dict[str, str]) -> RosterFreelancer | list[Problem]:
        data: dict[str, Any] = {field: value for field, value in values.items() if value}
        problems = []
        if "rate" in data:
            money = _MONEY.match(data["rate"].replace(" ", ""))
            amount = _amount(money["amount"]) if money else None
            if money is None or amount is None:
                problems.append(Problem.in_row(number, self.header("rate"), f"{data.pop('rate')!r} is not an amount"))
            else:
                data["rate"] = amount
                symbol = money["pre"] or money["post"]
                data.setdefault("currency", _SYMBOLS.get(symbol, symbol) if symbol else self._implied_currency)
                unit = _UNITS.get(money["unit"] or "")
                data.setdefault("rate_unit", unit or self._implied_unit or self.default_unit)
        if "country" in data:
            data["country"] = _COUNTRY_CODES.get(data["country"].lower(), data["country"])
        if "skills" in data:
            data["skills"] = skills_of(data["skills"])
        for field in ("rate_unit", "status"):
            if data.get(field):
                data[field] = data[field].lower()
        data = {field: value for field, value in data.items() if value is not None}
        try:
            freelancer = RosterFreelancer.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors(include_url=False, include_input=False):
                field = str(error["loc"][0]) if error["loc"] else "rate"
                message = error["msg"].removeprefix("Value error, ")
                if field == "rate_unit" and "rate_unit" not in self.columns:
                    message = (
                        f"says no unit: name it in the header (Day rate) or the cell ({values['rate']}/day), "
                        "or choose one"
                    )
                problems.append(Problem.in_row(number, self.header(field), message))
        return problems or freelancer


def _amount(text: str) -> str | None:
    """Return an amount as a plain decimal ("1,200.50" -> "1200.50", "45,50" -> "45.50"), or None."""
    for form, plain in _AMOUNT_FORMS:
        if form.fullmatch(text):
            return plain(text)
    return None


def open_roster(stream: IO[bytes], filename: str) -> RosterSheet:
    """Return the roster in ``stream`` (a seekable upload); raise RosterFileRefused saying why it cannot be read."""
    head = stream.read(8)
    stream.seek(0)
    if not head:
        raise RosterFileRefused("The file is empty.")
    if head.startswith(b"PK"):
        return _xlsx(stream)
    if head.startswith(b"\xd0\xcf\x11\xe0") or filename.lower().endswith(".xls"):
        raise RosterFileRefused("Old Excel (.xls) files are not read: save the roster as .xlsx or .csv.")
    return _csv(stream)


def _xlsx(stream: IO[bytes]) -> RosterSheet:
    try:
        open_checked(stream.read(), XLSX_LIMITS).close()
        stream.seek(0)
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except UnsafeZip as exc:
        raise RosterFileRefused(f"The .xlsx file cannot be read: {exc}.") from None
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise RosterFileRefused(f"The .xlsx file cannot be read as a workbook: {exc}.") from None
    rows = _xlsx_rows(workbook)
    headers = next((cells for _, cells in rows if any(c not in (None, "") for c in cells)), None)
    if headers is None:
        workbook.close()
        raise RosterFileRefused("The workbook's first sheet is empty.")
    return RosterSheet(headers, rows)


def _xlsx_rows(workbook) -> Iterator[tuple[int, list[Any]]]:
    try:
        for number, cells in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()


def _csv(stream: IO[bytes]) -> RosterSheet:
    encoding = _encoding(stream)
    if encoding is None:
        raise RosterFileRefused("The file is neither a .xlsx workbook nor CSV text (UTF-8 or Windows-1252).")
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    delimiter = _delimiter(text.read(_SAMPLE))
    text.seek(0)
    reader = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True, skipinitialspace=True)
    try:
        headers = next(reader)
    except StopIteration:
        text.detach()
        raise RosterFileRefused("The file is empty.") from None
    except csv.Error as exc:
        text.detach()
        raise RosterFileRefused(f"The file is not readable as CSV: {exc}.") from None
    return RosterSheet(headers, _csv_rows(reader, text), escaped=True)


def _delimiter(sample: str) -> str:
    """Return the delimiter of the header line at the start of ``sample``: the candidate it holds most
    often outside double quotes (a comma when it holds none).

    (Counting is linear in the sample; csv.Sniffer's regular expressions are not: one 65 KB line of
    quotes and commas took it 20 seconds, holding the interpreter.)
    """
    counts = dict.fromkeys(_DELIMITERS, 0)
    for outside in sample.split('"')[::2]:  # the text between quoted values
        head, line_end, _ = outside.partition("\n")
        for delimiter in _DELIMITERS:
            counts[delimiter] += head.count(delimiter)
        if line_end:
            break
    most = max(_DELIMITERS, key=counts.__getitem__)  # on a tie, the first: a comma before a semicolon
    return most if counts[most] else ","


def _csv_rows(reader, text: io.TextIOWrapper) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number as a spreadsheet shows it, cells); the header is row 1. The caller's stream
    stays open (the text wrapper is detached from it at the end)."""
    try:
        yield from enumerate(reader, start=2)
    except csv.Error as exc:
        raise RosterFileRefused(f"Line {reader.line_num} is not valid CSV: {exc}.") from None
    finally:
        text.detach()


def _encoding(stream: IO[bytes]) -> str | None:
    """Return utf-8-sig if the whole stream decodes as UTF-8, else cp1252 (Excel's Windows CSVs) if it
    decodes as that; None for binary data (a NUL byte, or bytes neither encoding has)."""
    found = None
    for encoding in ("utf-8", "cp1252"):
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := stream.read(1024 * 1024):
                if b"\x00" in chunk:
                    break
                decoder.decode(chunk)
            else:
                decoder.decode(b"", final=True)
                found = "utf-8-sig" if encoding == "utf-8" else encoding
                break
        except UnicodeDecodeError:
            continue
        break  # a NUL byte: binary, whatever the encoding
    stream.seek(0)
    return found


def _text(value: Any, escaped: bool) -> str:
    """A cell as the text a person sees; in an ``escaped`` file (CSV) without the apostrophe that
    ``write_csv`` puts before a formula character or an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, float):
        value = Decimal(repr(value)).normalize()
    text = str(value).strip()
    if escaped and text.startswith("'") and text[1:2] and text[1] in ESCAPED_START:
        return text[1:]
    return text

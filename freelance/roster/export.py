"""Writing the roster out: CSV or .xlsx, one row per freelancer.

A value that a spreadsheet would run as a formula is never written as one: CSV puts an apostrophe
before it (which an import takes off again), .xlsx writes it as a text cell. In .xlsx a rate is a
number (with a number format); every other value is text.
"""

from __future__ import annotations

import csv
import io
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from .lists import skills_cell
from .records import FreelancerRecord

HEADER = (
    "name",
    "business_name",
    "email",
    "phone",
    "address",
    "country",
    "tax_id",
    "rate",
    "rate_unit",
    "currency",
    "skills",
    "profile_url",
    "status",
    "signatory_title",
)
"""The export's columns, in order: the canonical field names (an export imports back unchanged)."""
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet takes a cell's text for a formula by, when the text starts with it."""
ESCAPED_START = (*FORMULA_START, "'")
"""Starts of text that a CSV export escapes with an apostrophe."""


def export_rows(records: Iterable[FreelancerRecord]) -> Iterator[list[str]]:
    """Yield the header and one row of plain text per freelancer record."""
    yield list(HEADER)
    for record in records:
        yield [_cell_text(field, getattr(record, field)) for field in HEADER]


def _cell_text(field: str, value: Any) -> str:
    if value is None:
        return ""
    if field == "skills":
        return skills_cell(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def spooled(rows: Iterable[list[str]]) -> Iterator[list[str]]:
    """Return ``rows``, written at once into a temporary file and read back as they are asked for: rows read
    in one short transaction go out as slowly as the client takes them, holding neither the database nor
    memory. (The file is closed when the rows returned are done with.)"""
    spool = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115 (closed below)
    csv.writer(spool).writerows(rows)
    spool.seek(0)
    read_back = _read(spool)
    weakref.finalize(read_back, spool.close)  # also when not one row is asked for
    return read_back


def _read(spool: IO[str]) -> Iterator[list[str]]:
    yield from csv.reader(spool)


def write_csv(rows: Iterator[list[str]]) -> Iterator[str]:
    """Yield CSV text; a value that a spreadsheet would run as a formula (or that starts with an
    apostrophe) gets a leading apostrophe, which an import takes off again."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"  # Excel reads UTF-8 only with a BOM
    for row in rows:
        writer.writerow(["'" + value if value.startswith(ESCAPED_START) else value for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


RATE_FORMAT = "#,##0.00#"
"""How the .xlsx export shows a rate: grouped, with two decimals (three where the currency has them)."""


def write_xlsx(rows: Iterator[list[str]], out: IO[bytes]) -> None:
    """Write an .xlsx of ``rows`` (the header first): a rate as a number, every other cell as text, never a
    formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Roster")
    numbers: set[int] = set()
    for number, row in enumerate(rows):
        if number == 0:
            numbers = {index for index, name in enumerate(row) if name == "rate"}
        cells = []
        for index, value in enumerate(row):
            if number and index in numbers and value:
                cell = WriteOnlyCell(sheet, value=float(Decimal(value)))  # exact: at most 15 digits
                cell.number_format = RATE_FORMAT
            else:
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    workbook.save(out)

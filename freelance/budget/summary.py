"""Reading a budget tracker back: its totals, remaining budget and lines over budget.

A tracker comes back as a user left it: rows added or deleted, blank rows, numbers typed over
formulas, text in number cells, no cached values at all. The summary is computed from the input
cells (units, rate, invoiced) with the tracker's own arithmetic, never from formula results.
What cannot be read is a warning naming its cell (``Budget!F7``): a number cell holding text
counts as 0 and its row is kept; a blank row is skipped.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO
from typing import Any

from babel.numbers import get_currency_precision
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table
from openpyxl.worksheet.worksheet import Worksheet

from ..documents import UnsafeZip, ZipLimits, open_checked
from ..errors import InvalidData
from ..fields import CURRENCIES
from ..problems import Problem
from .tracker import INPUT_COLUMNS, LINES, NUMBER_COLUMNS, ZERO, LineFigures, Totals

TRACKER_LIMITS = ZipLimits(max_members=500, max_total_size=32 * 1024 * 1024, max_ratio=100)
"""An uploaded tracker is read whole (openpyxl needs that to see its tables): its XML is bounded."""
REQUIRED = ("Freelancer", "Planned units", "Rate", "Actual units", "Invoiced")
"""The columns a tracker cannot be summarised without."""
FORMULAS = {
    "Planned amount": "Planned units × Rate",
    "Actual amount": "Actual units × Rate",
    "Variance": "Planned amount − Actual amount",
    "% used": "Actual amount ÷ Planned amount",
}
"""Each formula column and what the summary computes in its place."""
MAX_WARNINGS = 200
MAX_ROWS = 10_000
"""Rows under the header a summary reads at most (a generated tracker holds at most 5,000 lines)."""
_LARGEST = Decimal("1e15")
"""No budget figure reaches this; larger numbers (or infinity) are read as not numbers."""
_HEADER_SEARCH_ROWS = 50
_PLAIN_SHEET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


@dataclass(frozen=True)
class OverBudgetLine:
    """A line whose actual amount exceeds its planned amount; ``row`` is its row on the sheet."""

    row: int
    freelancer: str
    role: str
    planned: Decimal
    actual: Decimal
    over_by: Decimal


@dataclass(frozen=True)
class Summary:
    """A budget tracker's figures, computed from its input cells.

    ``table`` is BudgetLines, or None when the lines were found by their header row; ``remaining``
    is the approved budget minus actual and ``percent_used`` actual as a percentage of it (None
    without an approved budget); ``warnings`` name each cell that could not be used, and why.
    """

    sheet: str
    table: str | None
    currency: str | None
    approved_budget: Decimal | None
    lines: int
    planned: Decimal
    actual: Decimal
    invoiced: Decimal
    remaining: Decimal | None
    percent_used: Decimal | None
    over_budget: list[OverBudgetLine]
    warnings: list[Problem]


@dataclass(frozen=True)
class _Line:
    row: int
    freelancer: str
    role: str
    figures: LineFigures


@dataclass(frozen=True)
class _Lines:
    """Where a tracker's lines are: the sheet, the header row, each column's number, the last row."""

    sheet: Worksheet
    table: str | None
    header_row: int
    columns: dict[str, int]
    last_row: int


def summarise(data: bytes) -> Summary:
    """Return the summary of the tracker workbook ``data``.

    Raises InvalidData (field ``file``) when the bytes are not a readable .xlsx, or when no table
    BudgetLines and no header row with the required columns is found, saying what is missing.
    """
    workbook = _open(data)
    where = _find_lines(workbook)
    reader = _Reader(workbook, data, where.sheet.title)
    approved = reader.named_number("ApprovedBudget", "Approved budget")
    currency = reader.currency()
    lines = list(_read_lines(where, reader))
    totals = Totals.of((line.figures for line in lines), approved)
    money = _rounding(currency)
    return Summary(
        sheet=where.sheet.title,
        table=where.table,
        currency=currency,
        lines=len(lines),
        approved_budget=_maybe(money, approved),
        planned=money(totals.planned),
        actual=money(totals.actual),
        invoiced=money(totals.invoiced),
        remaining=_maybe(money, totals.remaining),
        percent_used=_maybe(lambda used: (used * 100).quantize(Decimal("0.1")), totals.used),
        over_budget=[
            OverBudgetLine(
                row=line.row,
                freelancer=line.freelancer,
                role=line.role,
                planned=money(line.figures.planned),
                actual=money(line.figures.actual),
                over_by=money(-line.figures.variance),
            )
            for line in lines
            if line.figures.over_budget
        ],
        warnings=reader.warnings(),
    )


def _maybe(change, value):
    return None if value is None else change(value)


def _open(data: bytes) -> Workbook:
    try:
        open_checked(data, TRACKER_LIMITS).close()
    except UnsafeZip as exc:
        raise _not_readable(str(exc)) from None
    try:
        with warnings.catch_warnings():  # openpyxl warns of every Excel extension it does not keep
            warnings.simplefilter("ignore")
            return load_workbook(BytesIO(data), data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise _not_readable(f"it cannot be read as a workbook: {exc}") from None


def _not_readable(reason: str) -> InvalidData:
    return InvalidData("The file is not a readable .xlsx workbook.", [Problem("file", reason)])


def _find_lines(workbook: Workbook) -> _Lines:
    """Return where the lines are: table BudgetLines, else a header row with the required columns."""
    for sheet in workbook.worksheets:
        if LINES in sheet.tables:
            return _table_lines(sheet, sheet.tables[LINES])
    best: tuple[int, Worksheet, int, dict[str, int]] | None = None
    for sheet in workbook.worksheets:
        for row, columns in _header_rows(sheet):
            found = sum(name in columns for name in REQUIRED)
            if found == len(REQUIRED):
                return _Lines(sheet, None, row, columns, sheet.max_row)
            if found and (best is None or found > best[0]):
                best = (found, sheet, row, columns)
    expected = ", ".join(REQUIRED)
    if best is None:
        reason = f"it has no table named {LINES} and no header row with the columns {expected}"
    else:
        _, closest, row, columns = best
        missing = ", ".join(name for name in REQUIRED if name not in columns)
        reason = (
            f"it has no table named {LINES}, and the header row closest to a tracker's "
            f"({_sheet(closest.title)} row {row}) lacks the columns {missing}"
        )
    raise InvalidData("The file is not a budget tracker.", [Problem("file", reason)])


def _table_lines(sheet: Worksheet, table: Table) -> _Lines:
    first_column, first_row, _, last_row = range_boundaries(table.ref)
    if first_column is None or first_row is None or last_row is None:
        raise InvalidData(
            "The file is not a budget tracker.",
            [Problem("file", f"its table {LINES} spans whole columns ({table.ref}), not a range of cells")],
        )
    header_row = first_row - 1 if table.headerRowCount == 0 else first_row
    columns = {column.name.strip(): first_column + i for i, column in enumerate(table.tableColumns)}
    if missing := [name for name in REQUIRED if name not in columns]:
        raise InvalidData(
            "The file is not a budget tracker.",
            [Problem("file", f"its table {LINES} lacks the columns {', '.join(missing)}")],
        )
    return _Lines(sheet, LINES, header_row, columns, last_row - (table.totalsRowCount or 0))


def _header_rows(sheet: Worksheet) -> Iterator[tuple[int, dict[str, int]]]:
    """Yield (row, {header: column}) for each of the sheet's first rows that names a known column."""
    known = {name.casefold(): name for name in (*INPUT_COLUMNS, *FORMULAS)}
    for row, cells in enumerate(sheet.iter_rows(max_row=min(sheet.max_row, _HEADER_SEARCH_ROWS)), start=1):
        columns: dict[str, int] = {}
        for cell in cells:  # the leftmost of two same headers (a second table beside) is the line's
            if isinstance(cell.value, str) and (name := known.get(cell.value.strip().casefold())):
                columns.setdefault(name, cell.column)
        if columns:
            yield row, columns


def _read_lines(lines: _Lines, reader: _Reader) -> Iterator[_Line]:
    """Yield each line that is not blank, read from its input cells.

    Raises InvalidData past MAX_ROWS rows under the header: one far-off cell must not make the
    reader visit a million rows.
    """
    last = min(lines.last_row, lines.sheet.max_row)
    if last - lines.header_row > MAX_ROWS:
        raise InvalidData(
            "The tracker is too long to read.",
            [
                Problem(
                    "file",
                    f"it reaches row {last}; at most {MAX_ROWS} rows under the header are read: delete the "
                    "rows below the lines (or the stray cell far below them)",
                )
            ],
        )
    for row in range(lines.header_row + 1, last + 1):
        cells = {name: lines.sheet.cell(row, column) for name, column in lines.columns.items()}
        if all(_blank(cells[name].value) for name in INPUT_COLUMNS if name in cells):
            continue
        numbers = {name: reader.number(cells[name], name, "counted as 0") or ZERO for name in NUMBER_COLUMNS}
        freelancer, role = (reader.text(cells[name]) if name in cells else "" for name in ("Freelancer", "Role"))
        if not freelancer:
            reader.warn(cells["Freelancer"], "the line has no freelancer name")
        for name in FORMULAS:
            if name in cells:
                reader.check_formula(cells[name], name)
        yield _Line(
            row,
            freelancer,
            role,
            LineFigures(numbers["Planned units"], numbers["Rate"], numbers["Actual units"], numbers["Invoiced"]),
        )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _rounding(currency: str | None):
    """Return the function that rounds an amount to the currency's places (2 when it is unknown)."""
    exponent = Decimal(1).scaleb(-(get_currency_precision(currency) if currency else 2))
    return lambda amount: amount.quantize(exponent)


class _Reader:
    """Reads cell values of one workbook, collecting a warning for each value it cannot use."""

    def __init__(self, workbook: Workbook, data: bytes, sheet: str):
        self._workbook, self._data, self._sheet = workbook, data, sheet
        self._cached: Workbook | None = None
        self._warnings: list[Problem] = []
        self._dropped = 0

    def warn(self, cell: Any, message: str) -> None:
        field = cell if isinstance(cell, str) else f"{_sheet(cell.parent.title)}!{cell.coordinate}"
        if len(self._warnings) < MAX_WARNINGS:
            self._warnings.append(Problem(field, message))
        else:
            self._dropped += 1

    def warnings(self) -> list[Problem]:
        more = [Problem("file", f"{self._dropped} more warnings are not listed")] if self._dropped else []
        return self._warnings + more

    def number(self, cell: Any, column: str, instead: str) -> Decimal | None:
        """Return a number cell's value, or None when it is blank or not a number (which warns,
        saying what happens ``instead``)."""
        value = self._value(cell, column)
        if _blank(value):
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = Decimal(str(value))
            if number.is_finite() and abs(number) < _LARGEST:
                return number
            self.warn(cell, f"{column} holds {value}, beyond any budget: {instead}")
            return None
        shown = f"{value[:40]!r}" if isinstance(value, str) else str(value)
        self.warn(cell, f"{column} holds {_kind(value)} ({shown}), not a number: {instead}")
        return None

    def text(self, cell: Any) -> str:
        value = self._value(cell, "")
        return "" if value is None else str(value).strip()

    def check_formula(self, cell: Any, column: str) -> None:
        """Warn when a formula column's cell holds no formula: the summary computes it from the inputs."""
        if cell.data_type == "f":
            return
        what = "is empty" if _blank(cell.value) else f"holds a typed value ({str(cell.value)[:40]})"
        self.warn(cell, f"{column} {what} instead of its formula; the summary uses {FORMULAS[column]}")

    def _value(self, cell: Any, column: str) -> Any:
        """Return a cell's value; for a formula in an input cell, the value Excel saved for it."""
        if cell.data_type != "f":
            return cell.value
        value = self._cached_workbook()[cell.parent.title][cell.coordinate].value
        if value is None:
            self.warn(cell, f"{column or 'the cell'} holds a formula whose value was not saved: counted as empty")
        return value

    def _cached_workbook(self) -> Workbook:
        if self._cached is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._cached = load_workbook(BytesIO(self._data), data_only=True, keep_links=False)
        return self._cached

    def named_number(self, name: str, label: str) -> Decimal | None:
        """Return the number in the cell ``name`` (else beside or below the label); warn when there is none."""
        cell = self._named_cell(name) or self._labelled_cell(label)
        if cell is None or _blank(cell.value):
            self.warn(name, f"no {label.lower()} was found: remaining and % used are not computed")
            return None
        return self.number(cell, label, "remaining and % used are not computed")

    def currency(self) -> str | None:
        """Return the ISO code in the cell named Currency (or labelled so), or None."""
        cell = self._named_cell("Currency") or self._labelled_cell("Currency")
        code = self.text(cell).upper() if cell is not None else ""
        if code and code not in CURRENCIES:
            self.warn(cell, f"{code[:20]!r} is not an ISO 4217 currency code: amounts are rounded to 2 places")
        return code if code in CURRENCIES else None

    def _named_cell(self, name: str) -> Any:
        defined = self._workbook.defined_names.get(name)
        for title, ref in defined.destinations if defined is not None else ():
            if title in self._workbook.sheetnames and ":" not in ref:
                return self._workbook[title][ref.replace("$", "")]
        return None

    def _labelled_cell(self, label: str) -> Any:
        sheet = self._workbook[self._sheet]
        for cells in sheet.iter_rows(max_row=min(sheet.max_row, _HEADER_SEARCH_ROWS)):
            for cell in cells:
                if isinstance(cell.value, str) and cell.value.strip().casefold() == label.casefold():
                    below, beside = sheet.cell(cell.row + 1, cell.column), sheet.cell(cell.row, cell.column + 1)
                    return below if not _blank(below.value) else beside
        return None


def _sheet(title: str) -> str:
    """Return a sheet's name as a cell reference writes it: quoted when it must be (``'Q1 budget'!F7``)."""
    return title if _PLAIN_SHEET_NAME.fullmatch(title) else "'" + title.replace("'", "''") + "'"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, (datetime, date, time)):
        return "a date or time"
    return "text"

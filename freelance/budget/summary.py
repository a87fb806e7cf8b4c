"""Reading a budget tracker back: its totals, remaining budget and lines over budget.

A tracker comes back as a user left it: rows added or deleted, blank rows, numbers typed over
formulas, text in number cells, no cached values at all. The summary is computed from the input
cells (units, rate, invoiced) with the tracker's own arithmetic, never from formula results.
What cannot be read is a warning naming its cell (``Budget!F7``): a number cell holding text
counts as 0 and its row is kept; a blank row is skipped.

Only the cells that matter are read (the table BudgetLines' columns, the named cells, the top of
a sheet for a header row or a label), within the caps of ``uploaded``, MAX_ROWS and SEARCH_COLUMNS:
a small file never costs much time or memory, and a damaged one is refused saying what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, localcontext
from typing import Any

from babel.numbers import get_currency_precision

from ..errors import InvalidData
from ..fields import CURRENCIES
from ..problems import Problem
from .tracker import INPUT_COLUMNS, LINES, NUMBER_COLUMNS, ZERO, LineFigures, Totals
from .uploaded import LAST_ROW, Cell, Table, TooMuchToRead, Unreadable, UploadedWorkbook, open_workbook, quoted

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
SEARCH_ROWS, SEARCH_COLUMNS = 50, 52
"""Where a header row (without the table) or a label (without a defined name) is looked for: the
first 50 rows, columns A to AZ, of each sheet. A tracker's own columns are A to Q."""
_LARGEST, _SMALLEST = Decimal("1e15"), Decimal("1e-9")
"""No budget figure reaches _LARGEST, nor is under _SMALLEST without being 0: such numbers are read as not numbers."""
_DIGITS = 60
"""Significant digits of the summary's arithmetic: enough for 10,000 lines of figures just under
_LARGEST, and their ratio to an approved budget of _SMALLEST, to the cent and the tenth of a percent."""


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

    sheet: str
    table: str | None
    header_row: int
    columns: dict[str, int]
    last_row: int


def summarise(data: bytes) -> Summary:
    """Return the summary of the tracker workbook ``data``.

    Raises InvalidData (field ``file``), saying why, when the bytes are not a readable .xlsx (not a
    ZIP, a zip bomb, a damaged workbook), when reading it would go past a cap, or when no table
    BudgetLines and no header row with the required columns is found, saying what is missing.
    """
    try:
        with open_workbook(data) as workbook, localcontext(prec=_DIGITS):
            return _summary(workbook)
    except TooMuchToRead as exc:
        raise InvalidData("The workbook is too large to summarise.", [Problem("file", str(exc))]) from None
    except Unreadable as exc:
        raise InvalidData("The file is not a readable .xlsx workbook.", [Problem("file", str(exc))]) from None


def _summary(workbook: UploadedWorkbook) -> Summary:
    where = _find_lines(workbook)
    reader = _Reader(workbook, where.sheet)
    approved = reader.named_number("ApprovedBudget", "Approved budget")
    currency = reader.currency()
    lines = list(_read_lines(workbook, where, reader))
    totals = Totals.of((line.figures for line in lines), approved)
    money = _rounding(currency)
    return Summary(
        sheet=where.sheet,
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


def _find_lines(workbook: UploadedWorkbook) -> _Lines:
    """Return where the lines are: table BudgetLines, else a header row with the required columns."""
    for sheet in workbook.sheets:
        for table in workbook.tables(sheet):
            if table.name == LINES:
                return _table_lines(sheet, table)
    best: tuple[int, str, int, dict[str, int]] | None = None
    for sheet in workbook.sheets:
        for row, columns in _header_rows(workbook, sheet):
            found = sum(name in columns for name in REQUIRED)
            if found == len(REQUIRED):
                return _Lines(sheet, None, row, columns, LAST_ROW)
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
            f"({quoted(closest)} row {row}) lacks the columns {missing}"
        )
    raise InvalidData("The file is not a budget tracker.", [Problem("file", reason)])


def _table_lines(sheet: str, table: Table) -> _Lines:
    header_row = table.first_row - 1 if table.header_rows == 0 else table.first_row
    columns = {name.strip(): table.first_column + i for i, name in enumerate(table.columns)}
    if missing := [name for name in REQUIRED if name not in columns]:
        raise InvalidData(
            "The file is not a budget tracker.",
            [Problem("file", f"its table {LINES} lacks the columns {', '.join(missing)}")],
        )
    return _Lines(sheet, LINES, header_row, columns, table.last_row - table.totals_rows)


def _header_rows(workbook: UploadedWorkbook, sheet: str) -> Iterator[tuple[int, dict[str, int]]]:
    """Yield (row, {header: column}) for each of the sheet's first rows that names a known column."""
    known = {name.casefold(): name for name in (*INPUT_COLUMNS, *FORMULAS)}
    for row, cells in workbook.rows(sheet, range(1, SEARCH_COLUMNS + 1), last_row=SEARCH_ROWS):
        columns: dict[str, int] = {}
        for column in sorted(cells):  # the leftmost of two same headers (a second table beside) is the line's
            value = cells[column].value
            if isinstance(value, str) and (name := known.get(value.strip().casefold())):
                columns.setdefault(name, column)
        if columns:
            yield row, columns


def _read_lines(workbook: UploadedWorkbook, lines: _Lines, reader: _Reader) -> Iterator[_Line]:
    """Yield each line that is not blank, read from its input cells.

    Raises InvalidData at the first line past MAX_ROWS rows under the header: one far-off cell must
    not make the reader visit a million rows.
    """
    read = workbook.rows(lines.sheet, set(lines.columns.values()), lines.header_row + 1, lines.last_row)
    for row, found in read:
        if row - lines.header_row > MAX_ROWS:
            raise InvalidData(
                "The tracker is too long to read.",
                [
                    Problem(
                        "file",
                        f"it reaches row {row}; at most {MAX_ROWS} rows under the header are read: delete the "
                        "rows below the lines (or the stray cell far below them)",
                    )
                ],
            )
        cells = {name: found.get(column) or Cell(lines.sheet, row, column) for name, column in lines.columns.items()}
        if not any(cells[name].holds_something for name in INPUT_COLUMNS if name in cells):
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

    def __init__(self, workbook: UploadedWorkbook, sheet: str):
        self._workbook, self._sheet = workbook, sheet
        self._top: dict[tuple[int, int], Cell] | None = None
        self._warnings: list[Problem] = []
        self._dropped = 0

    def warn(self, cell: Cell | str, message: str) -> None:
        field = cell if isinstance(cell, str) else cell.address
        if len(self._warnings) < MAX_WARNINGS:
            self._warnings.append(Problem(field, message))
        else:
            self._dropped += 1

    def warnings(self) -> list[Problem]:
        more = [Problem("file", f"{self._dropped} more warnings are not listed")] if self._dropped else []
        return self._warnings + more

    def number(self, cell: Cell, column: str, instead: str) -> Decimal | None:
        """Return a number cell's value, or None when it is blank or not a number (which warns,
        saying what happens ``instead``)."""
        value = self._value(cell, column)
        if _blank(value):
            return None
        if isinstance(value, Decimal):
            size = value.copy_abs()  # abs() would round to the context, overflowing past its exponents
            if size < _LARGEST and (size >= _SMALLEST or not size):
                return value
            self.warn(cell, f"{column} holds {str(value)[:40]}, beyond any budget: {instead}")
            return None
        shown = f"{value[:40]!r}" if isinstance(value, str) else str(value)
        self.warn(cell, f"{column} holds {_kind(value)} ({shown}), not a number: {instead}")
        return None

    def text(self, cell: Cell) -> str:
        value = self._value(cell, "")
        return "" if value is None else str(value).strip()

    def check_formula(self, cell: Cell, column: str) -> None:
        """Warn when a formula column's cell holds no formula: the summary computes it from the inputs."""
        if cell.formula:
            return
        what = "is empty" if _blank(cell.value) else f"holds a typed value ({str(cell.value)[:40]})"
        self.warn(cell, f"{column} {what} instead of its formula; the summary uses {FORMULAS[column]}")

    def _value(self, cell: Cell, column: str) -> Any:
        """Return a cell's value; for a formula in an input cell, the value Excel saved for it."""
        if cell.formula and cell.value is None:
            self.warn(cell, f"{column or 'the cell'} holds a formula whose value was not saved: counted as empty")
        return cell.value

    def named_number(self, name: str, label: str) -> Decimal | None:
        """Return the number in the cell ``name`` (else beside or below the label); warn when there is none."""
        cell = self._named_cell(name) or self._labelled_cell(label)
        if cell is None or not cell.holds_something:
            self.warn(name, f"no {label.lower()} was found: remaining and % used are not computed")
            return None
        return self.number(cell, label, "remaining and % used are not computed")

    def currency(self) -> str | None:
        """Return the ISO code in the cell named Currency (or labelled so), or None."""
        cell = self._named_cell("Currency") or self._labelled_cell("Currency")
        code = self.text(cell).upper() if cell is not None else ""
        if code and code not in CURRENCIES:
            self.warn(
                cell or "Currency", f"{code[:20]!r} is not an ISO 4217 currency code: amounts are rounded to 2 places"
            )
        return code if code in CURRENCIES else None

    def _named_cell(self, name: str) -> Cell | None:
        """Return the cell the defined name ``name`` points at (blank if it is), or None without the name."""
        where = self._workbook.named_cell(name)
        if where is None:
            return None
        sheet, row, column = where
        found = next(self._workbook.rows(sheet, (column,), row, row), (row, {}))[1]
        return found.get(column) or Cell(sheet, row, column)

    def _labelled_cell(self, label: str) -> Cell | None:
        """Return the cell below ``label`` in the sheet's first rows, or beside it when the one below is blank."""
        if self._top is None:  # one read of the sheet's top, and of the row and column after it
            rows = self._workbook.rows(self._sheet, range(1, SEARCH_COLUMNS + 2), last_row=SEARCH_ROWS + 1)
            self._top = {(row, column): cell for row, cells in rows for column, cell in cells.items()}
        for (row, column), cell in sorted(self._top.items()):
            if row <= SEARCH_ROWS and column <= SEARCH_COLUMNS and _is_label(cell.value, label):
                below = self._top.get((row + 1, column)) or Cell(self._sheet, row + 1, column)
                beside = self._top.get((row, column + 1)) or Cell(self._sheet, row, column + 1)
                return below if below.holds_something else beside
        return None


def _is_label(value: Any, label: str) -> bool:
    return isinstance(value, str) and value.strip().casefold() == label.casefold()


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, (datetime, date, time)):
        return "a date or time"
    return "text"

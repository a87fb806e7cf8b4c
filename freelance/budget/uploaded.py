"""An uploaded workbook, read with bounded work: only the cells asked for, streamed from each sheet.

openpyxl builds every cell of every sheet it opens (a lone cell at XFD50 made it create 800,000 per
sheet) and stops on a damaged part with an error naming neither the part nor the cell. This reader
decompresses a part only as it parses it, keeps only the cells of the columns asked for, stops at
the last row asked for, parses at most MAX_VISITS XML elements per workbook, and says what is
damaged: the part or cell, and what is wrong with it.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from ..documents import UnsafeZip, ZipLimits, open_checked
from ..documents.ooxml import SAFE_PARSING, qn

LIMITS = ZipLimits(max_members=500, max_total_size=32 * 1024 * 1024, max_ratio=100)
"""What an uploaded workbook's ZIP may hold, checked on its directory before anything is decompressed:
500 parts expanding to 32 MiB in all (a tracker of 5,000 lines expands to about 5 MiB), none of
those over 1 MiB expanding more than 100-fold (a zip bomb's parts expand 1,000-fold)."""
MAX_SHEETS = 100
"""Worksheets a workbook may have; more are refused (a tracker needs one)."""
MAX_VISITS = 1_000_000
"""XML elements (rows, cells, their values...) parsed at most over all the reads of one workbook:
two and a half times what the longest tracker takes (10,000 lines, every column filled)."""
LAST_ROW, LAST_COLUMN = 1_048_576, 16_384
"""Excel's grid: A1 to XFD1048576."""

Value = str | Decimal | bool | datetime | time | None
"""What a cell holds: text, a number, true/false, a date (or time), or nothing."""

_MOST_KEPT = 10_000
"""XML elements one cell or shared string may hold (a string of 1,000 formatted runs holds about 5,000)."""
_BROKEN = (etree.LxmlError, zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError)
"""What lxml and zipfile raise for a part that is not well-formed, fails its CRC or is encrypted."""
_ROW, _C, _V, _F, _IS, _T, _R = (qn(f"m:{tag}") for tag in ("row", "c", "v", "f", "is", "t", "r"))
_SHEET_DATA, _SI = qn("m:sheetData"), qn("m:si")
_SHEET_TAGS = frozenset((_ROW, _C, _SHEET_DATA))
_RELATIONSHIP = qn("p:Relationship")
_R_ID = qn("r:id")
_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_NUMBER = re.compile(r"[0-9]{1,9}")
_RANGE = re.compile(r"([A-Za-z]+[0-9]+)(?::([A-Za-z]+[0-9]+))?")
_NAMED_CELL = re.compile(r"(?:'((?:[^']|'')+)'|([^'!:]+))!(\$?[A-Za-z]+\$?[0-9]+)")
_PLAIN_SHEET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_COLUMNS = {get_column_letter(number): number for number in range(1, LAST_COLUMN + 1)}
_BOOLEANS = {"0": False, "1": True, "false": False, "true": True}


class Unreadable(ValueError):
    """The upload is not a workbook, or a damaged one; the message says what is wrong, and where."""


class TooMuchToRead(ValueError):
    """Reading the workbook would go past MAX_SHEETS or MAX_VISITS; the message says which."""


def quoted(sheet: str) -> str:
    """Return a sheet's name as a cell reference writes it: quoted when it must be (``'Q1 budget'``)."""
    return sheet if _PLAIN_SHEET_NAME.fullmatch(sheet) else "'" + sheet.replace("'", "''") + "'"


class Cell(NamedTuple):
    """One cell; for a formula, ``value`` is the value Excel saved for it (None when none was)."""

    sheet: str
    row: int
    column: int
    value: Value = None
    formula: bool = False

    @property
    def address(self) -> str:
        """The cell as a reference writes it: ``Budget!F7``."""
        return f"{quoted(self.sheet)}!{get_column_letter(self.column)}{self.row}"

    @property
    def holds_something(self) -> bool:
        return self.formula or not (self.value is None or (isinstance(self.value, str) and not self.value.strip()))


@dataclass(frozen=True)
class Table:
    """An Excel table: its name, the bounds of its range, its header and totals row counts, its columns."""

    name: str
    ref: str
    first_row: int
    first_column: int
    last_row: int
    header_rows: int
    totals_rows: int
    columns: tuple[str, ...]


@contextmanager
def open_workbook(data: bytes) -> Iterator[UploadedWorkbook]:
    """Yield the workbook ``data`` holds, its sheets and names read, no cell yet.

    Raises Unreadable for what is not a ZIP, a zip bomb, a ZIP without a workbook or a damaged
    workbook; TooMuchToRead for more than MAX_SHEETS worksheets.
    """
    try:
        archive = open_checked(data, LIMITS)
    except UnsafeZip as exc:
        raise Unreadable(str(exc)) from None
    with archive:
        yield UploadedWorkbook(archive)


class UploadedWorkbook:
    """A workbook's sheets, defined names and tables, and its cells read a rectangle at a time."""

    def __init__(self, archive: zipfile.ZipFile):
        self._archive = archive
        self._visits = 0
        self._strings: list[str] | None = None
        self._date_styles: frozenset[str] | None = None
        start = self._relationships("_rels/.rels")
        main = next((target for kind, target in start.values() if kind == "officeDocument"), "xl/workbook.xml")
        if main not in archive.NameToInfo:
            raise Unreadable(f"it is a ZIP archive but not a workbook: it has no part {main}")
        self._names: dict[str, str] = {}
        self._epoch = CALENDAR_WINDOWS_1900
        sheet_ids = self._read_workbook(main)
        parts = self._relationships(_rels_of(main))
        self._sheets = {
            title: parts[rid][1] for title, rid in sheet_ids if rid in parts and parts[rid][0] == "worksheet"
        }
        if not self._sheets:
            raise Unreadable("the workbook is damaged: it has no worksheets")
        by_kind = dict(parts.values())
        self._strings_part, self._styles_part = by_kind.get("sharedStrings"), by_kind.get("styles")

    @property
    def sheets(self) -> tuple[str, ...]:
        """The worksheets' titles, in the workbook's order."""
        return tuple(self._sheets)

    def named_cell(self, name: str) -> tuple[str, int, int] | None:
        """Return (sheet, row, column) of the cell the defined name ``name`` points at; None when there
        is no such name, or it names a range, a formula or a deleted cell (``#REF!``).

        Raises Unreadable when it points outside Excel's grid (``$A$0``).
        """
        found = _NAMED_CELL.fullmatch(self._names.get(name, "").strip())
        if found is None:
            return None
        sheet = (found[1] or "").replace("''", "'") or found[2]
        if sheet not in self._sheets:
            return None
        position = _position(found[3])
        if position is None:
            raise _outside(f"the defined name {name}", found[3])
        return sheet, *position

    def tables(self, sheet: str) -> list[Table]:
        """Return the tables on ``sheet``; raise Unreadable naming a table whose range is not one."""
        related = self._relationships(_rels_of(self._sheets[sheet])).values()
        return [self._table(target) for kind, target in related if kind == "table"]

    def rows(
        self, sheet: str, columns: Collection[int], first_row: int = 1, last_row: int = LAST_ROW
    ) -> Iterator[tuple[int, dict[int, Cell]]]:
        """Yield (row, {column: cell}) for each row from ``first_row`` to ``last_row`` with a cell of
        ``columns`` that holds something; the sheet is parsed no further than ``last_row``.

        Raises Unreadable naming a cell that is damaged (a reference outside the grid, a shared string
        that is not there, a number or date that is not one), TooMuchToRead past MAX_VISITS.
        """
        row, column, number = 0, 0, ""
        cells: dict[int, Cell] = {}
        for event, tag, element in self._events(self._sheets[sheet], whole=_C, only=_SHEET_TAGS):
            if tag == _C:
                if event == "end":
                    column = _column(element.get("r"), number, column, sheet)
                    if first_row <= row and column in columns and (cell := self._cell(element, sheet, row, column)):
                        cells[column] = cell
            elif tag == _ROW:
                if event == "start":
                    row, column, cells = _row_number(element.get("r"), row, sheet), 0, {}
                    number = str(row)
                    if row > last_row:
                        return
                elif cells:
                    yield row, cells
            elif tag == _SHEET_DATA and event == "end":
                return

    def _events(
        self, part: str, whole: str | None = None, only: Collection[str] | None = None
    ) -> Iterator[tuple[str, str, Any]]:
        """Yield (event, tag, element) for each start and end in ``part`` (of the tags ``only``, if
        given), parsed as it is decompressed.

        Each element is cleared once its end is yielded, so memory stays flat, except inside an
        element tagged ``whole`` (a cell, a shared string), whose children are read at its end and
        kept until then, _MOST_KEPT at most. Each start counts towards MAX_VISITS. Raises Unreadable
        naming the part when it cannot be read.
        """
        kept = 0
        try:
            with self._archive.open(part) as stream:
                for event, element in etree.iterparse(stream, events=("start", "end"), **SAFE_PARSING):
                    tag = element.tag
                    if event == "start":
                        self._visits += 1
                        if self._visits > MAX_VISITS:
                            raise TooMuchToRead(
                                f"reading it went past {MAX_VISITS:,} cells and other XML elements (in {part}): "
                                "summarise a workbook that holds the tracker without the data around it"
                            )
                        if kept or tag == whole:
                            kept += 1
                            if kept > _MOST_KEPT:
                                raise Unreadable(
                                    f"the workbook is damaged: a cell or string of its part {part} holds more "
                                    f"than {_MOST_KEPT:,} XML elements"
                                )
                        if only is None or tag in only:
                            yield event, tag, element
                        continue
                    if only is None or tag in only:
                        yield event, tag, element
                    if tag == whole:
                        kept = 0
                    if not kept:
                        element.clear(keep_tail=True)
                        while element.getprevious() is not None:
                            del element.getparent()[0]
        except KeyError:
            raise Unreadable(f"the workbook is damaged: it lacks its part {part}") from None
        except _BROKEN as exc:
            raise Unreadable(f"the workbook is damaged: its part {part} cannot be read ({exc})") from None

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Return {id: (kind, part)} of a .rels part (kind: the type's last word); {} when there is none."""
        if part not in self._archive.NameToInfo:
            return {}
        found = {}
        folder = posixpath.dirname(posixpath.dirname(part))
        for event, tag, element in self._events(part):
            if event == "end" and tag == _RELATIONSHIP and element.get("TargetMode") != "External":
                target = element.get("Target", "")
                path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                found[element.get("Id", "")] = (element.get("Type", "").rsplit("/", 1)[-1], path)
        return found

    def _read_workbook(self, part: str) -> list[tuple[str, str]]:
        """Read the names and the calendar; return (title, relationship id) of each sheet."""
        sheets = []
        for event, tag, element in self._events(part):
            tag = _local(tag)
            if event == "end" and tag == "sheet":
                sheets.append((element.get("name", ""), element.get(_R_ID, "")))
                if len(sheets) > MAX_SHEETS:
                    raise TooMuchToRead(f"it has more than {MAX_SHEETS} sheets: summarise the tracker in a smaller one")
            elif event == "end" and tag == "definedName" and (name := element.get("name")):
                if name not in self._names or element.get("localSheetId") is None:  # the workbook's own first
                    self._names[name] = element.text or ""
            elif event == "start" and tag == "workbookPr" and element.get("date1904") in ("1", "true"):
                self._epoch = CALENDAR_MAC_1904
        return sheets

    def _table(self, part: str) -> Table:
        attributes: dict[str, str] | None = None  # the <table> element's
        columns: list[str] = []
        for event, tag, element in self._events(part):
            if event == "start" and attributes is None:
                attributes = dict(element.attrib)
            elif event == "end" and _local(tag) == "tableColumn":
                columns.append(element.get("name", ""))
        attributes = attributes or {}
        name = attributes.get("displayName") or attributes.get("name", "")
        ref = attributes.get("ref", "")
        bounds = _RANGE.fullmatch(ref)
        if bounds is None:
            raise Unreadable(
                f"the workbook is damaged: its table {name} has the range {ref[:30]!r}, not a range of cells"
            )
        first, last = _position(bounds[1]), _position(bounds[2] or bounds[1])
        if first is None or last is None:
            raise _outside(f"its table {name}", ref)
        (first_row, first_column), (last_row, last_column) = first, last
        if last_column - first_column + 1 != len(columns) or last_row < first_row:
            raise Unreadable(
                f"the workbook is damaged: its table {name} names {len(columns)} columns, but its range {ref} "
                f"spans {last_column - first_column + 1}"
            )
        counts = attributes.get("headerRowCount", "1"), attributes.get("totalsRowCount", "0")
        if not all(count in ("0", "1") for count in counts):
            raise Unreadable(f"the workbook is damaged: its table {name} has {counts[0]!r} header rows")
        header_rows, totals_rows = (int(count) for count in counts)
        return Table(name, ref, first_row, first_column, last_row, header_rows, totals_rows, tuple(columns))

    def _cell(self, element: Any, sheet: str, row: int, column: int) -> Cell | None:
        """Return the cell of a <c> element, or None when it holds nothing (no value, no formula)."""
        text = strings = None
        formula = False
        for child in element:
            tag = child.tag
            if tag == _V:
                text = child.text
            elif tag == _F:
                formula = True
            elif tag == _IS:
                strings = child
        if not (text or formula or strings is not None):
            return None
        kind = element.get("t", "n")
        value: Value
        if kind == "inlineStr":
            value = _text(strings)
        elif not text:
            value = None
        elif kind == "n":
            value = self._number(text, element.get("s"), Cell(sheet, row, column))
        elif kind == "s":
            value = self._shared_string(text, Cell(sheet, row, column))
        elif kind in ("str", "e"):
            value = text
        elif kind == "b" and text.strip() in _BOOLEANS:
            value = _BOOLEANS[text.strip()]
        elif kind == "d":
            try:
                value = datetime.fromisoformat(text.strip())
            except ValueError:
                raise _damaged(
                    Cell(sheet, row, column), f"holds {text[:30]!r} as a date, which is not an ISO 8601 date"
                ) from None
        else:
            raise _damaged(
                Cell(sheet, row, column),
                f"has the type {kind[:10]!r} and the value {text[:30]!r}, which do not go together",
            )
        return Cell(sheet, row, column, value, formula)

    def _number(self, text: str, style: str | None, cell: Cell) -> Decimal | datetime | time:
        """Return a number cell's value (``cell`` names it if it is not a number): a date or time when
        its style shows it as one."""
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise _damaged(cell, f"holds {text[:30]!r}, which is not a number")
        if style is not None and style in self._dates():
            try:
                return from_excel(float(number), self._epoch)
            except (OverflowError, ValueError):  # beyond Excel's calendar: it is shown as a number
                return number
        return number

    def _shared_string(self, text: str, cell: Cell) -> str:
        if self._strings is None:
            self._strings = []
            if self._strings_part is not None:
                for event, tag, element in self._events(self._strings_part, whole=_SI):
                    if event == "end" and tag == _SI:
                        self._strings.append(_text(element))
        index = int(text) if _NUMBER.fullmatch(text) else -1
        if not 0 <= index < len(self._strings):
            raise _damaged(cell, f"refers to shared string {text[:20]!r}, but the workbook has {len(self._strings)}")
        return self._strings[index]

    def _dates(self) -> frozenset[str]:
        """Return the numbers of the cell styles whose number format shows a date or time."""
        if self._date_styles is None:
            formats: dict[str, str] = {}
            styles: list[str] = []
            for event, tag, element in self._events(self._styles_part) if self._styles_part is not None else ():
                tag = _local(tag)
                if event == "end" and tag == "numFmt":
                    formats[element.get("numFmtId", "")] = element.get("formatCode", "")
                elif event == "end" and tag == "xf" and _local(getattr(element.getparent(), "tag", "")) == "cellXfs":
                    styles.append(element.get("numFmtId", "0"))
            builtin = {str(number): code for number, code in BUILTIN_FORMATS.items()}
            self._date_styles = frozenset(
                str(number)
                for number, style in enumerate(styles)
                if is_date_format(formats.get(style) or builtin.get(style, "General"))
            )
        return self._date_styles


def _rels_of(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def _position(ref: str) -> tuple[int, int] | None:
    """Return (row, column) of an A1 reference (``$`` marks allowed); None for one outside Excel's grid."""
    found = _REFERENCE.fullmatch(ref)
    if found is not None:
        row, column = int(found[2]), _COLUMNS.get(found[1].upper())
        if 1 <= row <= LAST_ROW and column is not None:
            return row, column
    return None


def _outside(where: str, ref: str) -> Unreadable:
    return Unreadable(
        f"the workbook is damaged: {where} refers to {ref[:30]!r}, which is not a cell of Excel's grid "
        "(A1 to XFD1048576)"
    )


def _column(ref: str | None, row: str, previous: int, sheet: str) -> int:
    """Return the column of a cell in ``row`` (the one after ``previous`` when it has no reference)."""
    if ref is None:
        if previous >= LAST_COLUMN:
            raise Unreadable(f"the workbook is damaged: row {row} of sheet {quoted(sheet)} is wider than Excel's grid")
        return previous + 1
    column = _COLUMNS.get(ref[: -len(row)]) if ref.endswith(row) else None  # the quick way for most cells
    if column is not None:
        return column
    position = _position(ref)
    if position is None:
        raise _outside(f"sheet {quoted(sheet)}", ref)
    if str(position[0]) != row:
        raise Unreadable(f"the workbook is damaged: cell {quoted(sheet)}!{ref} is inside row {row}")
    return position[1]


def _row_number(ref: str | None, previous: int, sheet: str) -> int:
    """Return a row's number (the one after ``previous`` when it has none)."""
    number = previous + 1 if ref is None else int(ref) if _NUMBER.fullmatch(ref) else 0
    if not 1 <= number <= LAST_ROW:
        raise Unreadable(
            f"the workbook is damaged: sheet {quoted(sheet)} has a row numbered {(ref or str(number))[:30]!r}, "
            f"not one of Excel's 1 to {LAST_ROW}"
        )
    return number


def _text(element: Any) -> str:
    """Return the text of a shared or inline string: its own text, or its runs' (not its phonetic guides)."""
    if element is None:
        return ""
    return (element.findtext(_T) or "") + "".join(run.findtext(_T) or "" for run in element.iterfind(_R))


def _damaged(cell: Cell, what: str) -> Unreadable:
    return Unreadable(f"the workbook is damaged: cell {cell.address} {what}")


def _local(tag: str) -> str:
    """Return a tag's name without its namespace: ``sheet`` for ``{http://...main}sheet``."""
    return tag.rpartition("}")[2]

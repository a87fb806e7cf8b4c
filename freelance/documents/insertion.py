"""A workbook made ready to be inserted into an open one, and the plan of what to add back after.

Excel on the web and on iPad cannot insert sheets that hold a chart, and the defined names copied
with the sheets can turn into #REF! or links to the source file. ``insertion_of`` returns the
workbook without drawings, charts and defined names (each formula that used a name now refers to
the cells the name stood for) and what the Excel JavaScript API should re-create: the names, the
print titles and areas, and the charts with their type, data and place.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree
from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError
from openpyxl.utils.cell import get_column_letter

from .ooxml import NS, parse, qn
from .sheetml import Range
from .ziparchive import Member, UnsafeZip, open_checked, pack

_NS = NS | {
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
}
_FORMULAS = ("f", "calculatedColumnFormula", "totalsRowFormula", "formula", "formula1", "formula2")
_PRINT_TITLES, _PRINT_AREA = "_xlnm.Print_Titles", "_xlnm.Print_Area"
_SHEET_PREFIX = re.compile(r"(?:'(?:[^']|'')*'|[^'!,]+)!")
# Where a oneCellAnchor ends is measured in EMU: 9525 a pixel, 12700 a point; Excel's default
# column is 64 pixels wide and a digit of its default font 7 pixels.
_EMU_PER_PIXEL, _EMU_PER_POINT, _DIGIT_PIXELS = 9525, 12700, 7
_DEFAULT_COLUMN, _DEFAULT_ROW_POINTS = 64 * _EMU_PER_PIXEL, 15.0
_LAST_COLUMN, _LAST_ROW = 16383, 1048575
_STACKING = {"stacked": "Stacked", "percentStacked": "Stacked100"}


class NotAWorkbook(ValueError):
    """The bytes are not an .xlsx workbook that can be read: the message says why."""


@dataclass(frozen=True)
class NamedRange:
    """A defined name: the cells ``address`` (``A4`` or ``A4:B6``) on ``sheet``, and its ``scope``
    (``workbook``, or the sheet it belongs to)."""

    name: str
    sheet: str
    address: str
    scope: str


@dataclass(frozen=True)
class PrintSettings:
    """A sheet's print titles (``$6:$6``) and print area (``A1:M40``), each None when not set."""

    sheet: str
    print_titles: str | None
    print_area: str | None


@dataclass(frozen=True)
class ChartPlan:
    """A chart to re-create: its Excel JavaScript ``type``, its ``source`` rectangle on ``sheet``,
    whether its series run down ``Columns`` or along ``Rows``, and the cells it spans."""

    sheet: str
    type: str
    title: str
    source: str
    series_by: str
    top_left: str
    bottom_right: str


@dataclass(frozen=True)
class Insertion:
    """The workbook to insert, without charts or names, and what to add back once it is in."""

    workbook: bytes
    sheets: tuple[str, ...]
    names: tuple[NamedRange, ...]
    print_settings: tuple[PrintSettings, ...]
    charts: tuple[ChartPlan, ...]
    warnings: tuple[str, ...]


def insertion_of(xlsx: bytes) -> Insertion:
    """Return the insertion of workbook ``xlsx``; raise NotAWorkbook when it is not one."""
    try:
        with open_checked(xlsx) as archive:
            members = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    except UnsafeZip as exc:
        raise NotAWorkbook(str(exc)) from exc
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError) as exc:
        raise NotAWorkbook(f"a member of the archive cannot be read: {exc}") from exc
    try:
        return _Package(members).insertion()
    except (ValueError, OverflowError) as exc:  # a size or an index that is not a number
        raise NotAWorkbook(f"a part holds a value that is not a number: {exc}") from exc


@dataclass(frozen=True)
class _Name:
    name: str
    scope: str | None
    text: str
    cells: Range | None

    def used_on(self, sheet: str) -> str:
        """Return what a formula on ``sheet`` says instead of the name: absolute cells, or the name's formula."""
        if self.cells is None:
            return f"({self.text})"
        address, on = _address(self.cells, "$"), _sheet_title(self.cells.sheet)
        return address if on == sheet else f"{_quoted(on)}!{address}"


class _Package:
    """The parts of one workbook, read once; parts that change are kept parsed until written."""

    def __init__(self, members: dict[str, bytes]):
        self._members = members
        self._parsed: dict[str, etree._Element] = {}
        self._changed: set[str] = set()
        self._removed: set[str] = set()
        self._warnings: list[str] = []

    def insertion(self) -> Insertion:
        book = self._main_part()
        workbook = self._xml(book)
        if workbook.tag != qn("m:workbook"):
            raise NotAWorkbook(f"its main part {book} is not a workbook")
        targets = {rel_id: target for rel_id, _, target in self._relationships(book)}
        sheets = [
            (sheet.get("name", ""), targets.get(sheet.get(qn("r:id"), ""), ""))
            for sheet in workbook.iterfind("m:sheets/m:sheet", _NS)
        ]
        names, print_settings = self._take_names(workbook, [title for title, _ in sheets])
        self._changed.add(book)
        charts: list[ChartPlan] = []
        for title, part in sheets:
            if part.startswith("xl/worksheets/") and part in self._members:
                self._name_free(part, title, names)
                charts += self._without_drawings(part, title)
        named = tuple(
            NamedRange(name.name, _sheet_title(name.cells.sheet), _address(name.cells), name.scope or "workbook")
            for name in names
            if name.cells is not None
        )
        return Insertion(
            self._written(),
            tuple(title for title, _ in sheets),
            named,
            tuple(print_settings),
            tuple(charts),
            tuple(self._warnings),
        )

    # -- reading parts ---------------------------------------------------------------------------

    def _xml(self, part: str) -> etree._Element:
        if part not in self._parsed:
            if part not in self._members:
                raise NotAWorkbook(f"the workbook has no part {part}")
            try:
                self._parsed[part] = parse(self._members[part])
            except etree.XMLSyntaxError as exc:
                raise NotAWorkbook(f"{part}: not well-formed XML: {exc}") from exc
        return self._parsed[part]

    def _relationships(self, part: str) -> list[tuple[str, str, str]]:
        """Return (id, type, target part) of each internal relationship of ``part``."""
        rels = _rels_of(part)
        if rels not in self._members:
            return []
        folder = posixpath.dirname(part)
        return [
            (rel.get("Id", ""), rel.get("Type", ""), _resolve(folder, rel.get("Target", "")))
            for rel in self._xml(rels).iterfind("p:Relationship", _NS)
            if rel.get("TargetMode") != "External"
        ]

    def _main_part(self) -> str:
        for _, rel_type, target in self._relationships(""):
            if rel_type.endswith("/officeDocument"):
                return target
        raise NotAWorkbook("the package has no main part: it is not a workbook")

    # -- names -----------------------------------------------------------------------------------

    def _take_names(self, workbook: etree._Element, titles: list[str]) -> tuple[list[_Name], list[PrintSettings]]:
        """Remove the defined names; return the ordinary ones and each sheet's print settings."""
        names: list[_Name] = []
        printing: dict[str, dict[str, str]] = {}
        for defined in workbook.iterfind("m:definedNames/m:definedName", _NS):
            name, text, local = defined.get("name", ""), (defined.text or "").strip(), defined.get("localSheetId")
            scope = titles[int(local)] if local is not None and local.isdigit() and int(local) < len(titles) else None
            if name in (_PRINT_TITLES, _PRINT_AREA) and scope is not None:
                printing.setdefault(scope, {})[name] = _SHEET_PREFIX.sub("", text)
            elif not name.startswith("_xlnm."):
                cells = Range.parse(text)
                names.append(_Name(name, scope, text, cells if cells and cells.sheet else None))
        for element in workbook.findall("m:definedNames", _NS):
            workbook.remove(element)
        self._warnings += [
            f"The name {name.name} stands for {name.text}, not for cells: formulas now hold that instead, "
            "and the name is not added back."
            for name in names
            if name.cells is None
        ]
        settings = [
            PrintSettings(sheet, found.get(_PRINT_TITLES), _no_dollars(found.get(_PRINT_AREA)))
            for sheet, found in printing.items()
        ]
        return names, settings

    def _name_free(self, part: str, sheet: str, names: list[_Name]) -> None:
        """Rewrite every formula of the sheet and of its tables that uses a name."""
        found = {(name.scope, name.name.upper()): name for name in names}
        for xml_part in [part, *(target for _, kind, target in self._relationships(part) if kind.endswith("/table"))]:
            root = self._xml(xml_part)
            for element in root.iter(*(qn(f"m:{tag}") for tag in _FORMULAS)):
                if element.text and (rewritten := _without_names(element.text, sheet, found)) != element.text:
                    element.text = rewritten
                    self._changed.add(xml_part)

    # -- drawings and charts ---------------------------------------------------------------------

    def _without_drawings(self, part: str, sheet: str) -> list[ChartPlan]:
        """Remove the sheet's drawings and all they hold; return the plans of their charts."""
        root = self._xml(part)
        drawings = {rel_id: target for rel_id, kind, target in self._relationships(part) if kind.endswith("/drawing")}
        if not drawings:
            return []
        plans: list[ChartPlan] = []
        grid = _Grid(root)
        for target in drawings.values():
            plans += self._charts(target, sheet, grid)
            self._remove(target)
        for element in root.findall("m:drawing", _NS):
            root.remove(element)
        rels = self._xml(_rels_of(part))
        for rel in rels.findall("p:Relationship", _NS):
            if rel.get("Id") in drawings:
                rels.remove(rel)
        self._changed |= {part, _rels_of(part)}
        return plans

    def _charts(self, drawing: str, sheet: str, grid: _Grid) -> list[ChartPlan]:
        targets = {rel_id: target for rel_id, _, target in self._relationships(drawing)}
        plans = []
        for anchor in self._xml(drawing):
            reference = anchor.find(".//c:chart", _NS)
            if reference is None:
                self._warnings.append(f"Sheet {sheet}: a picture or shape is left out; only charts are added back.")
                continue
            chart = self._xml(targets.get(reference.get(qn("r:id"), ""), ""))
            plan = _plan(chart, sheet, _position(anchor, grid))
            if isinstance(plan, str):
                self._warnings.append(f"Sheet {sheet}: the chart {_title(chart)!r} is left out: it {plan}.")
            else:
                plans.append(plan)
        return plans

    def _remove(self, part: str) -> None:
        """Leave out ``part``, its relationships and every part they lead to."""
        if part in self._removed:
            return
        self._removed |= {part, _rels_of(part)}
        for _, _, target in self._relationships(part):
            self._remove(target)

    # -- writing ---------------------------------------------------------------------------------

    def _written(self) -> bytes:
        types = self._xml("[Content_Types].xml")
        for override in types.findall("ct:Override", _NS):
            if override.get("PartName", "").lstrip("/") in self._removed:
                types.remove(override)
                self._changed.add("[Content_Types].xml")
        return pack(
            [
                Member.of(name, _serialised(self._parsed[name]) if name in self._changed else content)
                for name, content in self._members.items()
                if name not in self._removed
            ]
        )


def _without_names(formula: str, sheet: str, names: dict[tuple[str | None, str], _Name]) -> str:
    """Return ``formula`` with each name it uses replaced by what the name stands for, seen from ``sheet``."""
    try:
        tokens = Tokenizer(f"={formula}").items
    except TokenizerError:
        return formula  # Excel wrote it; a formula the tokenizer cannot read is left as it is
    for token in tokens:
        if token.type != Token.OPERAND or token.subtype != Token.RANGE:
            continue
        qualifier, _, bare = token.value.rpartition("!")
        if qualifier.startswith("["):
            continue  # a name in another workbook
        on = _sheet_title(qualifier) or sheet
        name = names.get((on, bare.upper())) or names.get((None, bare.upper()))
        if name is not None:
            token.value = name.used_on(sheet)
    return "".join(token.value for token in tokens)


class _Grid:
    """A sheet's column widths and row heights in EMU, as far as its XML says them."""

    def __init__(self, sheet: etree._Element):
        defaults = sheet.find("m:sheetFormatPr", _NS)
        width = defaults.get("defaultColWidth") if defaults is not None else None
        height = defaults.get("defaultRowHeight") if defaults is not None else None
        self._column = _column_emu(width) if width else _DEFAULT_COLUMN
        self._row = round(float(height or _DEFAULT_ROW_POINTS) * _EMU_PER_POINT)
        self._columns = [
            (
                int(col.get("min", "1")) - 1,
                int(col.get("max", "1")) - 1,
                _column_emu(col.get("width"), col.get("hidden")),
            )
            for col in sheet.iterfind("m:cols/m:col", _NS)
        ]
        self._rows = {
            int(row.get("r", "0")) - 1: 0 if row.get("hidden") in ("1", "true") else round(float(ht) * _EMU_PER_POINT)
            for row in sheet.iterfind("m:sheetData/m:row[@ht]", _NS)
            if (ht := row.get("ht"))
        }

    def column(self, index: int) -> int:
        return next((emu for first, last, emu in self._columns if first <= index <= last), self._column)

    def row(self, index: int) -> int:
        return self._rows.get(index, self._row)

    def cell(self, column: int, row: int, x: int, y: int) -> str:
        """Return the cell (A1) ``x`` EMU right of and ``y`` EMU below the top left of (column, row), 0-based."""
        letter = get_column_letter(_walk(column, x, self.column, _LAST_COLUMN) + 1)
        return f"{letter}{_walk(row, y, self.row, _LAST_ROW) + 1}"


_WALK_LIMIT = 1000
"""The most columns or rows a chart's anchor is followed over: a chart spans a screen or two."""


def _walk(index: int, offset: int, size_of: Callable[[int], int], last: int) -> int:
    """Return the index of the column or row ``offset`` EMU past the start of ``index`` (within the
    sheet, and at most _WALK_LIMIT further: a hostile anchor over zero-height rows ends there)."""
    index = min(max(index, 0), last)
    end = min(last, index + _WALK_LIMIT)
    while index < end and offset >= size_of(index):
        offset -= size_of(index)
        index += 1
    return index


def _column_emu(width: str | None, hidden: str | None = None) -> int:
    """Return a column's width in EMU from its width in characters (which includes Excel's padding)."""
    if hidden in ("1", "true"):
        return 0
    return round(float(width) * _DIGIT_PIXELS) * _EMU_PER_PIXEL if width else _DEFAULT_COLUMN


def _position(anchor: etree._Element, grid: _Grid) -> tuple[str, str]:
    """Return the cells at the top left and bottom right of a drawing anchor."""
    start = anchor.find("xdr:from", _NS)
    if start is not None:
        column, x, row, y = (_number(start, f"xdr:{tag}") for tag in ("col", "colOff", "row", "rowOff"))
    else:  # an absoluteAnchor, placed from the sheet's top left
        position = anchor.find("xdr:pos", _NS)
        column, x, row, y = 0, _number(position, "@x"), 0, _number(position, "@y")
    top_left = grid.cell(column, row, x, y)
    end = anchor.find("xdr:to", _NS)
    if end is not None:
        return top_left, grid.cell(_number(end, "xdr:col"), _number(end, "xdr:row"), 0, 0)
    size = anchor.find("xdr:ext", _NS)
    return top_left, grid.cell(column, row, x + _number(size, "@cx"), y + _number(size, "@cy"))


def _number(element: etree._Element | None, path: str) -> int:
    """Return the integer at ``path`` (a child's text, or ``@attribute``) of ``element``; 0 when absent."""
    if element is None:
        return 0
    text = element.get(path[1:]) if path.startswith("@") else element.findtext(path, None, _NS)
    try:
        return int(text or 0)
    except ValueError:
        return 0


def _plan(chart: etree._Element, sheet: str, place: tuple[str, str]) -> ChartPlan | str:
    """Return the plan of ``chart`` on ``sheet``, or why it cannot be re-created."""
    kinds = [child for child in chart.iterfind("c:chart/c:plotArea/*", _NS) if child.tag.endswith("Chart")]
    if len(kinds) != 1:
        return "combines several kinds of chart" if kinds else "has no plot"
    kind = kinds[0]
    chart_type = _chart_type(kind)
    if chart_type is None:
        return f"is a {etree.QName(kind).localname}, which the add-in does not re-create"
    references = [
        formula.text or ""
        for series in kind.iterfind("c:ser", _NS)
        for part in ("c:tx", "c:cat", "c:val")
        if (formula := series.find(f"{part}/*/c:f", _NS)) is not None
    ]
    ranges = [Range.parse(text) for text in references]
    cells = [found for found in ranges if found is not None and (_sheet_title(found.sheet) or sheet) == sheet]
    if not cells or len(cells) != len(references):
        return "reads cells that are not one rectangle on its own sheet"
    values = [
        found
        for series in kind.iterfind("c:ser", _NS)
        if (text := series.findtext("c:val/*/c:f", None, _NS)) and (found := Range.parse(text))
    ]
    first_column, first_row = min(c.first_column for c in cells), min(c.first_row for c in cells)
    last_column, last_row = max(c.last_column for c in cells), max(c.last_row for c in cells)
    source = _address(Range("", first_column, first_row, last_column, last_row, ("", "", "", "")))
    return ChartPlan(sheet, chart_type, _title(chart), source, _series_by(values), *place)


def _chart_type(kind: etree._Element) -> str | None:
    """Return the Excel JavaScript chart type of a plot (``ColumnClustered``), None for one it has no plan for."""
    name, stacking = etree.QName(kind).localname, _STACKING.get(_value(kind, "c:grouping") or "")
    if name == "barChart":
        return ("Bar" if _value(kind, "c:barDir") == "bar" else "Column") + (stacking or "Clustered")
    if name in ("lineChart", "areaChart"):
        return ("Line" if name == "lineChart" else "Area") + (stacking or "")
    return {"pieChart": "Pie", "doughnutChart": "Doughnut"}.get(name)


def _series_by(values: list[Range]) -> str:
    """Return ``Columns`` when each series' values run down one column, ``Rows`` along one row, else ``Auto``."""
    down = all(v.first_column == v.last_column for v in values)
    along = all(v.first_row == v.last_row for v in values)
    if down and (not along or len({v.first_column for v in values}) == len(values)):  # one cell each: by columns
        return "Columns"
    return "Rows" if along else "Auto"


def _title(chart: etree._Element) -> str:
    """Return the chart's title as written, or its cached text when a cell gives it."""
    title = chart.find("c:chart/c:title/c:tx", _NS)
    if title is None:
        return ""
    return "".join(t.text or "" for t in title.iterfind(".//a:t", _NS)) or title.findtext(".//c:v", "", _NS)


def _value(element: etree._Element, path: str) -> str | None:
    found = element.find(path, _NS)
    return found.get("val") if found is not None else None


def _address(cells: Range, mark: str = "") -> str:
    """Return the A1 address of ``cells`` without their sheet: ``A4`` or ``A4:B6``, each part after ``mark``."""
    address = f"{mark}{get_column_letter(cells.first_column)}{mark}{cells.first_row}"
    if cells.is_cell:
        return address
    return f"{address}:{mark}{get_column_letter(cells.last_column)}{mark}{cells.last_row}"


def _sheet_title(prefix: str) -> str:
    """Return the sheet a reference's prefix (``'Q1 plan'!`` or ``Budget``) names; empty for none."""
    prefix = prefix.removesuffix("!")
    return prefix[1:-1].replace("''", "'") if prefix.startswith("'") else prefix


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _no_dollars(text: str | None) -> str | None:
    return text.replace("$", "") if text is not None else None


def _rels_of(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def _resolve(folder: str, target: str) -> str:
    """Return a relationship target as a part name: absolute (``/xl/...``) or relative to ``folder``."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))


def _serialised(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

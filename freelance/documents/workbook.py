"""A workbook template (.xlsx) compiled once and rendered many times into workbook bytes.

Compiling reads the template's tables, defined names, sheet, charts and styles once, and cuts each
part a render changes into fixed bytes and slots; every other part is kept compressed. A render
writes the rows of each table of the ``Layout`` (inputs as values, formula columns as the table's
calculated-column formula with the cached value the layout computed), sets the named cells, moves
every range that ends on a table's model row (the table itself, conditional formatting, data
validation, chart series) to the table's last row, refreshes the chart caches and puts in the
currency's number format. The workbook also asks for a full recalculation on load.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from operator import itemgetter
from typing import Any

from lxml import etree
from openpyxl.utils.cell import get_column_letter

from .ooxml import NS as _NS
from .ooxml import attributes, parse, qn
from .package import RENDERED_LEVEL, STATIC_LEVEL, TEMPLATE_LIMITS, RenderFailed, TemplateInvalid, read_member
from .sheetml import Fill, Layout, Range, TableSpec, cell, cell_text, number_text, xml_text
from .skeleton import RESERVED, Skeleton
from .ziparchive import Member, UnsafeZip, ZipLimits, open_checked, pack

_MAIN = _NS["m"]
_R_ID = qn("r:id")


@dataclass
class _Render:
    """What one render computed, for the slots to read."""

    fill: Fill
    sheet_rows: str = ""
    dimension: str = ""
    last_rows: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Column:
    index: int
    name: str
    style: str
    formula: str | None
    letter: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "letter", get_column_letter(self.index))


@dataclass
class _Table:
    """A table of the layout as the template holds it: a header row and one model row."""

    spec: TableSpec
    model_row: int
    columns: list[_Column]

    @property
    def first_column(self) -> int:
        return self.columns[0].index

    @property
    def last_column(self) -> int:
        return self.columns[-1].index

    def holds(self, cells: Range) -> bool:
        """Whether ``cells`` lie in this table's columns and end on its model row."""
        return (
            cells.last_row == self.model_row
            and self.first_column <= cells.first_column <= cells.last_column <= self.last_column
        )

    def column_at(self, index: int) -> _Column:
        return self.columns[index - self.first_column]

    def style_column(self, index: int, style: str) -> None:
        """Give the column at ``index`` the style of the template's model-row cell."""
        self.columns[index - self.first_column] = replace(self.column_at(index), style=style)


@dataclass(frozen=True)
class _NamedCell:
    name: str
    row: int
    column: int
    style: str
    formula: str | None


class CompiledWorkbook:
    """A .xlsx template, parsed and compiled once for ``layout``.

    ``version`` is the SHA-256 of the template file; ``render(context)`` returns the workbook's
    bytes, the same context always giving the same bytes. Raises TemplateInvalid, naming the part
    and what is missing, when the template does not hold what the layout needs.
    """

    def __init__(self, data: bytes, layout: Layout, *, limits: ZipLimits = TEMPLATE_LIMITS):
        self.version = hashlib.sha256(data).hexdigest()
        self._layout = layout
        try:
            archive = open_checked(data, limits)
        except UnsafeZip as exc:
            raise TemplateInvalid(str(exc)) from exc
        with archive:
            members = {info.filename: read_member(archive, info) for info in archive.infolist() if not info.is_dir()}
        compiled = _Compiler(members, layout)
        self._tables, self._named, self._parts = compiled.tables, compiled.named, compiled.parts
        self._static, self._row_attributes = compiled.static, compiled.row_attributes
        self._last_column = get_column_letter(compiled.last_column)

    def render(self, context: Mapping[str, Any]) -> bytes:
        """Return the workbook for ``context``; raise RenderFailed if the layout cannot fill it."""
        try:
            state = self._state(self._layout.fill(context))
        except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
            raise RenderFailed(f"the workbook cannot be filled from these values: {exc!r}") from exc
        return pack([part.render(state) if isinstance(part, Skeleton) else part for part in self._parts])

    def _state(self, fill: Fill) -> _Render:
        """Write the sheet's rows: static cells, each table's rows, the named cells."""
        state = _Render(fill)
        cells = {row: list(found) for row, found in self._static.items()}
        for table in self._tables:
            rows = fill.tables[table.spec.name]
            if not rows:
                raise ValueError(f"table {table.spec.name} needs at least one row")
            for row, values in enumerate(rows, start=table.model_row):  # one run of cells per table row
                run = "".join(
                    cell(f"{column.letter}{row}", column.style, values.get(column.name), column.formula)
                    for column in table.columns
                )
                cells.setdefault(row, []).append((table.first_column, run))
            state.last_rows[table.spec.name] = table.model_row + len(rows) - 1
        for named in self._named:
            value = cell(
                f"{get_column_letter(named.column)}{named.row}", named.style, fill.cells.get(named.name), named.formula
            )
            cells.setdefault(named.row, []).append((named.column, value))
        state.sheet_rows = "".join(
            f'<row r="{row}"{self._row_attributes.get(row, "")}>'
            f"{''.join(xml for _, xml in sorted(cells[row], key=itemgetter(0)))}</row>"
            for row in sorted(cells)
        )
        state.dimension = f"A1:{self._last_column}{max(cells)}"
        return state


class _Compiler:
    """Reads a template's parts once: ``tables``, ``named`` cells, ``static`` cells per row, and
    ``parts`` in archive order, each a compressed Member or a Skeleton to render."""

    def __init__(self, members: dict[str, bytes], layout: Layout):
        self._members, self._layout = members, layout
        workbook = self._xml("xl/workbook.xml")
        sheet_name, names = self._defined_names(workbook)
        sheet = self._sheet_part(workbook, sheet_name)
        self.tables = self._read_tables(sheet)
        self.static: dict[int, list[tuple[int, str]]] = {}
        self.row_attributes: dict[int, str] = {}
        skeletons = {sheet: self._compile_sheet(sheet, names)}
        skeletons |= {part: self._compile_table(part) for part in self._related(sheet, "/table")}
        for drawing in self._related(sheet, "/drawing"):
            skeletons |= {part: self._compile_chart(part) for part in self._related(drawing, "/chart")}
        skeletons |= self._compile_styles()
        members["xl/workbook.xml"] = _with_full_calculation_on_load(workbook)
        self.parts = [
            skeletons.get(name) or Member.of(name, content, STATIC_LEVEL) for name, content in members.items()
        ]
        self.last_column = max(
            [
                *(table.last_column for table in self.tables),
                *(named.column for named in self.named),
                *(index for found in self.static.values() for index, _ in found),
            ]
        )

    def _xml(self, name: str) -> etree._Element:
        if name not in self._members:
            raise TemplateInvalid(f"the template has no part {name}")
        if RESERVED in self._members[name]:
            raise TemplateInvalid(f"{name}: holds a DEL character, which the engine reserves")
        try:
            return parse(self._members[name])
        except etree.XMLSyntaxError as exc:
            raise TemplateInvalid(f"{name}: not well-formed XML: {exc}") from exc

    def _relationships(self, part: str) -> list[tuple[str | None, str, str]]:
        """Return (id, type, target part) of each relationship of ``part``; the id is None when missing."""
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", f"{base}.rels")
        if rels not in self._members:
            return []
        return [
            (rel.get("Id"), rel.get("Type", ""), _resolve(folder, rel.get("Target", "")))
            for rel in self._xml(rels).iterfind("p:Relationship", _NS)
        ]

    def _related(self, part: str, kind: str) -> list[str]:
        """Return the parts ``part`` relates to with a relationship type ending in ``kind``."""
        return [target for _, rel_type, target in self._relationships(part) if rel_type.endswith(kind)]

    def _defined_names(self, workbook: etree._Element) -> tuple[str, dict[str, Range]]:
        """Return the sheet the layout's named cells are on, and each name's cell."""
        found = {
            name.get("name"): Range.parse(name.text or "")
            for name in workbook.iterfind("m:definedNames/m:definedName", _NS)
            if name.get("localSheetId") is None
        }
        wanted = self._layout.inputs + self._layout.computed
        named = {name: cells for name in wanted if (cells := found.get(name)) is not None and cells.is_cell}
        missing = [name for name in wanted if name not in named]
        if missing:
            raise TemplateInvalid(f"xl/workbook.xml: no single-cell defined name {', '.join(missing)}")
        sheets = {cells.sheet for cells in named.values()}
        if len(sheets) != 1:
            raise TemplateInvalid("xl/workbook.xml: the named cells must all be on one sheet")
        sheet = sheets.pop().removesuffix("!")
        return (sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet), named

    def _sheet_part(self, workbook: etree._Element, sheet_name: str) -> str:
        targets = {rel_id: target for rel_id, _, target in self._relationships("xl/workbook.xml")}
        for sheet in workbook.iterfind("m:sheets/m:sheet", _NS):
            if sheet.get("name") == sheet_name and (rel_id := sheet.get(_R_ID)) in targets:
                return targets[rel_id]
        raise TemplateInvalid(f"xl/workbook.xml: no sheet {sheet_name!r}, which the defined names refer to")

    def _read_tables(self, sheet: str) -> list[_Table]:
        parts = {self._xml(part).get("displayName"): part for part in self._related(sheet, "/table")}
        missing = [spec.name for spec in self._layout.tables if spec.name not in parts]
        if missing:
            raise TemplateInvalid(f"{sheet}: no table {', '.join(missing)}")
        return [self._read_table(parts[spec.name], spec) for spec in self._layout.tables]

    def _read_table(self, part: str, spec: TableSpec) -> _Table:
        """Return the table's columns; raise TemplateInvalid unless it has the layout's columns,
        formulas exactly in the computed ones, and one model row under its header."""
        root = self._xml(part)
        cells = Range.parse(root.get("ref", ""))
        if cells is None or cells.last_row != cells.first_row + 1 or root.get("totalsRowCount", "0") != "0":
            raise TemplateInvalid(f"{part}: table {spec.name} must be a header row and one model row")
        columns = [
            (c.get("name", ""), c.findtext("m:calculatedColumnFormula", None, _NS))
            for c in root.iterfind("m:tableColumns/m:tableColumn", _NS)
        ]
        names = [name for name, _ in columns]
        problems = [f"column {name!r} is missing" for name in spec.inputs + spec.computed if name not in names]
        problems += [
            f"column {name!r} needs a calculated-column formula"
            for name, formula in columns
            if name in spec.computed and not formula
        ]
        problems += [
            f"input column {name!r} must not be calculated"
            for name, formula in columns
            if name in spec.inputs and formula
        ]
        if problems:
            raise TemplateInvalid(f"{part}: table {spec.name}: {'; '.join(problems)}")
        return _Table(
            spec,
            cells.last_row,
            [_Column(cells.first_column + i, name, "", _formula(formula)) for i, (name, formula) in enumerate(columns)],
        )

    def _table_holding(self, cells: Range | None) -> _Table | None:
        return next((table for table in self.tables if cells and table.holds(cells)), None)

    def _compile_sheet(self, part: str, names: dict[str, Range]) -> Skeleton[_Render]:
        """Return the sheet's skeleton. Sets ``static`` (the other cells, as XML text), ``row_attributes``
        and ``named``; the model rows give each table column its style."""
        root, skeleton = self._xml(part), Skeleton[_Render](part, RENDERED_LEVEL)
        by_position = {(cells.first_row, cells.first_column): name for name, cells in names.items()}
        named: dict[str, _NamedCell] = {}
        sheet_data = root.find("m:sheetData", _NS)
        if sheet_data is None:
            raise TemplateInvalid(f"{part}: the sheet has no sheetData")
        for row in sheet_data.iterfind("m:row", _NS):
            if (row_number := row.get("r")) is None:
                raise TemplateInvalid(f"{part}: every row needs its number (r)")
            number = int(row_number)
            self.row_attributes[number] = "".join(
                f' {key}="{xml_text(value)}"' for key, value in attributes(row) if key not in ("r", "spans")
            )
            for element in row.iterfind("m:c", _NS):
                position = Range.parse(element.get("r", ""))
                if position is None:
                    raise TemplateInvalid(f"{part}: every cell needs its reference (r)")
                style = f' s="{element.get("s")}"' if element.get("s") else ""
                key = (position.first_row, position.first_column)
                if table := self._table_holding(position):
                    table.style_column(position.first_column, style)
                elif key in by_position:
                    formula = _formula(element.findtext("m:f", None, _NS))
                    named[by_position[key]] = _NamedCell(by_position[key], *key, style, formula)
                else:
                    self._check_outside_tables(part, position)
                    text = etree.tostring(element, encoding="unicode").replace(f' xmlns="{_MAIN}"', "")
                    self.static.setdefault(number, []).append((position.first_column, text))
        self.named = self._check_named(part, names, named)
        sheet_data[:] = []
        sheet_data.text = skeleton.slot(lambda state: state.sheet_rows)
        if (dimension := root.find("m:dimension", _NS)) is not None:
            dimension.set("ref", skeleton.slot(lambda state: state.dimension))
        for path in ("m:conditionalFormatting", "m:dataValidations/m:dataValidation"):
            for element in root.iterfind(path, _NS):
                element.set("sqref", self._following(element.get("sqref", ""), skeleton))
        return skeleton.seal(root)

    def _check_outside_tables(self, part: str, position: Range) -> None:
        for table in self.tables:
            if (
                position.first_row > table.model_row
                and table.first_column <= position.first_column <= table.last_column
            ):
                ref = f"{get_column_letter(position.first_column)}{position.first_row}"
                raise TemplateInvalid(
                    f"{part}: cell {ref} is below table {table.spec.name}, whose rows would overwrite it"
                )

    def _check_named(self, part: str, names: dict[str, Range], cells: dict[str, _NamedCell]) -> list[_NamedCell]:
        for name, position in names.items():
            cells.setdefault(name, _NamedCell(name, position.first_row, position.first_column, "", None))
        wrong = [name for name in self._layout.computed if cells[name].formula is None]
        wrong += [name for name in self._layout.inputs if cells[name].formula is not None]
        if wrong:
            raise TemplateInvalid(
                f"{part}: the cells named {', '.join(wrong)} need a formula (totals) or none (inputs)"
            )
        return list(cells.values())

    def _following(self, text: str, skeleton: Skeleton[_Render]) -> str:
        """Return ``text`` (space-separated ranges), or a slot when a range ends on a table's model row."""
        moves = [(part, cells, self._table_holding(cells)) for part in text.split() for cells in [Range.parse(part)]]
        if not any(table for _, _, table in moves):
            return text
        return skeleton.slot(
            lambda state: " ".join(
                cells.ending_at(state.last_rows[table.spec.name]) if cells and table else part
                for part, cells, table in moves
            )
        )

    def _compile_table(self, part: str) -> Skeleton[_Render]:
        root, skeleton = self._xml(part), Skeleton[_Render](part, RENDERED_LEVEL)
        for element in [root, *root.iterfind("m:autoFilter", _NS)]:
            element.set("ref", self._following(element.get("ref", ""), skeleton))
        return skeleton.seal(root)

    def _compile_chart(self, part: str) -> Skeleton[_Render]:
        """Series that read one table column follow its rows; their caches are written per render."""
        root, skeleton = self._xml(part), Skeleton[_Render](part, RENDERED_LEVEL)
        for formula in root.iterfind(".//c:f", _NS):
            text = formula.text or ""
            cells = Range.parse(text)
            table = self._table_holding(cells)
            reference = formula.getparent()  # the series' strRef or numRef
            if cells is None or table is None or cells.first_column != cells.last_column or reference is None:
                continue
            for old in reference.findall("c:strCache", _NS) + reference.findall("c:numCache", _NS):
                reference.remove(old)
            formula.text = self._following(text, skeleton)
            formula.tail = skeleton.slot(
                partial(
                    _chart_cache,
                    table=table.spec.name,
                    column=table.column_at(cells.first_column).name,
                    numeric=etree.QName(reference).localname == "numRef",
                    prefix=f"{formula.prefix}:" if formula.prefix else "",
                )
            )
        return skeleton.seal(root)

    def _compile_styles(self) -> dict[str, Skeleton[_Render]]:
        """The number formats holding ``¤`` become the tracker's currency format at each render."""
        styles = self._related("xl/workbook.xml", "/styles")
        if not styles:
            raise TemplateInvalid("xl/workbook.xml: no styles part")
        # A render's styles depend on its currency format only: one Member per format, kept.
        skeleton = Skeleton[_Render](styles[0], STATIC_LEVEL, cache_key=lambda state: state.fill.currency_format)
        root = self._xml(styles[0])
        currency = [fmt for fmt in root.iterfind("m:numFmts/m:numFmt", _NS) if "¤" in fmt.get("formatCode", "")]
        for fmt in currency:
            fmt.set("formatCode", skeleton.slot(lambda state: xml_text(state.fill.currency_format)))
        return {styles[0]: skeleton.seal(root)} if currency else {}


def _resolve(folder: str, target: str) -> str:
    """Return a relationship target as a part name: absolute (``/xl/...``) or relative to ``folder``."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))


def _with_full_calculation_on_load(workbook: etree._Element) -> bytes:
    """Return workbook.xml asking Excel and LibreOffice to recalculate every formula on load."""
    calculation = workbook.find("m:calcPr", _NS)
    if calculation is None:
        anchor = [
            e
            for name in ("sheets", "functionGroups", "externalReferences", "definedNames")
            for e in workbook.iterfind(f"m:{name}", _NS)
        ][-1]
        calculation = etree.Element(qn("m:calcPr"))
        anchor.addnext(calculation)
    calculation.set("fullCalcOnLoad", "1")
    return etree.tostring(workbook, xml_declaration=True, encoding="UTF-8", standalone=True)


def _formula(text: str | None) -> str | None:
    """Return a formula's text escaped for a cell's <f>, or None for no formula."""
    return xml_text(text) if text else None


def _chart_cache(state: _Render, *, table: str, column: str, numeric: bool, prefix: str) -> str:
    """Return the cached points of a series reading a table column: what a chart shows before it reads the cells."""
    values = [row.get(column) for row in state.fill.tables[table]]
    if numeric:
        points = [(i, number_text(v)) for i, v in enumerate(values) if v is not None and not isinstance(v, str)]
        head, tag = f"<{prefix}formatCode>General</{prefix}formatCode>", "numCache"
    else:
        points = [(i, cell_text(v)) for i, v in enumerate(values) if isinstance(v, str)]
        head, tag = "", "strCache"
    body = "".join(f'<{prefix}pt idx="{i}"><{prefix}v>{v}</{prefix}v></{prefix}pt>' for i, v in points)
    return f'<{prefix}{tag}>{head}<{prefix}ptCount val="{len(values)}"/>{body}</{prefix}{tag}>'

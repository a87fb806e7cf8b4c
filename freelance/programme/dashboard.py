"""The programme dashboard as an Excel workbook: a sheet of figures that are live formulas over the SOWs
table beside it, with native charts, so a manager can filter, extend and re-chart it in Excel.

Sheets: "Dashboard" (totals per currency; the breakdown asked for; spend per group and currency,
charted; SOWs and days to engage per month, charted; demand by skill per month), "SOWs" (the table
``Sows``, one row per committed SOW, its computed columns formulas) and "NDAs" (the table ``Ndas``, the
NDAs in force). Every value a user typed is written as text, never as a formula.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, MergedCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableFormula, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ..documents.tidy import tidied
from .insights import Insight

GROUP_LABELS = {
    "category": "Category",
    "team": "Team",
    "cost_center": "Cost center",
    "skill": "Skill",
    "country": "Country",
}
NO_GROUP = "(none)"
"""The label of SOWs that do not say their group."""

MONEY, DAYS, DATE, MONTH = "#,##0.00", "0.0", "yyyy-mm-dd", "yyyy-mm"
_FONT = "Calibri"
_BOLD, _TITLE, _HEADING = (Font(name=_FONT, bold=True, size=size) for size in (11, 16, 12))
_HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
_ROW = "Sows[[#This Row],[{}]]"

# The SOWs table: (header, fact, number format); a fact of None is a formula column.
SOW_TABLE: tuple[tuple[str, str | None, str | None], ...] = (
    ("Document id", "id", None),
    ("SOW number", "engagement", None),
    ("Freelancer", "freelancer_name", None),
    ("Freelancer email", "freelancer_email", None),
    ("Country", "country", None),
    ("Skills", "skills", None),
    ("Category", "category", None),
    ("Team", "team", None),
    ("Cost center", "cost_center", None),
    ("Status", "status", None),
    ("Currency", "currency", None),
    ("Value", "value", MONEY),
    ("First draft", "first_draft", DATE),
    ("Signed", "signed_on", DATE),
    ("Start", "start_on", DATE),
    ("End", "end_on", DATE),
    ("Days to engage", None, "0"),
    ("Duration (days)", None, "0"),
    ("Month", None, MONTH),
)
SOW_FORMULAS = {
    "Days to engage": f'IF(OR({_ROW.format("Signed")}="",{_ROW.format("First draft")}=""),"",'
    f"{_ROW.format('Signed')}-{_ROW.format('First draft')})",
    "Duration (days)": f'IF(OR({_ROW.format("Start")}="",{_ROW.format("End")}=""),"",'
    f"{_ROW.format('End')}-{_ROW.format('Start')}+1)",
    "Month": f'IF({_ROW.format("Signed")}="","",DATE(YEAR({_ROW.format("Signed")}),MONTH({_ROW.format("Signed")}),1))',
}
NDA_TABLE: tuple[tuple[str, str, str | None], ...] = (
    ("Document id", "id", None),
    ("Template", "template", None),
    ("Freelancer", "freelancer_name", None),
    ("Freelancer email", "freelancer_email", None),
    ("Status", "status", None),
    ("Expires", "expires_on", DATE),
)
SKILLS_SEPARATOR = "; "
"""Between a SOW's skills in its Skills cell (the formulas look for a skill between two of them)."""


def dashboard(insight: Insight, sows: list[Any], ndas: list[Any], made_on: date) -> bytes:
    """Return the .xlsx dashboard of ``insight``, its SOWs and the NDAs in force, made on ``made_on``."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Dashboard"
    _sows_sheet(workbook.create_sheet("SOWs"), sows)
    _ndas_sheet(workbook.create_sheet("NDAs"), ndas)
    _Dashboard(sheet, insight).write(made_on)
    workbook.calculation.fullCalcOnLoad = True  # no cached values: Excel and LibreOffice compute on opening
    props = workbook.properties
    props.creator = props.lastModifiedBy = "Freelance Toolkit"
    props.title = "Programme dashboard"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return tidied(buffer.getvalue())


class _Dashboard:
    """Writes the Dashboard sheet block by block, top to bottom; charts go in a column on the right."""

    def __init__(self, sheet: Worksheet, insight: Insight):
        self.sheet, self.insight, self.row = sheet, insight, 5
        self.currencies = sorted({figures.currency for figures in insight.totals})
        self.charts = 0

    def write(self, made_on: date) -> None:
        sheet, insight = self.sheet, self.insight
        sheet["A1"], sheet["A1"].font = "Programme dashboard", _TITLE
        start, end = insight.start, insight.end
        period = (
            f"SOWs signed {start.isoformat() if start else 'at any time'}"
            + (f" to {end.isoformat()}" if end else (" onwards" if start else ""))
        ) + f" (made {made_on.isoformat()})"
        sheet["A2"] = period
        sheet["A3"] = "Committed SOWs: signed, active or completed. Money is added per currency, never converted."
        self._totals()
        self._key_figures()
        self._groups()
        self._spend_matrix()
        self._per_month()
        self._demand()
        for column, width in zip("ABCDEFG", (34, 14, 16, 10, 16, 16, 16)):
            sheet.column_dimensions[column].width = width
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    def _totals(self) -> None:
        self._heading("Totals per currency")
        self._header(
            ["Currency", "Committed spend", "SOWs", "Average value", "Average duration (days)", "Median days to engage"]
        )
        for currency in self.currencies:
            row = self.row
            _text(self.sheet.cell(row, 1), currency)
            where = f"Sows[Currency],$A{row}"
            self._figures(
                row,
                2,
                spend=f"SUMIFS(Sows[Value],{where})",
                count=f"COUNTIFS({where})",
                duration=f'IFERROR(ROUND(AVERAGEIFS(Sows[Duration (days)],{where}),2),"")',
                median=f'IFERROR(MEDIAN(IF(Sows[Currency]=$A{row},Sows[Days to engage])),"")',
            )
            self.row += 1
        self.row += 1

    def _key_figures(self) -> None:
        active = (
            'SUMPRODUCT((Sows[Status]="active")/(COUNTIFS(Sows[Freelancer email],Sows[Freelancer email],'
            'Sows[Status],"active")+(Sows[Status]<>"active")))'
        )
        figures = [
            ("Median days to engage", 'IFERROR(MEDIAN(Sows[Days to engage]),"")', DAYS),
            ("Active freelancers", active, "0"),
            (
                "NDAs expiring in the next 90 days",
                'COUNTIFS(Ndas[Expires],">="&TODAY(),Ndas[Expires],"<="&(TODAY()+90))',
                "0",
            ),
        ]
        self._heading("Key figures")
        for label, formula, number_format in figures:
            self.sheet.cell(self.row, 1, label).font = _BOLD
            cell = self.sheet.cell(self.row, 2, f"={formula}")
            cell.number_format = number_format
            self.row += 1
        self.row += 1

    def _groups(self) -> None:
        label = GROUP_LABELS[self.insight.group_by]
        self._heading(f"By {label.lower()}")
        self._header(
            [
                label,
                "Currency",
                "Committed spend",
                "SOWs",
                "Average value",
                "Average duration (days)",
                "Median days to engage",
            ]
        )
        for figures in self.insight.groups:
            row = self.row
            _text(self.sheet.cell(row, 1), figures.group if figures.group is not None else NO_GROUP)
            _text(self.sheet.cell(row, 2), figures.currency)
            match = f"{self._match(figures.group, f'$A{row}')}*(Sows[Currency]=$B{row})"
            self._figures(
                row,
                3,
                spend=f"SUMPRODUCT({match},Sows[Value])",
                count=f"SUMPRODUCT({match})",
                duration=f'IFERROR(ROUND(SUMPRODUCT({match},Sows[Duration (days)])/SUMPRODUCT({match}*ISNUMBER(Sows[Duration (days)])),2),"")',
                median=f'IFERROR(MEDIAN(IF({match},Sows[Days to engage])),"")',
            )
            self.row += 1
        self.row += 1

    def _spend_matrix(self) -> None:
        label = GROUP_LABELS[self.insight.group_by]
        self._heading(f"Committed spend per {label.lower()}")
        header = self.row
        self._header([label, *self.currencies])
        groups = list(dict.fromkeys(figures.group for figures in self.insight.groups))
        for group in groups:
            row = self.row
            _text(self.sheet.cell(row, 1), group if group is not None else NO_GROUP)
            for offset, _currency in enumerate(self.currencies):
                column = get_column_letter(2 + offset)
                match = f"{self._match(group, f'$A{row}')}*(Sows[Currency]={column}${header})"
                self.sheet.cell(row, 2 + offset, f"=SUMPRODUCT({match},Sows[Value])").number_format = MONEY
            self.row += 1
        if groups and self.currencies:
            chart = BarChart()
            chart.type, chart.grouping = "bar", "clustered"
            chart.title, chart.y_axis.title = f"Committed spend per {label.lower()}", "Committed spend"
            chart.y_axis.number_format = "#,##0"
            chart.add_data(
                Reference(
                    self.sheet, min_col=2, max_col=1 + len(self.currencies), min_row=header, max_row=self.row - 1
                ),
                titles_from_data=True,
            )
            chart.set_categories(Reference(self.sheet, min_col=1, min_row=header + 1, max_row=self.row - 1))
            self._place(chart)
        self.row += 1

    def _per_month(self) -> None:
        months = [_month(each.month) for each in self.insight.sows_per_month]
        for title, header, formula, number_format, chart in (
            ("SOWs per month", "SOWs", "COUNTIFS(Sows[Month],$A{row})", "0", BarChart()),
            (
                "Time to engage",
                "Average days to engage",
                'IFERROR(ROUND(AVERAGEIFS(Sows[Days to engage],Sows[Month],$A{row}),2),"")',
                DAYS,
                LineChart(),
            ),
        ):
            self._heading(title)
            first = self.row
            self._header(["Month", header])
            for month in months:
                row = self.row
                self.sheet.cell(row, 1, month).number_format = MONTH
                self.sheet.cell(row, 2, "=" + formula.format(row=row)).number_format = number_format
                self.row += 1
            if months:
                chart.title, chart.y_axis.title = title, header
                chart.add_data(
                    Reference(self.sheet, min_col=2, min_row=first, max_row=self.row - 1), titles_from_data=True
                )
                chart.set_categories(Reference(self.sheet, min_col=1, min_row=first + 1, max_row=self.row - 1))
                chart.x_axis.number_format = MONTH
                self._place(chart)
            self.row += 1

    def _demand(self) -> None:
        months = sorted({each.month for each in self.insight.demand})
        skills = sorted({each.skill for each in self.insight.demand})
        self._heading("Demand by skill: SOWs per month")
        header = self.row
        self._header(["Skill"])
        for offset, month in enumerate(months):
            cell = self.sheet.cell(header, 2 + offset, _month(month))
            cell.number_format, cell.font, cell.fill = MONTH, _BOLD, _HEADER_FILL
        for skill in skills:
            row = self.row
            _text(self.sheet.cell(row, 1), skill)
            for offset in range(len(months)):
                column = get_column_letter(2 + offset)
                self.sheet.cell(
                    row,
                    2 + offset,
                    f"=SUMPRODUCT((Sows[Month]={column}${header})*{self._match(skill, f'$A{row}', True)})",
                )
            self.row += 1

    def _figures(self, row: int, column: int, *, spend: str, count: str, duration: str, median: str) -> None:
        """Write spend, count, average value, average duration and median days to engage from ``column`` on."""
        sheet = self.sheet
        spend_cell, count_cell = sheet.cell(row, column), sheet.cell(row, column + 1)
        spend_cell.value, spend_cell.number_format = f"={spend}", MONEY
        count_cell.value, count_cell.number_format = f"={count}", "0"
        average = sheet.cell(row, column + 2, f'=IFERROR(ROUND({spend_cell.coordinate}/{count_cell.coordinate},2),"")')
        average.number_format = MONEY
        sheet.cell(row, column + 3, f"={duration}").number_format = DAYS
        median_cell = sheet.cell(row, column + 4)
        median_cell.value = ArrayFormula(median_cell.coordinate, f"={median}")
        median_cell.number_format = DAYS

    def _match(self, group: str | None, label: str, skill: bool = False) -> str:
        """A formula of 1s and 0s down Sows: whether each SOW is of ``group`` (its text in cell ``label``)."""
        if skill or self.insight.group_by == "skill":
            separator = f'"{SKILLS_SEPARATOR}"'
            return f"ISNUMBER(FIND({separator}&{label}&{separator},{separator}&Sows[Skills]&{separator}))"
        column = f"Sows[{GROUP_LABELS[self.insight.group_by]}]"
        return f"EXACT({column},{label if group is not None else chr(34) * 2})"

    def _heading(self, text: str) -> None:
        self.sheet.cell(self.row, 1, text).font = _HEADING
        self.row += 1

    def _header(self, names: list[str]) -> None:
        for column, name in enumerate(names, start=1):
            cell = self.sheet.cell(self.row, column, name)
            cell.font, cell.fill = _BOLD, _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        self.sheet.row_dimensions[self.row].height = 30 if any(len(name) > 14 for name in names) else 15
        self.row += 1

    def _place(self, chart: Any) -> None:
        chart.width, chart.height = 16, 7.5
        chart.x_axis.delete = chart.y_axis.delete = False
        self.sheet.add_chart(chart, f"I{5 + 16 * self.charts}")
        self.charts += 1


def _sows_sheet(sheet: Worksheet, sows: list[Any]) -> None:
    rows = [_sow_values(sow) for sow in sows]
    _table(sheet, "Sows", [(name, fmt) for name, _fact, fmt in SOW_TABLE], rows, SOW_FORMULAS)


def _ndas_sheet(sheet: Worksheet, ndas: list[Any]) -> None:
    rows = [[getattr(nda, fact) for _name, fact, _fmt in NDA_TABLE] for nda in ndas]
    rows = [[str(value) if fact == "id" else value for value, (_n, fact, _f) in zip(row, NDA_TABLE)] for row in rows]
    _table(sheet, "Ndas", [(name, fmt) for name, _fact, fmt in NDA_TABLE], rows, {})


def _sow_values(sow: Any) -> list[Any]:
    first_draft = (
        date.fromordinal(sow.signed_on.toordinal() - sow.days_to_engage) if sow.days_to_engage is not None else None
    )
    values = {
        "id": str(sow.id),
        "freelancer_email": sow.freelancer_email or sow.freelancer_name,  # who a freelancer is, as insight counts them
        "skills": SKILLS_SEPARATOR.join(sow.skills or []),
        "first_draft": first_draft,
    }
    return [values[fact] if fact in values else getattr(sow, fact) if fact else None for _n, fact, _f in SOW_TABLE]


def _table(
    sheet: Worksheet, name: str, columns: list[tuple[str, str | None]], rows: list[list[Any]], formulas: dict[str, str]
) -> None:
    """Write ``rows`` under a header of ``columns`` as the table ``name`` (one empty row when there are none: a
    table has at least one); a column in ``formulas`` is a calculated column."""
    for column, (header, _fmt) in enumerate(columns, start=1):
        heading = sheet.cell(1, column, header)
        heading.font = _BOLD
        sheet.column_dimensions[get_column_letter(column)].width = (
            38 if header == "Document id" else max(12, len(header) + 4)
        )
    for row_number, values in enumerate(rows or [[None] * len(columns)], start=2):
        for column, ((header, number_format), value) in enumerate(zip(columns, values), start=1):
            cell = sheet.cell(row_number, column)
            if header in formulas:
                cell.value = f"={formulas[header]}"
            elif isinstance(value, str):
                _text(cell, value)
            else:
                cell.value = value
            if number_format:
                cell.number_format = number_format
    last = get_column_letter(len(columns))
    table = Table(displayName=name, ref=f"A1:{last}{1 + max(len(rows), 1)}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    table._initialise_columns()  # type: ignore[attr-defined]  # openpyxl's own way to name the columns
    for table_column in table.tableColumns:
        if table_column.name in formulas:
            table_column.calculatedColumnFormula = TableFormula(attr_text=formulas[table_column.name])
    sheet.add_table(table)
    sheet.freeze_panes = "A2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "1:1"


def _text(cell: Cell | MergedCell, value: str) -> None:
    """Write ``value`` as text, whatever it starts with (a typed "=..." stays text, never a formula)."""
    cell.value = value
    cell.data_type = "s"


def _month(month: str) -> date:
    year, number = month.split("-")
    return date(int(year), int(number), 1)

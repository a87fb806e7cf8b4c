"""Build the budget tracker template, templates/budget.xlsx, reproducibly.

Sheet "Budget": the project title (A1) and its details (row 2), the summary block (labels in
row 3, values in row 4, each value cell a defined name such as ApprovedBudget), the table
BudgetLines (header in row 6, one model row in row 7, formula columns as calculated columns),
the table FreelancerTotals beside it, and a chart of planned vs actual per freelancer. The model
rows carry each column's style; the engine (freelance/documents/workbook.py) writes the rows.
Amounts use the number format "¤"..., which a render replaces with the tracker's currency.

Usage (from the repository root, with the project virtualenv):
    python -m tools.build_budget_template           # write templates/budget.xlsx
    python -m tools.build_budget_template --check   # exit 1 if the committed file is stale
"""

import argparse
import io
import sys
import typing
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.axis import ChartLines
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableFormula, TableStyleInfo
from openpyxl.writer.excel import ExcelWriter

from freelance.budget import tracker
from freelance.documents.tidy import tidied
from tools.build_templates import reproducible_zip

ROOT = Path(__file__).resolve().parent.parent

from freelance.models import BudgetLine  # noqa: E402

TARGET = ROOT / "templates" / "budget.xlsx"
SHEET = "Budget"
BUILD_TIME = datetime(2026, 1, 1)
HEADER_ROW, MODEL_ROW = 6, 7
CURRENCY = '"¤"#,##0.00;[Red]-"¤"#,##0.00'
UNITS, PERCENT, COUNT = "#,##0.00", "0.0%", "0"
FONT, ACCENT, LABEL_FILL = "Calibri", "1F3864", "D9E2F3"
OVER_FILL, OVER_FONT = PatternFill("solid", fgColor="FFC7CE"), Font(color="9C0006")
WARN_FILL, WARN_FONT = PatternFill("solid", fgColor="FFEB9C"), Font(color="9C5700")

ROW = f"{tracker.LINES}[[#This Row],[{{}}]]"
# Lines from the table's first to this one, and the numbers of the lines above this one.
_SO_FAR = (
    f"INDEX({tracker.LINES}[Freelancer],1):{ROW.format('Freelancer')}"  # not the header: a freelancer may be named so
)
_NUMBERS_ABOVE = f"{tracker.LINES}[[#Headers],[Freelancer no.]]:OFFSET({ROW.format('Freelancer no.')},-1,0)"
LINE_FORMULAS = {
    "Planned amount": f"{ROW.format('Planned units')}*{ROW.format('Rate')}",
    "Actual amount": f"{ROW.format('Actual units')}*{ROW.format('Rate')}",
    "Variance": f"{ROW.format('Planned amount')}-{ROW.format('Actual amount')}",
    "% used": f'IF({ROW.format("Planned amount")}=0,"",{ROW.format("Actual amount")}/{ROW.format("Planned amount")})',
    # A freelancer's first line gets the next number; EXACT, as the totals match names.
    "Freelancer no.": (
        f'IF({ROW.format("Freelancer")}="","",IF(SUMPRODUCT(--EXACT({_SO_FAR},{ROW.format("Freelancer")}))=1,'
        f'COUNT({_NUMBERS_ABOVE})+1,""))'
    ),
}
# The n-th row of FreelancerTotals is the freelancer numbered n in BudgetLines (empty past the last).
# EXACT, not SUMIFS: a name's wildcards (*, ?) or a leading "<" must not change which lines count.
_FREELANCER = f"{tracker.FREELANCERS}[[#This Row],[Freelancer]]"
_FREELANCER_SUM = (
    f'IF({_FREELANCER}="","",SUMPRODUCT(--EXACT({tracker.LINES}[Freelancer],{_FREELANCER}),{tracker.LINES}[{{}}]))'
)
FREELANCER_FORMULAS = {
    "Freelancer": (
        f"IFERROR(INDEX({tracker.LINES}[Freelancer],MATCH(ROW()-ROW({tracker.FREELANCERS}[[#Headers],[Freelancer]]),"
        f'{tracker.LINES}[Freelancer no.],0)),"")'
    ),
    "Planned": _FREELANCER_SUM.format("Planned amount"),
    "Actual": _FREELANCER_SUM.format("Actual amount"),
}
LINE_FORMATS = {"Planned units": UNITS, "Actual units": UNITS, "% used": PERCENT} | dict.fromkeys(
    ("Rate", "Planned amount", "Actual amount", "Invoiced", "Variance"), CURRENCY
)
WIDTHS = {
    "Freelancer": 24,
    "Role": 22,
    "SOW": 15,
    "Milestone": 24,
    "Status": 15,
    "Planned units": 15,
    "Rate": 15,
    "Planned amount": 16,
    "Actual units": 13,
    "Actual amount": 16,
    "Invoiced": 16,
    "Variance": 16,
    "% used": 10,
    "Freelancer no.": 8,
}
FREELANCER_WIDTHS = (24, 16, 16)
CHART_COLUMNS = 14
"""Columns from the FreelancerTotals table's first to the chart's right edge, printed together."""
WRAPPED = ("Role", "Milestone")
UNLOCKED = Protection(locked=False)

# The summary block: (label, defined name, number format, formula or None for an input).
SUMMARY = [
    ("Approved budget", "ApprovedBudget", CURRENCY, None),
    ("Planned", "PlannedTotal", CURRENCY, f"SUM({tracker.LINES}[Planned amount])"),
    ("Actual", "ActualTotal", CURRENCY, f"SUM({tracker.LINES}[Actual amount])"),
    ("Invoiced", "InvoicedTotal", CURRENCY, f"SUM({tracker.LINES}[Invoiced])"),
    ("Remaining", "Remaining", CURRENCY, "ApprovedBudget-ActualTotal"),
    ("% of budget used", "PercentUsed", PERCENT, 'IF(ApprovedBudget=0,"",ActualTotal/ApprovedBudget)'),
    ("Lines over budget", "LinesOverBudget", COUNT, f'COUNTIF({tracker.LINES}[Variance],"<0")'),
    ("Uncommitted", "Uncommitted", CURRENCY, "ApprovedBudget-PlannedTotal"),
]
DETAILS = [("PO number", "PONumber"), ("Cost center", "CostCenter"), ("Currency", "Currency")]


def letter(column_name):
    """The column letter of a BudgetLines column."""
    return get_column_letter(tracker.COLUMNS.index(column_name) + 1)


def name_cell(wb, ws, name, ref):
    """Give cell ``ref`` of ``ws`` the workbook-level defined name ``name``."""
    column, row = ref[0], ref[1:]
    wb.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheetname(ws.title)}!${column}${row}")


def add_heading(wb, ws):
    """Project title in A1 and the project details in row 2, each value a defined name."""
    ws["A1"] = "Project title"
    ws["A1"].font = Font(name=FONT, size=16, bold=True, color=ACCENT)
    ws["A1"].protection = UNLOCKED
    ws.row_dimensions[1].height = 24
    name_cell(wb, ws, "ProjectTitle", "A1")
    for i, (label, name) in enumerate(DETAILS):
        label_cell = ws.cell(2, 2 * i + 1, label)
        label_cell.font = Font(name=FONT, bold=True, color="595959")
        label_cell.alignment = Alignment(horizontal="right")
        ws.cell(2, 2 * i + 2, "").protection = UNLOCKED
        name_cell(wb, ws, name, f"{get_column_letter(2 * i + 2)}2")


def add_summary(wb, ws):
    """Labels in row 3 and values in row 4; totals over budget are marked."""
    ws.row_dimensions[3].height = 30  # two lines: labels wrap in the narrower columns
    for column, (label, name, number_format, formula) in enumerate(SUMMARY, start=1):
        label_cell = ws.cell(3, column, label)
        label_cell.font = Font(name=FONT, bold=True, color=ACCENT)
        label_cell.fill = PatternFill("solid", fgColor=LABEL_FILL)
        label_cell.alignment = Alignment(wrap_text=True, vertical="top")
        value = ws.cell(4, column, f"={formula}" if formula else 0)
        value.number_format = number_format
        value.protection = Protection(locked=bool(formula))
        value.font = Font(name=FONT, bold=True, size=12)
        name_cell(wb, ws, name, f"{get_column_letter(column)}4")
    ws.conditional_formatting.add("C4:F4", FormulaRule(formula=["$C$4>$A$4"], fill=OVER_FILL, font=OVER_FONT))
    ws.conditional_formatting.add("B4 H4", FormulaRule(formula=["$B$4>$A$4"], fill=WARN_FILL, font=WARN_FONT))


def add_table(ws, name, first_column, columns, formulas, formats, style):
    """A table whose header is HEADER_ROW and whose one model row is MODEL_ROW."""
    last = first_column + len(columns) - 1
    table_columns = []
    for offset, column_name in enumerate(columns):
        ws.cell(HEADER_ROW, first_column + offset, column_name)
        model = ws.cell(
            MODEL_ROW, first_column + offset, f"={formulas[column_name]}" if column_name in formulas else None
        )
        model.number_format = formats.get(column_name, "General")
        model.protection = Protection(locked=column_name in formulas)  # what a person types stays open
        if column_name in WRAPPED:
            model.alignment = Alignment(wrap_text=True, vertical="top")
        formula = TableFormula(attr_text=formulas[column_name]) if column_name in formulas else None
        table_columns.append(TableColumn(id=offset + 1, name=column_name, calculatedColumnFormula=formula))
    ref = f"{get_column_letter(first_column)}{HEADER_ROW}:{get_column_letter(last)}{MODEL_ROW}"
    table = Table(
        displayName=name,
        ref=ref,
        tableColumns=table_columns,
        autoFilter=AutoFilter(ref=ref),
        tableStyleInfo=TableStyleInfo(name=style, showRowStripes=True),
    )
    ws.add_table(table)


def add_lines(ws):
    """The BudgetLines table, the status drop-down and the over-budget mark."""
    add_table(ws, tracker.LINES, 1, tracker.COLUMNS, LINE_FORMULAS, LINE_FORMATS, "TableStyleMedium2")
    for column_name, width in WIDTHS.items():
        ws.column_dimensions[letter(column_name)].width = width
    statuses = typing.get_args(BudgetLine.model_fields["status"].annotation)
    status = DataValidation(
        type="list",
        formula1=f'"{",".join(statuses)}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Status",
        error=f"Choose one of: {', '.join(statuses)}.",
    )
    status.add(f"{letter('Status')}{MODEL_ROW}")
    ws.add_data_validation(status)
    for column_name in tracker.NUMBER_COLUMNS:
        number = DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=column_name,
            error=f"{column_name}: a number, 0 or more.",
        )
        number.add(f"{letter(column_name)}{MODEL_ROW}")
        ws.add_data_validation(number)
    model_row = f"A{MODEL_ROW}:{letter(tracker.COLUMNS[-1])}{MODEL_ROW}"
    over = f"${letter('Actual amount')}{MODEL_ROW}>${letter('Planned amount')}{MODEL_ROW}"
    ws.conditional_formatting.add(model_row, FormulaRule(formula=[over], fill=OVER_FILL, font=OVER_FONT))
    invoiced = f"{letter('Invoiced')}{MODEL_ROW}"  # invoiced more than the time worked is worth
    over_invoiced = f"${invoiced}>${letter('Actual amount')}{MODEL_ROW}"
    ws.conditional_formatting.add(invoiced, FormulaRule(formula=[over_invoiced], fill=WARN_FILL, font=WARN_FONT))
    ws.column_dimensions[letter("Freelancer no.")].hidden = True


def add_freelancers(ws):
    """The FreelancerTotals table two columns right of BudgetLines, and its chart beside it."""
    first = len(tracker.COLUMNS) + 2
    formats = {"Planned": CURRENCY, "Actual": CURRENCY}
    add_table(
        ws, tracker.FREELANCERS, first, tracker.FREELANCER_COLUMNS, FREELANCER_FORMULAS, formats, "TableStyleLight9"
    )
    for offset, width in enumerate(FREELANCER_WIDTHS):
        ws.column_dimensions[get_column_letter(first + offset)].width = width
    chart = BarChart()
    chart.type, chart.grouping = "col", "clustered"
    chart.title = "Planned vs actual per freelancer"
    chart.y_axis.title = "Amount"
    chart.y_axis.number_format, chart.y_axis.majorGridlines = "#,##0", ChartLines()  # whole amounts: no cents
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.width, chart.height = 18, 9
    chart.add_data(
        Reference(ws, min_col=first + 1, max_col=first + 2, min_row=HEADER_ROW, max_row=MODEL_ROW),
        titles_from_data=True,
    )
    names = (
        f"{quote_sheetname(ws.title)}!${get_column_letter(first)}${MODEL_ROW}:${get_column_letter(first)}${MODEL_ROW}"
    )
    for series in chart.series:  # the names are text: a string reference, not openpyxl's default numRef
        series.cat = AxDataSource(strRef=StrRef(f=names))
    ws.add_chart(chart, f"{get_column_letter(first + 4)}{HEADER_ROW}")


def set_up_page(ws):
    """Frozen header, landscape pages one page wide, the header row repeated; the lines print, then the
    freelancers' totals and the chart on pages of their own; a header and "Page x of y" on each page; the
    sheet protected (no password) so that only the inputs can be typed over."""
    ws.freeze_panes = f"A{MODEL_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    totals_first = len(tracker.COLUMNS) + 2
    ws.print_area = [  # whole columns: rows added in Excel print too
        f"A1:{letter(tracker.COLUMNS[-2])}1048576",
        f"{get_column_letter(totals_first)}1:{get_column_letter(totals_first + CHART_COLUMNS)}1048576",
    ]
    ws.print_options.gridLines = False
    ws.oddHeader.left.text, ws.oddHeader.right.text = '&"Calibri,Bold"Budget tracker', "&F"
    ws.oddFooter.center.text = "Page &P of &N"
    ws.protection.sheet = True
    ws.protection.autoFilter = ws.protection.sort = False  # filtering stays allowed (sorting too, locked cells aside)
    ws.protection.formatColumns = ws.protection.formatRows = False


def build():
    """Return the bytes of templates/budget.xlsx."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    add_heading(wb, ws)
    add_summary(wb, ws)
    add_lines(ws)
    add_freelancers(ws)
    set_up_page(ws)
    wb.calculation.fullCalcOnLoad = True
    props = wb.properties
    props.creator = props.lastModifiedBy = "Freelance Toolkit"
    props.title = "Budget tracker"
    props.created = props.modified = BUILD_TIME
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # not wb.save(): it stamps the current time as "modified"
    # As Excel writes a workbook: text in the shared-strings table, fonts in schema order (openxml-audit clean).
    return tidied(reproducible_zip(buffer.getvalue()))


def main(argv=None):
    """Build or check templates/budget.xlsx; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the committed file is stale")
    args = parser.parse_args(argv)
    data = build()
    if args.check:
        if not TARGET.exists() or TARGET.read_bytes() != data:
            print(f"out of date: {TARGET.relative_to(ROOT)} (run python tools/build_budget_template.py)")
            return 1
        return 0
    TARGET.write_bytes(data)
    print(f"built {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

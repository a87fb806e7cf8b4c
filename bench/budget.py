"""Budget tracker benchmark: the workbook engine against building the same workbook with openpyxl.

Both make the tracker of one validated Budget with 200 lines (9 freelancers), in the same run:

* engine         ``CompiledWorkbook.render(context)``: templates/budget.xlsx was compiled once, at
                 start-up. A second line times ``Template.generate(model)``, which also builds the
                 context, names the file and dumps the data for the record.
* openpyxl       the same sheet built from scratch per tracker with openpyxl 3.1.5 and saved to a
                 BytesIO: title, details and summary block with its formulas and defined names, both
                 tables with their calculated columns and 200 (9) rows of values and formulas, number
                 formats (the tracker's currency), conditional formatting, the status drop-down, the
                 chart, frozen header and page setup. Layout, formulas and formats are the build
                 tool's (tools/build_budget_template.py). openpyxl writes no cached values, so it does
                 less than the engine, which also writes each formula's value computed in Python.

Before timing, both outputs are read back with ``freelance.budget.summary.summarise``: each must give the
totals computed in Python. Times are medians of interleaved batches (bench/render.py's
``per_document``). ``--profile`` prints the top cProfile entries of the engine render.

    .venv/bin/python -m bench.budget            # full run (about 15 s)
    .venv/bin/python -m bench.budget --quick    # a few seconds
"""

from __future__ import annotations

import argparse
import statistics
import sys
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import openpyxl
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableFormula, TableStyleInfo

from bench.render import per_document, profile, row
from freelance.budget import tracker
from freelance.budget.summary import summarise
from freelance.catalog import Catalog
from tools import build_budget_template as layout

ROOT = Path(__file__).resolve().parent.parent

LINES = 200
GOAL = 1.0  # openpyxl time / engine time, above


def budget_data() -> dict:
    """A tracker of 200 lines over 9 freelancers, with varied units, rates, actuals and statuses."""
    statuses = ("planned", "in progress", "invoiced", "paid")
    lines = [
        {
            "freelancer": f"Freelancer {i % 9:02d}",
            "role": ("Designer", "Developer", "Copywriter")[i % 3],
            "sow_number": f"SOW-2027-{i % 9:03d}",
            "milestone": f"Milestone {i % 12 + 1}",
            "planned_units": f"{10 + i % 37}.5",
            "rate": f"{60 + i % 53}.25",
            "actual_units": f"{i % 41}.75",
            "invoiced_amount": f"{i * 3}.10",
            "status": statuses[i % 4],
        }
        for i in range(LINES)
    ]
    return {
        "project": {"title": "Customer portal redesign", "po_number": "PO-88123", "cost_center": "ENG-410"},
        "currency": "USD",
        "approved_budget": "650000.00",
        "locale": "en-US",
        "lines": lines,
    }


def openpyxl_tracker(context: dict) -> bytes:
    """Build the tracker of ``context`` from scratch with openpyxl, as a generator without a template would."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = layout.SHEET
    currency = tracker.currency_format(context["currency"], context["locale"])
    layout.add_heading(workbook, sheet)
    layout.add_summary(workbook, sheet)
    project = context["project"]
    for ref, value in [
        ("A1", project["title"]),
        ("B2", project["po_number"]),
        ("D2", project["cost_center"]),
        ("F2", context["currency"]),
        ("A4", context["approved_budget"]),
    ]:
        sheet[ref] = value
    for column in range(1, 6):
        sheet.cell(4, column).number_format = currency
    lines = [{name: line[field] for name, field in tracker.INPUT_COLUMNS.items()} for line in context["lines"]]
    formats = {name: currency if code == layout.CURRENCY else code for name, code in layout.LINE_FORMATS.items()}
    last = _table(sheet, tracker.LINES, 1, tracker.COLUMNS, layout.LINE_FORMULAS, formats, lines, "TableStyleMedium2")
    names = list(dict.fromkeys(line["Freelancer"] for line in lines))
    first = len(tracker.COLUMNS) + 2
    last_name = _table(
        sheet,
        tracker.FREELANCERS,
        first,
        tracker.FREELANCER_COLUMNS,
        layout.FREELANCER_FORMULAS,
        {"Planned": currency, "Actual": currency},
        [{"Freelancer": name} for name in names],
        "TableStyleLight9",
    )
    for name, width in layout.WIDTHS.items():
        sheet.column_dimensions[layout.letter(name)].width = width
    _marks(sheet, last)
    _chart(sheet, first, last_name)
    layout.set_up_page(sheet)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _table(sheet, name, first_column, columns, formulas, formats, rows, style) -> int:
    """Write a table's header and rows (values, or its calculated formulas); return its last row."""
    last_row = layout.HEADER_ROW + len(rows)
    for offset, column_name in enumerate(columns):
        sheet.cell(layout.HEADER_ROW, first_column + offset, column_name)
        for number, values in enumerate(rows, start=layout.MODEL_ROW):
            value = f"={formulas[column_name]}" if column_name in formulas else values.get(column_name)
            cell = sheet.cell(number, first_column + offset, value)
            cell.number_format = formats.get(column_name, "General")
    ref = f"{get_column_letter(first_column)}{layout.HEADER_ROW}:{get_column_letter(first_column + len(columns) - 1)}{last_row}"
    table_columns = [
        TableColumn(
            id=i + 1,
            name=column_name,
            calculatedColumnFormula=TableFormula(attr_text=formulas[column_name]) if column_name in formulas else None,
        )
        for i, column_name in enumerate(columns)
    ]
    sheet.add_table(
        Table(
            displayName=name,
            ref=ref,
            tableColumns=table_columns,
            autoFilter=AutoFilter(ref=ref),
            tableStyleInfo=TableStyleInfo(name=style, showRowStripes=True),
        )
    )
    return last_row


def _marks(sheet, last: int) -> None:
    """The status drop-down and the over-budget mark over every line."""
    status = DataValidation(type="list", formula1='"planned,in progress,invoiced,paid"', allow_blank=True)
    status.add(f"E{layout.MODEL_ROW}:E{last}")
    sheet.add_data_validation(status)
    over = f"$J{layout.MODEL_ROW}>$H{layout.MODEL_ROW}"
    sheet.conditional_formatting.add(
        f"A{layout.MODEL_ROW}:M{last}", FormulaRule(formula=[over], fill=layout.OVER_FILL, font=layout.OVER_FONT)
    )


def _chart(sheet, first: int, last: int) -> None:
    chart = BarChart()
    chart.type, chart.title = "col", "Planned vs actual per freelancer"
    chart.add_data(
        Reference(sheet, min_col=first + 1, max_col=first + 2, min_row=layout.HEADER_ROW, max_row=last),
        titles_from_data=True,
    )
    chart.set_categories(Reference(sheet, min_col=first, min_row=layout.MODEL_ROW, max_row=last))
    sheet.add_chart(chart, f"{get_column_letter(first + 4)}{layout.HEADER_ROW}")


def check(content: bytes, who: str, data: dict) -> None:
    """Exit unless ``content`` reads back as a tracker of ``data`` with the totals Python computes."""
    summary = summarise(content)
    planned = sum(Decimal(line["planned_units"]) * Decimal(line["rate"]) for line in data["lines"])
    if summary.lines != LINES or summary.planned != planned.quantize(Decimal("0.01")) or summary.warnings:
        sys.exit(
            f"{who}: the tracker reads back wrong: {summary.lines} lines, planned {summary.planned} "
            f"(expected {planned:.2f}), warnings {summary.warnings[:3]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short run: fewer, shorter batches")
    parser.add_argument(
        "--profile", action="store_true", help="also print the top cProfile entries of the engine render"
    )
    args = parser.parse_args()
    batch_s, repeats = (0.15, 3) if args.quick else (0.5, 11)

    template = Catalog(ROOT / "templates")["budget"]
    data = budget_data()
    model = template.validate(data)
    context = model.context()
    check(template.compiled.render(context), "engine", data)
    check(openpyxl_tracker(context), "openpyxl", data)

    samples = per_document(
        {
            "engine (render)": lambda: template.compiled.render(context),
            "engine (context+render+filename)": lambda: template.generate(model),
            f"openpyxl {openpyxl.__version__} (from scratch)": lambda: openpyxl_tracker(context),
        },
        batch_s,
        repeats,
    )
    print(f"Budget tracker, {LINES} lines (median of {repeats} batches, Python {sys.version.split()[0]})")
    for label, times in samples.items():
        print(row(label, times))
    engine, _, baseline = (statistics.median(times) for times in samples.values())
    ratio = baseline / engine
    print(f"engine vs openpyxl: {ratio:.1f}x faster (goal > {GOAL:.0f}x: {'met' if ratio > GOAL else 'MISSED'})")
    if args.profile:
        profile(template.compiled, context)


if __name__ == "__main__":
    main()

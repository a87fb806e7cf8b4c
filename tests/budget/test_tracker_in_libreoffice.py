"""A real spreadsheet nobody here wrote: LibreOffice opens generated trackers, recalculates them and
saves them as CSV and .xlsx; the totals it shows are the ones Python computed."""

from __future__ import annotations

import csv
import io
import subprocess
import warnings
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from freelance.budget.tracker import COLUMNS, LineFigures, Totals, freelancer_totals
from tests.budget.workbooks import BUDGET, FIRST_LINE_ROW, edited, figures, render, totals, without_cached_values
from tests.helpers import convert_in_libreoffice, needs_libreoffice

CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false"  # UTF-8, values not as shown
TYPED = [
    "=1+1",
    "+1+2",
    "-1-2",
    "@SUM(A1:A2)",
    '=HYPERLINK("http://evil.example","x")',
    "_x0041_",
    "Smith & Jones <Design>",
]
COLUMN = {name: index for index, name in enumerate(COLUMNS)}
TOTALS = len(COLUMNS) + 1
"""The index of FreelancerTotals' first column: one column right of BudgetLines."""

pytestmark = needs_libreoffice


def _many_lines() -> dict:
    """200 lines with varied units and rates: the formulas must cover every row."""
    lines = [
        {
            "freelancer": f"Freelancer {i % 9}",
            "role": "Developer",
            "planned_units": f"{10 + i % 37}.5",
            "rate": f"{60 + i % 53}.25",
            "actual_units": f"{i % 41}.75",
            "invoiced_amount": f"{i * 3}.10",
        }
        for i in range(200)
    ]
    return BUDGET | {"lines": lines, "approved_budget": "500000"}


def _typed() -> dict:
    lines = [dict(BUDGET["lines"][0], freelancer=text, role=text, milestone=text) for text in TYPED]
    return BUDGET | {"lines": lines}


def _append_a_freelancer(workbook) -> None:
    """Append a line for a freelancer the tracker did not have (named like the column's header), as the add-in
    does: the table grows one row and the new row takes the calculated columns' formulas."""
    sheet = workbook["Budget"]
    row = FIRST_LINE_ROW + len(BUDGET["lines"])
    for column in range(1, len(COLUMNS) + 1):
        sheet.cell(row, column).value = sheet.cell(row - 1, column).value
    sheet[f"A{row}"], sheet[f"F{row}"], sheet[f"G{row}"], sheet[f"I{row}"] = "Freelancer", 10, 100, 12  # as the header
    table = sheet.tables["BudgetLines"]
    table.ref = table.autoFilter.ref = f"A6:{get_column_letter(len(COLUMNS))}{row}"


def _empty() -> dict:
    return BUDGET | {"lines": []}


@pytest.fixture(scope="module")
def converted(tmp_path_factory, catalog) -> Path:
    """Trackers written to a folder and converted by LibreOffice: each <name>.csv, and typed/typed.xlsx."""
    folder = tmp_path_factory.mktemp("libreoffice-budget")
    trackers = {
        name: render(catalog, data)
        for name, data in {"tracker": BUDGET, "many": _many_lines(), "typed": _typed(), "empty": _empty()}.items()
    }
    trackers["formulas-only"] = without_cached_values(trackers["tracker"])
    trackers["appended"] = edited(trackers["tracker"], _append_a_freelancer)
    for name, content in trackers.items():
        (folder / f"{name}.xlsx").write_bytes(content)
    convert_in_libreoffice(folder, [folder / f"{name}.xlsx" for name in trackers], CSV_FILTER)
    convert_in_libreoffice(folder, [folder / "typed.xlsx"], "xlsx", outdir=folder / "typed")
    return folder


def _rows(converted: Path, name: str) -> list[list[str]]:
    return list(csv.reader((converted / f"{name}.csv").read_text("utf-8").splitlines()))


def _number(text: str) -> Decimal:
    return Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)


def _assert_close(shown: str, expected, what: str) -> None:
    assert abs(_number(shown) - Decimal(expected)) < Decimal("1e-9"), (
        f"{what}: LibreOffice shows {shown}, Python {expected}"
    )


def _assert_summary(rows: list[list[str]], expected: Totals) -> None:
    approved, planned, actual, invoiced, remaining, used, over = rows[3][:7]
    for shown, value, what in [
        (approved, expected.approved, "approved"),
        (planned, expected.planned, "planned"),
        (actual, expected.actual, "actual"),
        (invoiced, expected.invoiced, "invoiced"),
        (remaining, expected.remaining, "remaining"),
        (used, expected.used, "% used"),
        (over, expected.lines_over_budget, "lines over budget"),
    ]:
        _assert_close(shown, value, what)


@pytest.mark.parametrize("name, data", [("tracker", BUDGET), ("many", _many_lines())])
def test_libreoffice_shows_the_totals_python_computed(converted, name, data):
    _assert_summary(_rows(converted, name), totals(data))


def test_libreoffice_computes_the_same_totals_from_the_formulas_alone(converted):
    _assert_summary(_rows(converted, "formulas-only"), totals(BUDGET))


@pytest.mark.parametrize("name, data", [("tracker", BUDGET), ("many", _many_lines())])
def test_libreoffice_computes_every_line_and_every_freelancers_totals(converted, name, data):
    rows = _rows(converted, name)
    lines = figures(data)
    for offset, figure in enumerate(lines):
        row = rows[FIRST_LINE_ROW - 1 + offset]
        for column, value in [
            ("Planned amount", figure.planned),
            ("Actual amount", figure.actual),
            ("Variance", figure.variance),
            ("% used", figure.used),
        ]:
            _assert_close(row[COLUMN[column]], value, f"row {FIRST_LINE_ROW + offset} {column}")
    by_freelancer = freelancer_totals((line["freelancer"], figure) for line, figure in zip(data["lines"], lines))
    for offset, (name_, (planned, actual)) in enumerate(by_freelancer.items()):
        row = rows[FIRST_LINE_ROW - 1 + offset]
        assert row[TOTALS] == name_
        _assert_close(row[TOTALS + 1], planned, f"{name_} planned")
        _assert_close(row[TOTALS + 2], actual, f"{name_} actual")


def test_an_empty_tracker_opens_with_zero_totals(converted):
    rows = _rows(converted, "empty")
    _assert_summary(rows, Totals.of([LineFigures()], Decimal(BUDGET["approved_budget"])))
    assert rows[FIRST_LINE_ROW - 2][:2] == ["Freelancer", "Role"]


def test_text_that_looks_like_a_formula_stays_the_same_text_through_libreoffice(converted):
    rows = _rows(converted, "typed")
    assert [row[COLUMN["Role"]] for row in rows[FIRST_LINE_ROW - 1 : FIRST_LINE_ROW - 1 + len(TYPED)]] == TYPED
    with warnings.catch_warnings():  # openpyxl's own limits (e.g. print areas), not the file's
        warnings.simplefilter("ignore")
        sheet = openpyxl.load_workbook(io.BytesIO((converted / "typed" / "typed.xlsx").read_bytes()))["Budget"]
    for offset, text in enumerate(TYPED):
        for column in ("Freelancer", "Role", "Milestone"):
            cell = sheet.cell(FIRST_LINE_ROW + offset, COLUMN[column] + 1)
            assert (cell.value, cell.data_type) == (text, "s"), f"{column} {text!r}"


def test_a_line_appended_for_a_new_freelancer_shows_in_the_freelancer_totals(converted):
    rows = _rows(converted, "appended")
    names = [row[TOTALS] for row in rows[FIRST_LINE_ROW - 1 : FIRST_LINE_ROW + 9]]
    assert names[:5] == ["Zoe Angstrom", "Rahul Mehta", "Ana Souza", "Freelancer", ""]
    added = rows[FIRST_LINE_ROW - 1 + 3]
    _assert_close(added[TOTALS + 1], Decimal(1000), "the new freelancer's planned")
    _assert_close(added[TOTALS + 2], Decimal(1200), "the new freelancer's actual")


def test_the_tracker_prints_its_lines_then_the_freelancers_totals_and_chart_with_page_numbers(tmp_path, catalog):
    (tmp_path / "tracker.xlsx").write_bytes(render(catalog, BUDGET))
    convert_in_libreoffice(tmp_path, [tmp_path / "tracker.xlsx"], "pdf")
    pdf = str(tmp_path / "tracker.pdf")
    pages = [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), pdf, "-"], capture_output=True, check=True, text=True
        ).stdout
        for n in (1, 2)
    ]
    assert "Page 1 of 2" in pages[0] and "Design system" in pages[0] and "Uncommitted" in pages[0]
    totals = pages[1]
    assert "Page 2 of 2" in totals and "Planned vs actual per freelancer" in totals  # the chart's title
    assert all(name in totals for name in ("Zoe Angstrom", "Rahul Mehta", "Ana Souza", "$9,880.00"))
    assert "Budget tracker" in totals  # the print header
    assert (
        "Page size:       792 x 612 pts (letter)"
        in subprocess.run(["pdfinfo", pdf], capture_output=True, check=True, text=True).stdout
    )  # en-US: US Letter, landscape

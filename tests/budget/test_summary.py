"""summarise(): a tracker as a user left it, read back from its input cells, with a warning for each
cell it could not use; a file that is not a tracker is refused, saying what is missing."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.worksheet.table import Table

from freelance.budget.summary import MAX_WARNINGS, summarise
from freelance.errors import InvalidData
from tests.budget.workbooks import (
    FIRST_LINE_ROW,
    edited,
    figures,
    load,
    render,
    saved,
    totals,
    with_part,
    without_cached_values,
)
from tests.documents.docx_files import zip_of

CENTS = Decimal("0.01")


@pytest.fixture
def tracker(catalog, budget_data) -> bytes:
    return render(catalog, budget_data)


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENTS)


def _resize(workbook, last_row: int) -> None:
    """Set table BudgetLines to end on ``last_row``, as Excel does when rows are added or deleted."""
    table = workbook["Budget"].tables["BudgetLines"]
    table.ref = table.autoFilter.ref = f"A6:M{last_row}"


def _warnings(summary) -> dict[str, str]:
    return {warning.field: warning.message for warning in summary.warnings}


def test_a_generated_tracker_sums_up_to_the_figures_it_was_made_from(tracker, budget_data):
    summary = summarise(tracker)
    expected = totals(budget_data)
    assert (summary.sheet, summary.table, summary.currency, summary.lines) == ("Budget", "BudgetLines", "USD", 4)
    assert (summary.approved_budget, summary.planned, summary.actual, summary.invoiced) == (
        Decimal("25000.00"),
        _money(expected.planned),
        _money(expected.actual),
        _money(expected.invoiced),
    )
    assert summary.remaining == _money(expected.remaining) == Decimal("9810.88")
    assert summary.percent_used == Decimal("60.8")
    (over,) = summary.over_budget
    assert (over.row, over.freelancer, over.role, over.planned, over.actual, over.over_by) == (
        FIRST_LINE_ROW,
        "Zoe Angstrom",
        "Designer",
        Decimal("7600.00"),
        Decimal("8787.50"),
        Decimal("1187.50"),
    )
    assert summary.warnings == []


def test_a_tracker_without_any_cached_value_gives_the_same_summary(tracker):
    assert summarise(without_cached_values(tracker)) == summarise(tracker)
    assert summarise(saved(load(tracker))) == summarise(tracker)  # openpyxl writes no cached values


def test_a_row_added_to_the_table_counts(tracker, budget_data):
    def add_row(workbook):
        sheet = workbook["Budget"]
        row = FIRST_LINE_ROW + 4
        for column in range(1, 14):  # the new row gets the formulas, as Excel's calculated columns give it
            sheet.cell(row, column).value = sheet.cell(row - 1, column).value
        sheet[f"A{row}"], sheet[f"F{row}"], sheet[f"G{row}"], sheet[f"I{row}"] = "Li Wei", 10, 100, 12
        _resize(workbook, row)

    summary = summarise(edited(tracker, add_row))
    assert summary.lines == 5
    assert summary.planned == _money(totals(budget_data).planned + 1000)
    assert [line.freelancer for line in summary.over_budget] == ["Zoe Angstrom", "Li Wei"]
    assert summary.warnings == []


def test_a_deleted_row_no_longer_counts(tracker, budget_data):
    def delete_rahul(workbook):
        workbook["Budget"].delete_rows(FIRST_LINE_ROW + 1)
        _resize(workbook, FIRST_LINE_ROW + 2)

    summary = summarise(edited(tracker, delete_rahul))
    assert summary.lines == 3
    assert summary.planned == _money(totals(budget_data).planned - figures(budget_data)[1].planned)


def test_blank_rows_are_skipped_without_a_warning(tracker, budget_data):
    def blank_rahul(workbook):
        for column in "ABCDEFGIK":
            workbook["Budget"][f"{column}{FIRST_LINE_ROW + 1}"] = None

    summary = summarise(edited(tracker, blank_rahul))
    assert (summary.lines, summary.warnings) == (3, [])
    assert summary.planned == _money(totals(budget_data).planned - figures(budget_data)[1].planned)


def test_a_number_typed_over_a_formula_warns_and_the_inputs_count(tracker, budget_data):
    summary = summarise(edited(tracker, lambda workbook: workbook["Budget"].__setitem__("H7", 99999)))
    assert summary.planned == _money(totals(budget_data).planned)
    assert _warnings(summary) == {
        "Budget!H7": "Planned amount holds a typed value (99999) instead of its formula; "
        "the summary uses Planned units × Rate"
    }


@pytest.mark.parametrize(
    "value, kind",
    [
        ("lots", "text ('lots')"),  # words
        ("1,200", "text ('1,200')"),  # a number typed as text is not guessed at
        (True, "a true/false value (True)"),
    ],
)
def test_a_number_cell_holding_something_else_warns_naming_it_and_counts_as_0(tracker, budget_data, value, kind):
    summary = summarise(edited(tracker, lambda workbook: workbook["Budget"].__setitem__("F8", value)))
    assert summary.lines == 4  # the row is kept
    assert summary.planned == _money(totals(budget_data).planned - figures(budget_data)[1].planned)
    assert _warnings(summary) == {"Budget!F8": f"Planned units holds {kind}, not a number: counted as 0"}


@pytest.mark.parametrize(
    "value",
    [
        "1E30",  # more than any budget
        "1E999",  # beyond a float: openpyxl reads infinity
    ],
)
def test_a_number_beyond_any_budget_warns_and_counts_as_0(tracker, budget_data, value):
    def typed(xml: str) -> str:
        return re.sub(r'(<c r="F8"[^>]*>)<v>[^<]*</v>', rf"\g<1><v>{value}</v>", xml)

    summary = summarise(with_part(tracker, "xl/worksheets/sheet1.xml", typed))
    assert summary.planned == _money(totals(budget_data).planned - figures(budget_data)[1].planned)
    assert "beyond any budget: counted as 0" in _warnings(summary)["Budget!F8"]


def test_a_stray_cell_far_below_the_lines_is_refused_without_reading_a_million_rows(tracker):
    def stray(workbook):
        workbook["Budget"].tables.pop("BudgetLines")
        workbook["Budget"]["A1048576"] = "x"

    with pytest.raises(InvalidData) as refused:
        summarise(edited(tracker, stray))
    assert "reaches row 1048576" in refused.value.problems[0].message


def test_an_input_holding_a_formula_counts_with_the_value_excel_saved(tracker, budget_data):
    def formula(cached: str):
        return lambda xml: xml.replace('<c r="F7" s="7"><v>80</v></c>', f'<c r="F7" s="7"><f>40*2</f>{cached}</c>')

    summary = summarise(with_part(tracker, "xl/worksheets/sheet1.xml", formula("<v>80</v>")))
    assert (summary.planned, summary.warnings) == (_money(totals(budget_data).planned), [])
    unsaved = summarise(with_part(tracker, "xl/worksheets/sheet1.xml", formula("")))
    assert unsaved.planned == _money(totals(budget_data).planned - 80 * 95)
    assert _warnings(unsaved) == {
        "Budget!F7": "Planned units holds a formula whose value was not saved: counted as empty"
    }


def test_without_the_table_the_lines_are_found_under_their_header_row(tracker):
    without_table = edited(tracker, lambda workbook: workbook["Budget"].tables.pop("BudgetLines"))
    summary = summarise(without_table)
    assert summary.table is None
    assert summary == dataclasses.replace(summarise(tracker), table=None)


def test_a_line_without_a_freelancer_name_counts_and_warns(tracker):
    summary = summarise(edited(tracker, lambda workbook: workbook["Budget"].__setitem__("A8", None)))
    assert summary.lines == 4
    assert _warnings(summary) == {"Budget!A8": "the line has no freelancer name"}


def test_the_approved_budget_is_found_by_its_label_when_its_name_is_gone(tracker):
    def unname(workbook):
        del workbook.defined_names["ApprovedBudget"]

    assert summarise(edited(tracker, unname)).remaining == summarise(tracker).remaining


def test_without_an_approved_budget_remaining_and_percent_used_are_unknown_and_it_says_so(tracker):
    def remove(workbook):
        del workbook.defined_names["ApprovedBudget"]
        workbook["Budget"]["A3"] = "Budget"

    summary = summarise(edited(tracker, remove))
    assert (summary.approved_budget, summary.remaining, summary.percent_used) == (None, None, None)
    assert _warnings(summary) == {
        "ApprovedBudget": "no approved budget was found: remaining and % used are not computed"
    }


def test_warnings_are_capped_and_the_rest_counted(tracker):
    def text_everywhere(workbook):
        sheet = workbook["Budget"]
        for row in range(FIRST_LINE_ROW, FIRST_LINE_ROW + 300):
            sheet[f"A{row}"], sheet[f"F{row}"] = "Someone", "n/a"
        _resize(workbook, FIRST_LINE_ROW + 299)

    warnings = summarise(edited(tracker, text_everywhere)).warnings
    assert len(warnings) == MAX_WARNINGS + 1
    assert warnings[-1].field == "file" and warnings[-1].message.endswith("more warnings are not listed")


def _workbook(*rows, table: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    if table:
        workbook.active.add_table(Table(displayName=table, ref=f"A1:{chr(64 + len(rows[0]))}{len(rows)}"))
    return saved(workbook)


@pytest.mark.parametrize(
    "content, message",
    [
        (
            _workbook(["Name", "Email"], ["Zoe", "zoe@example.com"]),
            "it has no table named BudgetLines and no header row with the columns Freelancer, Planned units, Rate, "
            "Actual units, Invoiced",
        ),  # a roster, not a tracker
        (
            _workbook(["Freelancer", "Rate", "Hours"], ["Zoe", 90, 10]),
            "it has no table named BudgetLines, and the header row closest to a tracker's (Sheet row 1) lacks the "
            "columns Planned units, Actual units, Invoiced",
        ),  # some columns are there
        (
            _workbook(["Freelancer", "Planned units"], ["Zoe", 10], table="BudgetLines"),
            "its table BudgetLines lacks the columns Rate, Actual units, Invoiced",
        ),  # the table lost columns
        (b"PK\x03\x04 not really", "the file is not a valid ZIP archive"),  # not a zip
        (zip_of({"notes.txt": b"hello"}), "it cannot be read as a workbook"),  # a zip, not a workbook
        (zip_of({"xl/worksheets/sheet1.xml": bytes(40 * 1024 * 1024)}), "would expand to"),  # a bomb
    ],
)
def test_a_file_that_is_not_a_tracker_is_refused_saying_what_is_missing(content, message):
    with pytest.raises(InvalidData) as refused:
        summarise(content)
    (error,) = refused.value.problems
    assert error.field == "file"
    assert message in error.message, error.message

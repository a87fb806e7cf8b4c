"""summarise(): a tracker as a user left it, read back from its input cells, with a warning for each
cell it could not use; a file that is not a tracker is refused, saying what is missing, and a damaged
or oversized one, saying why, after bounded work."""

from __future__ import annotations

import dataclasses
import re
import tracemalloc
from datetime import datetime
from decimal import Decimal, localcontext

import openpyxl
import pytest
from openpyxl.worksheet.table import Table

from freelance.budget.summary import MAX_ROWS, MAX_WARNINGS, summarise
from freelance.budget.tracker import COLUMNS
from freelance.budget.uploaded import MAX_SHEETS, MAX_VISITS
from freelance.errors import InvalidData
from tests.budget.workbooks import (
    FIRST_LINE_ROW,
    SHEET_PART,
    edited,
    figures,
    load,
    render,
    saved,
    totals,
    with_part,
    with_shared_strings,
    without_cached_values,
    workbook_of,
)
from tests.documents.docx_files import members_of, zip_of
from tests.helpers import convert_in_libreoffice, needs_libreoffice

CENTS = Decimal("0.01")


@pytest.fixture
def tracker(catalog, budget_data) -> bytes:
    return render(catalog, budget_data)


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENTS)


def _resize(workbook, last_row: int) -> None:
    """Set table BudgetLines to end on ``last_row``, as Excel does when rows are added or deleted."""
    table = workbook["Budget"].tables["BudgetLines"]
    table.ref = table.autoFilter.ref = f"A6:N{last_row}"


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
        for column in range(1, 15):  # the new row gets the formulas, as Excel's calculated columns give it
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
        "1E9999999",  # beyond Decimal's exponents: abs() would overflow
        "1E-9999999",  # too small for any budget: dividing by it would overflow
    ],
)
def test_a_number_beyond_any_budget_warns_and_counts_as_0(tracker, budget_data, value):
    def typed(xml: str) -> str:
        return re.sub(r'(<c r="F8"[^>]*>)<v>[^<]*</v>', rf"\g<1><v>{value}</v>", xml)

    summary = summarise(with_part(tracker, "xl/worksheets/sheet1.xml", typed))
    assert summary.planned == _money(totals(budget_data).planned - figures(budget_data)[1].planned)
    assert "beyond any budget: counted as 0" in _warnings(summary)["Budget!F8"]


def test_the_largest_figures_a_tracker_may_hold_are_summed_to_the_cent(tracker, budget_data):
    largest = "999999999999999.99"  # units x rate needs 32 digits, more than Decimal's default 28

    def typed(xml: str) -> str:
        return re.sub(r'(<c r="[FG]7"[^>]*>)<v>[^<]*</v>', rf"\g<1><v>{largest}</v>", xml)

    summary = summarise(with_part(tracker, SHEET_PART, typed))
    with localcontext(prec=60):
        planned = Decimal(largest) ** 2 + totals(budget_data).planned - figures(budget_data)[0].planned
        assert summary.planned == planned.quantize(CENTS)


def test_a_stray_cell_far_below_the_lines_is_refused_without_reading_a_million_rows(tracker):
    def stray(workbook):
        workbook["Budget"].tables.pop("BudgetLines")
        workbook["Budget"]["A1048576"] = "x"

    with pytest.raises(InvalidData) as refused:
        summarise(edited(tracker, stray))
    assert "reaches row 1048576" in refused.value.problems[0].message


def test_an_input_holding_a_formula_counts_with_the_value_excel_saved(tracker, budget_data):
    def formula(cached: str):
        return lambda xml: xml.replace('<c r="F7" s="10"><v>80</v></c>', f'<c r="F7" s="10"><f>40*2</f>{cached}</c>')

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
        (zip_of({"notes.txt": b"hello"}), "it is a ZIP archive but not a workbook"),  # a zip, not a workbook
        (zip_of({"xl/worksheets/sheet1.xml": bytes(40 * 1024 * 1024)}), "would expand to"),  # a bomb
        (zip_of({"xl/worksheets/sheet1.xml": bytes(20 * 1024 * 1024)}), "which only a zip bomb does"),  # a smaller one
    ],
)
def test_a_file_that_is_not_a_tracker_is_refused_saying_what_is_missing(content, message):
    with pytest.raises(InvalidData) as refused:
        summarise(content)
    (error,) = refused.value.problems
    assert error.field == "file"
    assert message in error.message, error.message


def test_a_tracker_saved_with_shared_strings_gives_the_same_summary(tracker):
    assert summarise(with_shared_strings(tracker)) == summarise(tracker)  # Excel keeps text in a shared part


def _in_libreoffice(test):
    for mark in needs_libreoffice:
        test = mark(test)
    return test


@_in_libreoffice
def test_a_tracker_libreoffice_saved_again_gives_the_same_summary(tracker, tmp_path):
    (tmp_path / "tracker.xlsx").write_bytes(tracker)  # LibreOffice writes shared strings and styles of its own
    convert_in_libreoffice(tmp_path, [tmp_path / "tracker.xlsx"], "xlsx", outdir=tmp_path / "saved")
    assert summarise((tmp_path / "saved" / "tracker.xlsx").read_bytes()) == summarise(tracker)


def test_a_date_in_a_number_cell_warns_and_counts_as_0(tracker, budget_data):
    summary = summarise(edited(tracker, lambda workbook: workbook["Budget"].__setitem__("F8", datetime(2027, 1, 4))))
    assert summary.planned == _money(totals(budget_data).planned - figures(budget_data)[1].planned)
    assert _warnings(summary) == {
        "Budget!F8": "Planned units holds a date or time (2027-01-04 00:00:00), not a number: counted as 0"
    }


# Bounded work (issue 12): a small file never costs minutes or gigabytes, and a damaged one is refused
# saying what is damaged. Timings are not asserted: the memory Python allocates, and where reading stops, are.

LITTLE = 16 * 1024 * 1024
"""More memory than a bounded read allocates in Python; reading every cell of these files took GBs."""


def _refusal(content: bytes) -> tuple[InvalidData, int]:
    """Return how ``content`` is refused, and the peak of memory Python allocated meanwhile."""
    tracemalloc.start()
    try:
        with pytest.raises(InvalidData) as refused:
            summarise(content)
        return refused.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_sixteen_sheets_each_with_a_cell_at_xfd50_are_refused_without_reading_the_cells_before_it():
    # Reported: 6.5 KB, 118 s and 3.5 GB (openpyxl made the 50 x 16,384 cells of each sheet).
    content = workbook_of(*['<row r="50"><c r="XFD50"><v>1</v></c></row>'] * 16)
    assert len(content) < 10_000
    refused, peak = _refusal(content)
    assert refused.problems[0].message.startswith("it has no table named BudgetLines and no header row")
    assert peak < LITTLE


def _million_cells(header: list[str]) -> bytes:
    """A sheet of 1,000,000 numbers in columns A to M under ``header``: 2 MB, 28 MB of XML."""
    columns = "ABCDEFGHIJKLM"
    first = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{name}</t></is></c>' for c, name in zip(columns, header))
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r % 97}</v></c>' for c in columns) + "</row>"
        for r in range(2, 76_925)
    )
    return workbook_of(f'<row r="1">{first}</row>{rows}')


@pytest.mark.parametrize(
    "header, message",
    [
        (["Amount"] * 13, "it has no table named BudgetLines and no header row"),  # no tracker: its top is read
        (list(COLUMNS), f"it reaches row {MAX_ROWS + 2}; at most {MAX_ROWS} rows"),  # read to the first row too many
    ],
)
def test_a_million_cells_are_refused_after_reading_only_the_rows_a_summary_may_read(header, message):
    # Reported: 6.4 MB of 1M cells took 13.8 s and 400 MB. The sheet is parsed as it is decompressed,
    # its elements freed as they are read, and no further than the rows a summary may read.
    with pytest.raises(InvalidData) as refused:
        summarise(_million_cells(header))
    assert refused.value.problems[0].message.startswith(message)


def test_a_table_declared_over_the_whole_grid_is_read_in_its_tracker_columns_only(tracker):
    def whole_grid(xml: str) -> str:
        more = "".join(f'<tableColumn id="{n}" name="Column{n}"/>' for n in range(15, 16_385))
        xml = xml.replace("A6:N10", "A6:XFD1048576").replace('count="14"', 'count="16384"')
        return xml.replace("</tableColumns>", more + "</tableColumns>")

    assert summarise(with_part(tracker, "xl/tables/table1.xml", whole_grid)) == summarise(tracker)


def test_more_sheets_than_a_summary_reads_are_refused():
    with pytest.raises(InvalidData) as refused:
        summarise(workbook_of(*[""] * (MAX_SHEETS + 1)))
    assert str(refused.value) == "The workbook is too large to summarise."
    assert refused.value.problems[0].message.startswith(f"it has more than {MAX_SHEETS} sheets")


def test_reading_stops_at_the_cap_on_xml_elements_whatever_columns_they_are_in():
    # 7 sheets of 5 rows of 16,384 cells: each sheet under 1 MB (no zip-bomb ratio applies), 1.1M elements.
    row = "<row>" + "<c><v/></c>" * 16_384 + "</row>"
    with pytest.raises(InvalidData) as refused:
        summarise(workbook_of(*[row * 5] * 7))
    assert str(refused.value) == "The workbook is too large to summarise."
    assert refused.value.problems[0].message.startswith(f"reading it went past {MAX_VISITS:,} cells")


def _shared_string_999_in_a7(content: bytes) -> bytes:
    return with_part(content, SHEET_PART, lambda xml: re.sub(r'(<c r="A7"[^>]*><v>)[0-9]+', r"\g<1>999", xml))


def _without(name: str):
    return lambda content: zip_of({part: xml for part, xml in members_of(content).items() if part != name})


def _changed(name: str, old: str, new: str):
    def change(content: bytes) -> bytes:
        assert old in members_of(content)[name].decode(), old
        return with_part(content, name, lambda xml: xml.replace(old, new))

    return change


@pytest.mark.parametrize(
    "damage, reason",
    [
        (
            lambda content: _shared_string_999_in_a7(with_shared_strings(content)),
            "cell Budget!A7 refers to shared string '999', but the workbook has ",
        ),  # reported: a shared string index out of range
        (
            _changed(SHEET_PART, '<c r="F8" s="10"><v>120</v>', '<c r="F8" s="10" t="d"><v>junk</v>'),
            "cell Budget!F8 holds 'junk' as a date, which is not an ISO 8601 date",
        ),  # reported: t="d" with junk
        (
            _changed(SHEET_PART, '<c r="F8" s="10">', '<c r="ZZZZZ99999999" s="10">'),
            "sheet Budget refers to 'ZZZZZ99999999', which is not a cell of Excel's grid (A1 to XFD1048576)",
        ),  # reported: a cell beyond the grid
        (
            lambda content: with_part(
                content, "xl/workbook.xml", lambda xml: re.sub("<sheets>.*</sheets>", "<sheets/>", xml)
            ),
            "it has no worksheets",
        ),  # reported: no sheets
        (
            _changed("xl/workbook.xml", "'Budget'!$A$4<", "'Budget'!$A$0<"),
            "the defined name ApprovedBudget refers to '$A$0', which is not a cell",
        ),  # reported: a defined name pointing at row 0
        (_changed(SHEET_PART, "<v>120</v>", "<v>12O</v>"), "cell Budget!F8 holds '12O', which is not a number"),
        (
            _changed(SHEET_PART, '<c r="F8" s="10"><v>120</v>', '<c r="F8" t="b"><v>yes</v>'),
            "cell Budget!F8 has the type 'b' and the value 'yes', which do not go together",
        ),
        (_changed(SHEET_PART, '<row r="8">', '<row r="0">'), "sheet Budget has a row numbered '0'"),
        (_changed(SHEET_PART, '<c r="F8" s="10">', '<c r="F9" s="10">'), "cell Budget!F9 is inside row 8"),
        (
            _changed("xl/tables/table1.xml", 'ref="A6:N10"', 'ref="A6:N"'),
            "its table BudgetLines has the range 'A6:N', not a range of cells",
        ),
        (
            _changed("xl/tables/table1.xml", 'ref="A6:N10"', 'ref="A6:R10"'),
            "its table BudgetLines names 14 columns, but its range A6:R10 spans 18",
        ),
        (
            lambda content: with_part(content, SHEET_PART, lambda xml: xml[: len(xml) // 2]),
            "its part xl/worksheets/sheet1.xml cannot be read",
        ),  # cut short
        (_without(SHEET_PART), "it lacks its part xl/worksheets/sheet1.xml"),
    ],
)
def test_a_damaged_workbook_is_refused_saying_what_is_damaged_and_where(tracker, damage, reason):
    with pytest.raises(InvalidData) as refused:
        summarise(damage(tracker))
    assert str(refused.value) == "The file is not a readable .xlsx workbook."
    (problem,) = refused.value.problems
    assert problem.field == "file"
    assert problem.message.startswith("the workbook is damaged: ")
    assert reason in problem.message, problem.message

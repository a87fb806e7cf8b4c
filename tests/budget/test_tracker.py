"""A generated budget tracker: its table, live formulas with right cached values, summary block,
formatting, drop-down, chart and page setup, read back with openpyxl and as raw SpreadsheetML."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl.utils import get_column_letter

from freelance.budget.tracker import COLUMNS, COMPUTED_COLUMNS, FREELANCER_COLUMNS, SPARE_FREELANCERS
from tests.budget.workbooks import FIRST_LINE_ROW, MAIN, cell_xml, figures, load, render, totals, xml

LAST_COLUMN = get_column_letter(len(COLUMNS))
COLUMN = {name: get_column_letter(i + 1) for i, name in enumerate(COLUMNS)}
TOTALS = {name: get_column_letter(len(COLUMNS) + 2 + i) for i, name in enumerate(FREELANCER_COLUMNS)}
"""The FreelancerTotals table's columns: one column right of BudgetLines."""


@pytest.fixture
def tracker(catalog, budget_data) -> bytes:
    return render(catalog, budget_data)


def _close(a, b) -> bool:
    return abs(Decimal(str(a)) - Decimal(b)) < Decimal("1e-9")


def test_each_line_is_a_row_of_the_budget_lines_table(tracker, budget_data):
    sheet = load(tracker)["Budget"]
    table = sheet.tables["BudgetLines"]
    assert table.ref == f"A6:{LAST_COLUMN}{FIRST_LINE_ROW + 3}"
    assert table.autoFilter.ref == table.ref
    assert [c.value for c in sheet[6][: len(COLUMNS)]] == list(COLUMNS)
    for row, line in enumerate(budget_data["lines"], start=FIRST_LINE_ROW):
        assert sheet[f"A{row}"].value == line["freelancer"]
        assert sheet[f"B{row}"].value == line["role"]
        assert sheet[f"{COLUMN['Status']}{row}"].value == line.get("status", "planned")
        assert _close(sheet[f"{COLUMN['Planned units']}{row}"].value, line["planned_units"])
        assert _close(sheet[f"{COLUMN['Rate']}{row}"].value, line["rate"])
    assert sheet[f"{COLUMN['SOW']}{FIRST_LINE_ROW + 3}"].value is None  # an absent optional field stays empty


def test_computed_columns_are_calculated_columns_whose_formulas_every_row_carries(tracker):
    sheet = load(tracker)["Budget"]
    calculated = {
        column.name: column.calculatedColumnFormula.attr_text
        for column in sheet.tables["BudgetLines"].tableColumns
        if column.calculatedColumnFormula
    }
    assert set(calculated) == set(COMPUTED_COLUMNS)
    assert calculated["Planned amount"] == "BudgetLines[[#This Row],[Planned units]]*BudgetLines[[#This Row],[Rate]]"
    for row in range(FIRST_LINE_ROW, FIRST_LINE_ROW + 4):
        for name, formula in calculated.items():
            assert sheet[f"{COLUMN[name]}{row}"].value == f"={formula}"


def test_formula_cells_carry_the_values_python_computed(tracker, budget_data):
    sheet = load(tracker, data_only=True)["Budget"]
    for row, figure in enumerate(figures(budget_data), start=FIRST_LINE_ROW):
        assert _close(sheet[f"{COLUMN['Planned amount']}{row}"].value, figure.planned)
        assert _close(sheet[f"{COLUMN['Actual amount']}{row}"].value, figure.actual)
        assert _close(sheet[f"{COLUMN['Variance']}{row}"].value, figure.variance)
        assert _close(sheet[f"{COLUMN['% used']}{row}"].value, figure.used)
    expected = totals(budget_data)
    assert _close(sheet["A4"].value, "25000")
    for ref, value in {
        "B4": expected.planned,
        "C4": expected.actual,
        "D4": expected.invoiced,
        "E4": expected.remaining,
        "F4": expected.used,
        "G4": 1,
    }.items():
        assert _close(sheet[ref].value, value), ref


def test_the_summary_block_is_live_formulas_over_the_table_in_named_cells(tracker):
    workbook = load(tracker)
    sheet = workbook["Budget"]
    assert [sheet.cell(3, column).value for column in range(1, 8)] == [
        "Approved budget",
        "Planned",
        "Actual",
        "Invoiced",
        "Remaining",
        "% of budget used",
        "Lines over budget",
    ]
    assert sheet["B4"].value == "=SUM(BudgetLines[Planned amount])"
    assert sheet["E4"].value == "=ApprovedBudget-ActualTotal"
    assert sheet["G4"].value == '=COUNTIF(BudgetLines[Variance],"<0")'
    names = {
        name: list(workbook.defined_names[name].destinations)
        for name in ("ProjectTitle", "ApprovedBudget", "ActualTotal", "Remaining", "PercentUsed", "Currency")
    }
    assert names["ApprovedBudget"] == [("Budget", "$A$4")]
    assert (sheet["A1"].value, sheet["B2"].value, sheet["D2"].value, sheet["F2"].value) == (
        "Website relaunch",
        "PO-7781",
        "MKT-204",
        "USD",
    )


def test_the_workbook_asks_for_a_full_recalculation_when_it_opens(tracker):
    calculation = xml(tracker, "xl/workbook.xml").find("m:calcPr", MAIN)
    assert calculation.get("fullCalcOnLoad") == "1"


def test_freelancer_totals_group_lines_by_exact_name_in_order_of_first_appearance(catalog, budget_data):
    budget_data["lines"].append(
        dict(budget_data["lines"][1], freelancer="rahul mehta")
    )  # another name for Excel's EXACT
    sheet = load(render(catalog, budget_data), data_only=True)["Budget"]
    table = sheet.tables["FreelancerTotals"]
    last = FIRST_LINE_ROW + 3 + SPARE_FREELANCERS  # room for the freelancers of lines appended later
    assert table.ref == f"{TOTALS['Freelancer']}6:{TOTALS['Actual']}{last}"
    rows = [
        [cell.value for cell in row]
        for row in sheet[f"{TOTALS['Freelancer']}{FIRST_LINE_ROW}:{TOTALS['Actual']}{last}"]
    ]
    assert [row[0] or "" for row in rows] == ["Zoe Angstrom", "Rahul Mehta", "Ana Souza", "rahul mehta"] + [""] * 10
    assert _close(rows[0][1], 80 * 95 + 24 * 95) and _close(rows[0][2], Decimal("92.5") * 95)
    assert [column.name for column in table.tableColumns] == list(FREELANCER_COLUMNS)
    formulas = load(render(catalog, budget_data))["Budget"]
    assert "EXACT(BudgetLines[Freelancer],FreelancerTotals[[#This Row],[Freelancer]])" in (
        formulas[f"{TOTALS['Planned']}{FIRST_LINE_ROW}"].value
    )
    assert "MATCH(" in formulas[f"{TOTALS['Freelancer']}{FIRST_LINE_ROW}"].value  # the n-th freelancer of the lines
    numbers = [sheet[f"{COLUMN['Freelancer no.']}{row}"].value for row in range(FIRST_LINE_ROW, FIRST_LINE_ROW + 5)]
    assert numbers == [1, 2, None, 3, 4]  # each freelancer's first line, numbered (a later line: empty)


def test_the_chart_plots_planned_and_actual_per_freelancer_with_cached_points(tracker):
    chart = xml(tracker, "xl/charts/chart1.xml")
    c = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    series = chart.findall(".//c:ser", c)
    last = 9 + SPARE_FREELANCERS  # the rows kept for freelancers of lines appended later are plotted too
    assert [s.findtext("c:tx/c:strRef/c:f", None, c) for s in series] == ["'Budget'!Q6", "'Budget'!R6"]
    assert {s.findtext("c:cat/c:strRef/c:f", None, c) for s in series} == {f"'Budget'!$P${FIRST_LINE_ROW}:$P${last}"}
    assert [s.findtext("c:val/c:numRef/c:f", None, c) for s in series] == [
        f"'Budget'!$Q$7:$Q${last}",
        f"'Budget'!$R$7:$R${last}",
    ]
    names = [v.text for v in series[0].findall("c:cat/c:strRef/c:strCache/c:pt/c:v", c)]
    assert names == ["Zoe Angstrom", "Rahul Mehta", "Ana Souza"] + [None] * SPARE_FREELANCERS
    planned = [Decimal(v.text) for v in series[0].findall("c:val/c:numRef/c:numCache/c:pt/c:v", c)]
    assert planned == [Decimal(9880), Decimal(10620), Decimal("737.625")]


def test_over_budget_lines_and_an_over_spent_total_are_marked(tracker):
    rules = {
        str(rng.sqref): [rule.formula for rule in rules]
        for rng, rules in load(tracker)["Budget"].conditional_formatting._cf_rules.items()
    }
    assert rules[f"A{FIRST_LINE_ROW}:{LAST_COLUMN}{FIRST_LINE_ROW + 3}"] == [
        [f"${COLUMN['Actual amount']}7>${COLUMN['Planned amount']}7"]
    ]
    assert rules["C4:F4"] == [["$C$4>$A$4"]]  # actual above the approved budget


def test_status_is_a_drop_down_of_the_four_statuses_on_every_line(tracker):
    (validation,) = [v for v in load(tracker)["Budget"].data_validations.dataValidation if v.type == "list"]
    assert validation.formula1 == '"planned,in progress,invoiced,paid"'
    assert str(validation.sqref) == f"{COLUMN['Status']}{FIRST_LINE_ROW}:{COLUMN['Status']}{FIRST_LINE_ROW + 3}"


@pytest.mark.parametrize(
    "currency, locale, expected",
    [
        ("USD", "en-US", '"$"#,##0.00;[Red]-"$"#,##0.00'),
        ("EUR", "de-DE", '#,##0.00" €";[Red]-#,##0.00" €"'),  # the symbol after the number, as Germany writes it
        ("JPY", "ja-JP", '"￥"#,##0;[Red]-"￥"#,##0'),  # yen have no decimals
        ("CHF", "de-CH", '"CHF "#,##0.00;[Red]-"CHF "#,##0.00'),
    ],
)
def test_amounts_use_the_trackers_currency_format(catalog, budget_data, currency, locale, expected):
    budget_data |= {"currency": currency, "locale": locale, "approved_budget": "25000"}
    for line in budget_data["lines"]:
        line["rate"] = str(int(Decimal(line["rate"])))
        line.pop("invoiced_amount", None)
    sheet = load(render(catalog, budget_data))["Budget"]
    for ref in (
        f"{COLUMN['Rate']}{FIRST_LINE_ROW}",
        f"{COLUMN['Variance']}{FIRST_LINE_ROW}",
        "A4",
        "E4",
        f"{TOTALS['Planned']}{FIRST_LINE_ROW}",
    ):
        assert sheet[ref].number_format == expected, ref
    assert sheet[f"{COLUMN['% used']}{FIRST_LINE_ROW}"].number_format == "0.0%"
    assert sheet[f"{COLUMN['Planned units']}{FIRST_LINE_ROW}"].number_format == "#,##0.00"


def test_the_header_row_is_frozen_and_pages_print_landscape_one_page_wide(tracker):
    sheet = load(tracker)["Budget"]
    assert sheet.freeze_panes == f"A{FIRST_LINE_ROW}"
    assert sheet.page_setup.orientation == "landscape"
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$6:$6"
    # The lines, then the freelancers' totals and the chart on pages of their own.
    last_line_column = COLUMN["% used"]
    assert sheet.print_area == f"'Budget'!$A$1:${last_line_column}$1048576,'Budget'!$P$1:$AD$1048576"
    assert sheet.oddFooter.center.text == "Page &P of &N"  # "Page 2 of 3" on paper
    assert sheet.oddHeader.left.text.endswith("Budget tracker") and sheet.oddHeader.right.text == "&F"


def test_every_column_is_wide_enough_for_its_header(tracker):
    sheet = load(tracker)["Budget"]
    for index, name in enumerate(COLUMNS, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        assert dimension.hidden or dimension.width >= max(len(name), 10), name
    assert sheet.column_dimensions[COLUMN["Freelancer no."]].hidden  # bookkeeping for the totals


def test_an_empty_tracker_still_has_a_table_with_one_blank_row(catalog, budget_data):
    budget_data["lines"] = []
    content = render(catalog, budget_data)
    sheet = load(content, data_only=True)["Budget"]
    assert sheet.tables["BudgetLines"].ref == f"A6:{LAST_COLUMN}{FIRST_LINE_ROW}"
    assert sheet.tables["FreelancerTotals"].ref == f"P6:R{FIRST_LINE_ROW + SPARE_FREELANCERS - 1}"
    assert sheet[f"A{FIRST_LINE_ROW}"].value is None
    assert sheet[f"{COLUMN['Planned amount']}{FIRST_LINE_ROW}"].value == 0
    assert sheet[f"{COLUMN['% used']}{FIRST_LINE_ROW}"].value in ("", None)  # nothing planned: no percentage
    assert (sheet["B4"].value, sheet["E4"].value, sheet["G4"].value) == (0, 25000, 0)
    assert cell_xml(content, f"{COLUMN['Planned amount']}{FIRST_LINE_ROW}").findtext("m:f", None, MAIN)


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",  # a formula
        "+1+2",  # Excel reads a leading + as a formula
        "-1-2",  # and a leading -
        "@SUM(A1:A2)",  # and a leading @
        '=HYPERLINK("http://evil.example","x")',
        "=cmd|' /C calc'!A0",  # DDE
        "Smith & Jones <Design>",  # XML
        "Émoji 😀 and 中文",
    ],
)
def test_text_a_user_typed_is_a_string_cell_never_a_formula(catalog, budget_data, text):
    budget_data["lines"][0] |= {"role": text, "milestone": text, "freelancer": text}
    content = render(catalog, budget_data)
    for column in ("Freelancer", "Role", "Milestone"):
        element = cell_xml(content, f"{COLUMN[column]}{FIRST_LINE_ROW}")
        assert element.get("t") == "inlineStr" and element.find("m:f", MAIN) is None
        assert element.findtext("m:is/m:t", None, MAIN) == text
    sheet = load(content)["Budget"]
    assert sheet[f"B{FIRST_LINE_ROW}"].value == text and sheet[f"B{FIRST_LINE_ROW}"].data_type == "s"
    totals = load(content, data_only=True)["Budget"]
    assert totals[f"{TOTALS['Freelancer']}{FIRST_LINE_ROW}"].value == text  # the freelancer totals' cached name too


def test_text_that_reads_like_an_ooxml_escape_is_protected(catalog, budget_data):
    budget_data["lines"][0]["role"] = "_x0041_ stays as typed"
    element = cell_xml(render(catalog, budget_data), f"B{FIRST_LINE_ROW}")
    assert element.findtext("m:is/m:t", None, MAIN) == "_x005F_x0041_ stays as typed"  # Excel shows "_x0041_ ..."


def test_the_sheet_is_protected_with_only_what_a_person_types_open(tracker):
    sheet = load(tracker)["Budget"]
    assert sheet.protection.sheet and not sheet.protection.password  # no password: Review > Unprotect Sheet
    assert not sheet.protection.autoFilter and not sheet.protection.sort  # filtering and sorting still work
    for name in COLUMNS:
        cell = sheet[f"{COLUMN[name]}{FIRST_LINE_ROW + 1}"]
        assert cell.protection.locked == (name in COMPUTED_COLUMNS), name
    assert not sheet["A4"].protection.locked and not sheet["A1"].protection.locked  # approved budget, title
    assert sheet["B4"].protection.locked and sheet[f"{TOTALS['Planned']}{FIRST_LINE_ROW}"].protection.locked


def test_the_summary_shows_what_of_the_approved_budget_no_line_has_planned_yet(tracker, budget_data):
    sheet = load(tracker)["Budget"]
    assert (sheet["H3"].value, sheet["H4"].value) == ("Uncommitted", "=ApprovedBudget-PlannedTotal")
    cached = load(tracker, data_only=True)["Budget"]["H4"].value
    assert _close(cached, Decimal(budget_data["approved_budget"]) - totals(budget_data).planned)

"""A workbook made ready for insertWorksheetsFromBase64: no charts, no defined names, the same results,
and a plan that says what to add back (names, print settings, charts and where they were)."""

from __future__ import annotations

import io
import zipfile

import openxml_audit
import pytest
from lxml import etree
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference, ScatterChart, Series
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.workbook.defined_name import DefinedName

from freelance.budget.tracker import SPARE_FREELANCERS
from freelance.documents.insertion import ChartPlan, NamedRange, NotAWorkbook, PrintSettings, insertion_of
from freelance.documents.ooxml import NS, parse
from freelance.documents.tidy import tidied
from tests.budget.workbooks import BUDGET, FIRST_LINE_ROW, MAIN, SHEET_PART, cell_xml, load, render, with_part, xml
from tests.documents.docx_files import make_docx, members_of

TABLE_PART = "xl/tables/table1.xml"


@pytest.fixture(scope="module")
def tracker(catalog) -> bytes:
    return render(catalog, BUDGET)


@pytest.fixture(scope="module")
def inserted(tracker):
    return insertion_of(tracker)


def _defined_names(workbook: bytes) -> dict[str, str]:
    return {name.get("name"): name.text for name in xml(workbook, "xl/workbook.xml").iterfind(".//m:definedName", MAIN)}


def _formula(workbook: bytes, ref: str) -> str:
    return cell_xml(workbook, ref).findtext("m:f", None, MAIN)


def _absolute(definition: str) -> str:
    """``'Budget'!$A$4`` -> ``$A$4``: what a formula on the name's own sheet says instead of the name."""
    return definition.rpartition("!")[2]


def _planned_and_actual() -> Workbook:
    """Two sheets with names of every kind, formulas using them, and three charts (one scatter)."""
    workbook = Workbook()
    data = workbook.active
    data.title = "Data"
    for row in (["Rate", 80], ["Month", "Hours"], ["Jan", 10], ["Feb", 12], ["Mar", 9]):
        data.append(row)
    data["C1"] = "=Rate*Data!Rate"
    data.column_dimensions["H"].width = 30
    plan = workbook.create_sheet("Q1 plan")
    plan["A1"] = '=IF(Rate>0,"Rate is "&Rate,"no Rate")'
    plan["B1"] = "=SUM(Hours)*Local*(1+VAT)"
    plan["C1"] = 5
    workbook.defined_names["Rate"] = DefinedName("Rate", attr_text="Data!$B$1")
    workbook.defined_names["Hours"] = DefinedName("Hours", attr_text="Data!$B$3:$B$5")
    workbook.defined_names["VAT"] = DefinedName("VAT", attr_text="0.2")
    plan.defined_names["Local"] = DefinedName("Local", attr_text="'Q1 plan'!$C$1")
    plan.print_title_rows = "1:1"
    plan.print_area = "A1:D10"
    hours = Reference(data, min_col=2, min_row=2, max_row=5)
    months = Reference(data, min_col=1, min_row=3, max_row=5)
    line = LineChart()
    line.title = "Hours"
    line.add_data(hours, titles_from_data=True)
    line.set_categories(months)
    line.anchor = TwoCellAnchor(_from=AnchorMarker(col=3, row=1), to=AnchorMarker(col=9, row=15))
    data.add_chart(line)
    pie = PieChart()
    pie.add_data(hours, titles_from_data=True)
    data.add_chart(pie, "G20")  # 15 cm x 7.5 cm, across the 30-character column H
    bars = BarChart()
    bars.type, bars.grouping, bars.overlap = "bar", "stacked", 100
    bars.add_data(hours, titles_from_data=True)
    data.add_chart(bars, "A40")
    scatter = ScatterChart()
    scatter.title = "Scatter"
    scatter.series.append(Series(Reference(data, min_col=2, min_row=3, max_row=5), months))
    data.add_chart(scatter, "A60")
    return workbook


@pytest.fixture(scope="module")
def planned_and_actual() -> bytes:
    out = io.BytesIO()
    _planned_and_actual().save(out)
    return out.getvalue()


# -- the workbook to insert ------------------------------------------------------------------------


def test_no_drawing_or_chart_part_or_reference_to_one_remains(inserted):
    members = members_of(inserted.workbook)
    assert not [name for name in members if "drawing" in name or "chart" in name]
    assert xml(inserted.workbook).find("m:drawing", MAIN) is None
    references = [
        element.get(attribute, "")
        for name, content in members.items()
        if name.endswith(".rels") or name == "[Content_Types].xml"
        for element in etree.fromstring(content)
        for attribute in ("Type", "Target", "PartName", "ContentType")
    ]
    assert references and not [ref for ref in references if "drawing" in ref or "chart" in ref]


def test_the_workbook_to_insert_has_no_defined_names(inserted):
    assert xml(inserted.workbook, "xl/workbook.xml").find("m:definedNames", MAIN) is None


def test_formulas_that_used_names_refer_to_the_cells_the_names_stood_for(tracker, inserted):
    names = _defined_names(tracker)
    approved, actual = _absolute(names["ApprovedBudget"]), _absolute(names["ActualTotal"])
    assert (approved, actual) == ("$A$4", "$C$4")
    assert _formula(tracker, "E4") == "ApprovedBudget-ActualTotal"
    assert _formula(inserted.workbook, "E4") == f"{approved}-{actual}"
    assert _formula(inserted.workbook, "F4") == f'IF({approved}=0,"",{actual}/{approved})'


def test_formulas_without_names_and_cached_values_stay_as_they_were(tracker, inserted):
    for ref in ("B4", "G4", f"H{FIRST_LINE_ROW}", f"P{FIRST_LINE_ROW}"):
        assert _formula(inserted.workbook, ref) == _formula(tracker, ref), ref
    for ref in ("E4", "F4"):
        assert cell_xml(inserted.workbook, ref).findtext("m:v", None, MAIN) == cell_xml(tracker, ref).findtext(
            "m:v", None, MAIN
        )


def test_a_name_inside_a_string_stays_text(tracker):
    quoting = with_part(
        tracker,
        SHEET_PART,
        lambda sheet: sheet.replace(
            "<f>ApprovedBudget-ActualTotal</f>", '<f>IF(ApprovedBudget&gt;0,"ApprovedBudget","")</f>'
        ),
    )
    assert _formula(insertion_of(quoting).workbook, "E4") == 'IF($A$4>0,"ApprovedBudget","")'


def test_a_tables_calculated_column_formula_loses_its_names_too(tracker):
    variance = "BudgetLines[[#This Row],[Planned amount]]-BudgetLines[[#This Row],[Actual amount]]"
    naming = with_part(tracker, TABLE_PART, lambda table: table.replace(variance, f"{variance}*PercentUsed"))
    formulas = xml(insertion_of(naming).workbook, TABLE_PART).findall(".//m:calculatedColumnFormula", MAIN)
    assert f"{variance}*$F$4" in [formula.text for formula in formulas]


def test_openpyxl_opens_the_workbook_to_insert_with_the_same_values(tracker, inserted):
    before, after = load(tracker, data_only=True)["Budget"], load(inserted.workbook, data_only=True)["Budget"]
    assert [[c.value for c in row] for row in after.iter_rows()] == [
        [c.value for c in row] for row in before.iter_rows()
    ]
    assert set(load(inserted.workbook)["Budget"].tables) == {"BudgetLines", "FreelancerTotals"}


def test_openxml_audit_finds_no_error_in_the_tracker_nor_in_the_workbook_to_insert(tmp_path, tracker, inserted):
    def errors(content: bytes, name: str) -> list[str]:
        (tmp_path / name).write_bytes(content)
        return [str(error) for error in openxml_audit.OpenXmlValidator().validate(tmp_path / name).errors]

    assert errors(tracker, "tracker.xlsx") == []
    assert errors(inserted.workbook, "inserted.xlsx") == []


def test_tidying_a_workbook_with_shared_strings_keeps_every_value_and_index(tmp_path, tracker):
    """The tracker's template shares its strings; the rendered tracker adds inline ones. Tidied, the template's
    strings keep their indexes, the new ones are added after them, and every cell reads as before."""

    def strings(content: bytes) -> list[etree._Element]:
        return parse(zipfile.ZipFile(io.BytesIO(content)).read("xl/sharedStrings.xml")).findall("m:si", NS)

    tidy = tidied(tracker)
    before, after = strings(tracker), strings(tidy)
    assert len(after) > len(before)
    assert [etree.tostring(item) for item in after[: len(before)]] == [etree.tostring(item) for item in before]
    assert b't="inlineStr"' not in zipfile.ZipFile(io.BytesIO(tidy)).read("xl/worksheets/sheet1.xml")
    for formulas in (False, True):
        assert [[c.value for c in row] for row in load(tidy, data_only=formulas)["Budget"].iter_rows()] == [
            [c.value for c in row] for row in load(tracker, data_only=formulas)["Budget"].iter_rows()
        ]
    assert tidied(tidy) == tidy, "a tidy workbook is left as it is"


# -- the plan --------------------------------------------------------------------------------------


def test_the_plan_lists_every_name_with_the_cells_it_stood_for(tracker, inserted):
    expected = {
        NamedRange(name, "Budget", _absolute(definition).replace("$", ""), "workbook")
        for name, definition in _defined_names(tracker).items()
        if not name.startswith("_xlnm.")
    }
    assert set(inserted.names) == expected
    assert len(expected) == 12
    assert NamedRange("ApprovedBudget", "Budget", "A4", "workbook") in expected


def test_print_titles_and_area_come_back_as_the_sheets_print_settings(inserted):
    # The lines, then the freelancers' totals and the chart on pages of their own.
    assert inserted.print_settings == (PrintSettings("Budget", "$6:$6", "A1:M1048576,P1:AD1048576"),)


def test_the_plan_re_creates_the_chart_from_its_data_where_it_was(inserted):
    last_row = FIRST_LINE_ROW + len({line["freelancer"] for line in BUDGET["lines"]}) + SPARE_FREELANCERS - 1
    (chart,) = inserted.charts
    assert chart == ChartPlan(
        sheet="Budget",
        type="ColumnClustered",
        title="Planned vs actual per freelancer",
        source=f"P6:R{last_row}",
        series_by="Columns",
        top_left="T6",
        bottom_right=chart.bottom_right,
    )
    # 6480000 x 3240000 EMU from T6: ten and a half 64-pixel columns, seventeen 20-pixel rows.
    assert chart.bottom_right == "AD23"
    assert inserted.warnings == ()


# -- any workbook ----------------------------------------------------------------------------------


def test_names_on_another_sheet_or_of_a_sheet_become_the_cells_seen_from_the_formula(planned_and_actual):
    variant = insertion_of(planned_and_actual).workbook
    formulas = {
        cell.get("r"): cell.findtext("m:f", None, MAIN)
        for part in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml")
        for cell in xml(variant, part).iterfind(".//m:c", MAIN)
        if cell.find("m:f", MAIN) is not None
    }
    assert formulas == {
        "C1": "$B$1*$B$1",  # on the name's own sheet, qualified or not
        "A1": "IF('Data'!$B$1>0,\"Rate is \"&'Data'!$B$1,\"no Rate\")",  # the strings keep the word
        "B1": "SUM('Data'!$B$3:$B$5)*$C$1*(1+(0.2))",  # a range, a sheet's own name, a constant
    }


def test_the_plan_of_any_workbook_keeps_each_names_scope_and_warns_of_what_it_cannot_add_back(planned_and_actual):
    plan = insertion_of(planned_and_actual)
    assert plan.names == (
        NamedRange("Rate", "Data", "B1", "workbook"),
        NamedRange("Hours", "Data", "B3:B5", "workbook"),
        NamedRange("Local", "Q1 plan", "C1", "Q1 plan"),
    )
    assert plan.print_settings == (PrintSettings("Q1 plan", "$1:$1", "A1:D10"),)
    assert len(plan.warnings) == 2
    assert "VAT" in plan.warnings[0] and "0.2" in plan.warnings[0]
    assert "'Scatter'" in plan.warnings[1] and "scatterChart" in plan.warnings[1]


@pytest.mark.parametrize(
    "index, expected",
    [
        # a twoCellAnchor: from D2 to J16 as written
        (0, ChartPlan("Data", "Line", "Hours", "A2:B5", "Columns", "D2", "J16")),
        # a oneCellAnchor at G20, 15 cm wide across H's 30 characters (210 px) and 64-pixel columns
        (1, ChartPlan("Data", "Pie", "", "B2:B5", "Columns", "G20", "M34")),
        # horizontal stacked bars at A40, whose right edge falls inside the wide column H
        (2, ChartPlan("Data", "BarStacked", "", "B2:B5", "Columns", "A40", "H54")),
    ],
)
def test_each_chart_kind_and_anchor_has_its_excel_type_and_cells(planned_and_actual, index, expected):
    assert insertion_of(planned_and_actual).charts[index] == expected


def test_a_workbook_without_charts_or_names_comes_back_with_an_empty_plan():
    out = io.BytesIO()
    Workbook().save(out)
    plan = insertion_of(out.getvalue())
    assert (plan.names, plan.print_settings, plan.charts, plan.warnings) == ((), (), (), ())
    assert load(plan.workbook).sheetnames == ["Sheet"]


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"not a zip", "not a valid ZIP"),  # not an archive
        (make_docx("A contract"), "not a workbook"),  # a Word document
    ],
)
def test_what_is_not_a_workbook_is_refused_saying_why(content, reason):
    with pytest.raises(NotAWorkbook, match=reason):
        insertion_of(content)


def test_the_same_workbook_gives_the_same_bytes(tracker):
    assert insertion_of(tracker).workbook == insertion_of(tracker).workbook


def test_xml_of_the_workbook_to_insert_is_well_formed(inserted):
    for name, content in members_of(inserted.workbook).items():
        if name.endswith((".xml", ".rels")):
            etree.fromstring(content)

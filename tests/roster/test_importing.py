"""POST /api/freelancers/import: CSV and .xlsx rosters read by header, checked row by row, and
upserted by email all together or not at all."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.roster.files import HEADER, csv_bytes, person, xlsx_bytes

ROWS = [
    HEADER,
    ["Zoe Angstrom", "zoe@angstrom.example", "12 Pike Street\nSeattle", "US"],
    ["Bao Nguyen", "bao@nguyen.example", "3 Ly Thai To, Hanoi", "VN"],
]


def _by_email(client) -> dict[str, dict]:
    return {item["email"]: item for item in client.get("/api/freelancers?per_page=100").json["items"]}


@pytest.mark.parametrize(
    "content, filename",
    [
        (csv_bytes(ROWS), "roster.csv"),  # UTF-8 CSV
        (csv_bytes(ROWS, bom=True), "roster.csv"),  # UTF-8 with the BOM Excel writes
        (csv_bytes(ROWS, delimiter=";"), "roster.csv"),  # Excel in Europe: semicolons
        (csv_bytes(ROWS, delimiter="\t"), "roster.txt"),  # tab-separated
        (xlsx_bytes(ROWS), "roster.xlsx"),  # a workbook
        (xlsx_bytes(ROWS), "upload"),  # ... recognised by content, not by name
    ],
)
def test_a_roster_file_creates_its_freelancers(client, upload, content, filename):
    response = upload(content, filename)
    assert response.status_code == 200, response.json
    assert response.json == {"created": 2, "updated": 0, "unchanged": 0, "dry_run": False, "ignored_columns": []}
    people = _by_email(client)
    assert people["zoe@angstrom.example"]["address"] == "12 Pike Street\nSeattle"
    assert people["bao@nguyen.example"]["country"] == "VN"


def test_a_roster_sent_as_the_request_body_is_imported_too(client):
    response = client.post("/api/freelancers/import", data=csv_bytes(ROWS), content_type="text/csv")
    assert response.status_code == 200, response.json
    assert response.json["created"] == 2


def test_a_windows_1252_csv_keeps_its_accents(client, upload):
    rows = [
        ["Full name", "E-mail", "Address", "Country code", "Business name"],
        ["Zoë Ångström", "zoe@example.org", "Calle Mayor 5, Madrid", "ES", "Café Crème Ltd — Design"],
    ]
    response = upload(csv_bytes(rows, encoding="cp1252"))
    assert response.status_code == 200, response.json
    zoe = _by_email(client)["zoe@example.org"]
    assert (zoe["name"], zoe["business_name"]) == ("Zoë Ångström", "Café Crème Ltd — Design")


@pytest.mark.parametrize(
    "header",
    [
        ["Full name", "E-mail", "Address", "Country code"],  # common synonyms
        ["  FULL NAME ", "e-mail address", "ADDRESS", "country"],  # case and spaces do not matter
        ["Legal name", "Email Address", "Postal address", "Country ISO"],  # more synonyms
        ["Contractor", "Mail", "Street address", "Nationality"],  # and more
    ],
)
def test_columns_are_found_by_their_header_whatever_its_spelling(client, upload, header):
    response = upload(csv_bytes([header, ROWS[1]]))
    assert response.status_code == 200, response.json
    assert _by_email(client)["zoe@angstrom.example"]["name"] == "Zoe Angstrom"


@pytest.mark.parametrize(
    "header, cell, rate, unit, currency",
    [
        ("Hourly rate", "$45.00/hr", "45", "hour", "USD"),  # symbol and unit in the cell
        ("Hourly rate", "45 USD", "45", "hour", "USD"),  # unit from the header
        ("Day rate", "€350", "350", "day", "EUR"),  # ... a day rate
        ("Rate", "GBP 1,200.50/day", "1200.5", "day", "GBP"),  # thousands separator, code before
    ],
)
def test_a_rate_cell_gives_amount_unit_and_currency(client, upload, header, cell, rate, unit, currency):
    response = upload(csv_bytes([[*HEADER, header], [*ROWS[1][:4], cell]]))
    assert response.status_code == 200, response.json
    zoe = _by_email(client)["zoe@angstrom.example"]
    assert (Decimal(zoe["rate"]), zoe["rate_unit"], zoe["currency"]) == (Decimal(rate), unit, currency)


def test_a_rate_written_with_a_decimal_comma_is_never_read_as_a_hundred_times_more(client, upload):
    rows = [
        ["Name", "E-mail", "Address", "Country", "Day rate", "Currency"],
        ["Jan de Vries", "jan@vries.example", "Keizersgracht 1, Amsterdam", "NL", "450,50", "EUR"],
    ]
    response = upload(csv_bytes(rows, delimiter=";", encoding="cp1252"))
    assert response.status_code == 200, response.json
    assert Decimal(_by_email(client)["jan@vries.example"]["rate"]) == Decimal("450.5")


@pytest.mark.parametrize(
    "cell, currency, rate",
    [
        ("95.500", "USD", "95.5"),  # three decimals, as a system with Numeric(18,3) amounts writes them
        ("45.125", "KWD", "45.125"),  # a rate in fils: the Kuwaiti dinar has three decimals
        ("0.500", "USD", "0.5"),  # no thousands group starts with 0
    ],
)
def test_a_rate_with_three_decimals_in_a_comma_separated_file_keeps_its_decimal_point(
    client, upload, cell, currency, rate
):
    response = upload(csv_bytes([[*HEADER, "Hourly rate", "Currency"], [*ROWS[2], cell, currency]]))
    assert response.status_code == 200, response.json
    assert Decimal(_by_email(client)["bao@nguyen.example"]["rate"]) == Decimal(rate)


@pytest.mark.parametrize(
    "cell, skills",
    [
        ("Figma, Branding", ["Figma", "Branding"]),  # commas
        ("Figma; Branding;Logo design", ["Figma", "Branding", "Logo design"]),  # semicolons, spaces trimmed
        ("Figma,, ;Branding", ["Figma", "Branding"]),  # empty pieces dropped
    ],
)
def test_skills_are_split_on_commas_and_semicolons(client, upload, cell, skills):
    upload(csv_bytes([[*HEADER, "Skills"], [*ROWS[1][:4], cell]]))
    assert _by_email(client)["zoe@angstrom.example"]["skills"] == skills


def test_an_upwork_style_export_is_read_with_its_own_headers(client, upload):
    rows = [
        [
            "Name",
            "Email",
            "Title",
            "Location",
            "Country",
            "Hourly Rate",
            "Skills",
            "Profile URL",
            "Job Success Score",
            "Total Earned",
        ],
        [
            "Zoe Angstrom",
            "zoe@angstrom.example",
            "Brand designer",
            "Seattle, WA",
            "United States",
            "$45.00/hr",
            "Branding, Logo Design, Figma",
            "https://www.upwork.com/freelancers/~01zoe",
            "98%",
            "$100k+",
        ],
        [
            "Carmen Díaz",
            "carmen@diaz.example",
            "Illustrator",
            "Madrid",
            "Spain",
            "$60.00/hr",
            "Illustration",
            "https://www.upwork.com/freelancers/~02carmen",
            "100%",
            "$20k+",
        ],
    ]
    response = upload(xlsx_bytes(rows, title="Talent"), "upwork-export.xlsx")
    assert response.status_code == 200, response.json
    assert response.json["created"] == 2
    assert response.json["ignored_columns"] == ["Title", "Job Success Score", "Total Earned"]
    zoe = _by_email(client)["zoe@angstrom.example"]
    assert {k: zoe[k] for k in ("address", "country", "rate_unit", "currency", "skills", "profile_url")} == {
        "address": "Seattle, WA",
        "country": "US",
        "rate_unit": "hour",
        "currency": "USD",
        "skills": ["Branding", "Logo Design", "Figma"],
        "profile_url": "https://www.upwork.com/freelancers/~01zoe",
    }
    assert Decimal(zoe["rate"]) == Decimal("45")
    assert _by_email(client)["carmen@diaz.example"]["country"] == "ES"


def test_an_upwork_export_without_emails_is_refused_naming_the_missing_column(client, upload, roster_state):
    rows = [["Name", "Title", "Location", "Country", "Hourly Rate"], ["Zoe", "Designer", "Seattle", "US", "$45/hr"]]
    response = upload(xlsx_bytes(rows), "upwork.xlsx")
    assert response.status_code == 400
    assert "email" in response.json["error"] and "Hourly Rate" in response.json["error"]
    assert roster_state() == []


def test_rows_upsert_by_email_and_the_answer_counts_what_happened(client, upload, add):
    add(person(1))  # will be unchanged
    add(person(2))  # will be updated
    rows = [
        [*HEADER],
        list(person(1).values()),
        list(person(2, address="New address").values()),
        list(person(3).values()),
    ]  # will be created
    response = upload(csv_bytes(rows))
    assert response.json == {"created": 1, "updated": 1, "unchanged": 1, "dry_run": False, "ignored_columns": []}
    people = _by_email(client)
    assert people[person(2)["email"]]["address"] == "New address"
    assert len(people) == 3


def test_a_dry_run_answers_the_same_counts_and_writes_nothing(client, upload, add, roster_state):
    add(person(1))
    add(person(2))
    rows = [[*HEADER], list(person(1).values()), list(person(2, address="New").values()), list(person(3).values())]
    before = roster_state()
    response = upload(csv_bytes(rows), query="?dry_run=1")
    assert response.json == {"created": 1, "updated": 1, "unchanged": 1, "dry_run": True, "ignored_columns": []}
    assert roster_state() == before
    assert upload(csv_bytes(rows)).json == response.json | {"dry_run": False}


def test_one_bad_row_rejects_the_whole_file_listing_every_problem(client, upload, add, roster_state):
    add(person(1))
    before = roster_state()
    rows = [
        ["Full name", "E-mail", "Address", "Country code", "Hourly rate", "Currency"],
        ["Changed Name", person(1)["email"], "1 Road", "US", "", ""],  # row 2: fine (an update)
        ["Bao", "bao@example.org", "2 Road", "VN", "", ""],  # row 3: fine (new)
        ["", "", "", "", "", ""],  # row 4: blank, skipped
        ["Cara", "cara-at-example.org", "3 Road", "Narnia", "", ""],  # row 5: two problems
        ["Dee", "dee@example.org", "", "GB", "lots", "GBP"],  # row 6: no address (kept so), bad rate
        ["Eve", "eve@example.org", "5 Road", "US", "45", ""],  # row 7: rate without currency
        ["Bao Again", "BAO@example.org", "6 Road", "VN", "", ""],
    ]  # row 8: email of row 3
    response = upload(csv_bytes(rows))
    assert response.status_code == 400
    assert response.json["error"].endswith("problems in the roster; nothing was imported.")
    assert {(e["row"], e["column"]) for e in response.json["errors"]} == {
        (5, "E-mail"),
        (5, "Country code"),
        (6, "Hourly rate"),
        (7, "Currency"),
        (8, "E-mail"),
    }
    assert all(e["message"] for e in response.json["errors"])
    assert {"row": 8, "column": "E-mail", "message": "BAO@example.org is also on row 3"} in response.json["errors"]
    assert roster_state() == before


def test_an_unreadable_amount_is_one_problem_not_two(upload):
    response = upload(csv_bytes([[*HEADER, "Hourly rate", "Currency"], [*ROWS[1], "lots", "USD"]]))
    assert response.json["error"] == "1 problem in the roster; nothing was imported."
    assert response.json["errors"] == [{"row": 2, "column": "Hourly rate", "message": "'lots' is not an amount"}]


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_a_problem_names_the_row_a_spreadsheet_shows_and_the_files_header(upload, make):
    rows = [
        ["Full name", "E-mail", "Address", "Country"],
        ["Zoe", "zoe@example.org", "1 Road", "US"],
        ROWS[2],
        ["Cara", "cara", "3 Road", "US"],
    ]
    response = upload(make(rows), "roster.xlsx" if make is xlsx_bytes else "roster.csv")
    assert response.json["errors"] == [{"row": 4, "column": "E-mail", "message": response.json["errors"][0]["message"]}]
    assert "@" in response.json["errors"][0]["message"]


def test_a_problem_after_a_multi_line_address_names_the_row_a_spreadsheet_shows(upload):
    rows = [
        HEADER,
        ["Zoe", "zoe@example.org", "12 Pike Street\nSeattle\nWA 98101", "US"],  # row 2, three lines
        ["Cara", "cara", "3 Road", "US"],
    ]  # row 3
    assert [e["row"] for e in upload(csv_bytes(rows)).json["errors"]] == [3]


def test_a_file_with_hundreds_of_bad_rows_lists_the_first_500_and_says_how_many(upload, roster_state):
    rows = [HEADER] + [[f"Person {i}", f"person{i}-at-example.org", "1 Road", "US"] for i in range(600)]
    response = upload(csv_bytes(rows))
    assert response.status_code == 400
    assert response.json["error"] == "600 problems in the roster; nothing was imported (the first 500 are listed)."
    assert [e["row"] for e in response.json["errors"]] == list(range(2, 502))
    assert roster_state() == []


def test_duplicate_emails_in_one_file_are_refused_naming_both_rows(upload, roster_state):
    rows = [HEADER, ROWS[1], ROWS[2], ["Zoe Again", "ZOE@angstrom.example", "Elsewhere", "US"]]
    response = upload(xlsx_bytes(rows), "roster.xlsx")
    assert response.status_code == 400
    assert response.json["errors"] == [
        {"row": 4, "column": "email", "message": "ZOE@angstrom.example is also on row 2"}
    ]
    assert roster_state() == []


def test_ten_thousand_blank_rows_between_data_rows_are_skipped(client, upload):
    rows = [HEADER, ROWS[1], ROWS[2], ["Cara", "cara@example.org", "3 Road", "GB"]]
    content = xlsx_bytes(rows, blank_rows={2: 10_000, 3: 5})
    response = upload(content, "roster.xlsx")
    assert response.status_code == 200, response.json
    assert response.json["created"] == 3
    invalid = xlsx_bytes([*rows, ["Dee", "dee", "4 Road", "GB"]], blank_rows={2: 10_000})
    assert upload(invalid, "roster.xlsx").json["errors"][0]["row"] == 10_005  # counted across the blank rows


def test_columns_the_roster_does_not_know_are_ignored_and_named(upload):
    response = upload(csv_bytes([[*HEADER, "Notes", "Team"], [*ROWS[1], "met at a conference", "Brand"]]))
    assert response.json["ignored_columns"] == ["Notes", "Team"]


def test_an_import_keeps_the_fields_its_file_has_no_column_for(client, upload, add):
    zoe = add(
        person(
            1,
            phone="+1 206 555 0134",
            tax_id="98-7654321",
            business_name="Angstrom Design LLC",
            skills=["Branding"],
            status="inactive",
        )
    )
    response = upload(csv_bytes([HEADER, list(person(1, address="New address").values())]))
    assert response.json["updated"] == 1
    after = client.get(f"/api/freelancers/{zoe['id']}").json
    assert after["address"] == "New address"
    assert {k: after[k] for k in ("phone", "tax_id", "business_name", "skills", "status")} == {
        k: zoe[k] for k in ("phone", "tax_id", "business_name", "skills", "status")
    }


def test_a_change_the_record_cannot_take_is_a_problem_of_its_row_not_a_server_error(upload, add, roster_state):
    # The file clears the currency of a freelancer whose rate (from the roster) stays: no valid record.
    add(person(1, rate="95.5", rate_unit="hour", currency="USD"))
    before = roster_state()
    rows = [[*HEADER, "Currency"], [*person(1).values(), ""], [*person(2).values(), "EUR"]]
    response = upload(csv_bytes(rows))
    assert response.status_code == 400, response.json
    assert response.json["errors"] == [{"row": 2, "column": "Currency", "message": "is required with a rate"}]
    assert roster_state() == before

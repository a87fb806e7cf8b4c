"""Exporting what a search finds, rates as numbers in .xlsx, and a rate cleared with its unit and currency."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from freelance.roster.export import HEADER, RATE_FORMAT
from tests.roster.files import person


@pytest.fixture
def team(add) -> dict[str, dict]:
    return {
        "zoe": add(person(1, name="Zoe Angstrom", skills=["Figma"], country="US")),
        "wei": add(person(2, name="Zhang Wei", skills=["Python"], country="CN", status="inactive")),
        "ana": add(person(3, name="Ana Costa", skills=["Figma", "Python"], country="BR")),
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["Ana Costa", "Zhang Wei", "Zoe Angstrom"]),  # no filter: everyone
        ("q=zoe", ["Zoe Angstrom"]),  # words, as the search takes them
        ("skill=figma", ["Ana Costa", "Zoe Angstrom"]),
        ("status=inactive", ["Zhang Wei"]),
        ("country=br", ["Ana Costa"]),
        ("skill=python&status=active", ["Ana Costa"]),
    ],
)
def test_the_export_takes_the_filters_of_the_search(client, team, query, expected):
    answer = client.get(f"/api/freelancers/export?format=csv&{query}")
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert [row[HEADER.index("name")] for row in rows[1:]] == expected
    searched = client.get(f"/api/freelancers?{query}").json["items"]
    assert sorted(item["name"] for item in searched) == expected


def test_a_filter_the_search_does_not_take_is_refused(client):
    answer = client.get("/api/freelancers/export?colour=red")
    assert answer.status_code == 400
    assert answer.json["errors"][0]["field"] == "colour"


def test_a_rate_is_a_number_in_the_xlsx_export_and_text_stays_text(client, add):
    add(person(1, rate="1250.50", rate_unit="day", currency="USD", tax_id="=1+1"))
    workbook = load_workbook(io.BytesIO(client.get("/api/freelancers/export?format=xlsx").data))
    row = next(workbook.worksheets[0].iter_rows(min_row=2, max_row=2))
    rate = row[HEADER.index("rate")]
    assert (rate.value, rate.data_type, rate.number_format) == (1250.5, "n", RATE_FORMAT)
    tax_id = row[HEADER.index("tax_id")]
    assert (tax_id.value, tax_id.data_type) == ("=1+1", "s")


def test_clearing_the_rate_clears_its_unit_and_currency(client, add):
    zoe = add(person(1, rate="95", rate_unit="hour", currency="USD"))
    answer = client.patch(f"/api/freelancers/{zoe['id']}", json={"rate": None})
    assert answer.status_code == 200, answer.json
    assert (answer.json["rate"], answer.json["rate_unit"], answer.json["currency"]) == (None, None, None)


def test_a_unit_sent_with_the_cleared_rate_is_kept(client, add):
    zoe = add(person(1, rate="95", rate_unit="hour", currency="USD"))
    answer = client.patch(f"/api/freelancers/{zoe['id']}", json={"rate": None, "rate_unit": "day"})
    assert answer.status_code == 200, answer.json
    assert (answer.json["rate"], answer.json["rate_unit"], answer.json["currency"]) == (None, "day", None)

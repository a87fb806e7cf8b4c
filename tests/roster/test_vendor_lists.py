"""Real vendor lists: no address, headers as procurement writes them ("Vendor name", "Contact email",
"Day rate (USD)"), a bare "Rate" column whose unit the import is told; the roster keeps the
incomplete records, and a contract that needs a missing detail names it."""

from __future__ import annotations

import copy

import pytest

from tests.helpers import SOW
from tests.roster.files import csv_bytes


@pytest.mark.parametrize(
    "headers, row, expected",
    [
        # A vendor list: name, email, country and a day rate whose header gives the currency.
        (
            ["Vendor name", "Contact email", "Country", "Day rate (USD)"],
            ["Zoe Angstrom", "zoe@angstrom.example", "US", "720"],
            {"rate": "720.00", "rate_unit": "day", "currency": "USD", "address": None},
        ),
        # A supplier list with the unit in the header's brackets too.
        (
            ["Supplier", "Email", "Rate (EUR/hour)"],
            ["Zoe Angstrom", "zoe@angstrom.example", "95"],
            {"rate": "95.00", "rate_unit": "hour", "currency": "EUR", "country": None},
        ),
        # "Rate per hour" with the currency in the cell.
        (
            ["Name", "Work email", "Rate per hour"],
            ["Zoe Angstrom", "zoe@angstrom.example", "$85"],
            {"rate": "85.00", "rate_unit": "hour", "currency": "USD"},
        ),
    ],
)
def test_headers_procurement_uses_are_understood(upload, client, headers, row, expected):
    answer = upload(csv_bytes([headers, row]))
    assert answer.status_code == 200, answer.json
    record = client.get("/api/freelancers?q=zoe").json["items"][0]
    assert {key: record[key] for key in expected} == expected


def test_a_name_and_an_email_make_a_roster_record(client):
    answer = client.post("/api/freelancers", json={"name": "Zoe Angstrom", "email": "zoe@angstrom.example"})
    assert answer.status_code == 201, answer.json
    assert (answer.json["address"], answer.json["country"]) == (None, None)


def test_a_rate_without_a_unit_takes_the_unit_the_import_is_given(upload, client):
    content = csv_bytes([["Name", "Email", "Rate", "Currency"], ["Zoe Angstrom", "zoe@angstrom.example", "95", "USD"]])
    refused = upload(content)
    assert refused.status_code == 400
    assert refused.json["errors"] == [
        {
            "row": 2,
            "column": "Rate",
            "message": "says no unit: name it in the header (Day rate) or the cell (95/day), or choose one",
        }
    ]
    answer = upload(content, query="?rate_unit=day")
    assert answer.status_code == 200, answer.json
    assert client.get("/api/freelancers?q=zoe").json["items"][0]["rate_unit"] == "day"


def test_a_contract_for_a_record_without_an_address_names_what_to_add(client, add):
    zoe = add({"name": "Zoë Ångström", "email": "zoe@angstrom.example", "country": "SE"})
    data = {k: v for k, v in copy.deepcopy(SOW).items() if k != "freelancer"} | {"freelancer_id": zoe["id"]}
    answer = client.post("/api/documents", json={"template": "sow", "data": data})
    assert answer.status_code == 400
    assert answer.json["errors"] == [
        {"field": "freelancer_id", "message": "Zoë Ångström's roster record has no address; add it"}
    ]
    client.patch(f"/api/freelancers/{zoe['id']}", json={"address": "Storgatan 1\nStockholm"})
    assert client.post("/api/documents", json={"template": "sow", "data": data}).status_code == 201


def test_an_hourly_fee_without_a_rate_takes_the_roster_rate(client, add):
    zoe = add(copy.deepcopy(SOW["freelancer"]) | {"rate": "95.00", "rate_unit": "hour", "currency": "USD"})
    data = {k: v for k, v in copy.deepcopy(SOW).items() if k != "freelancer"} | {"freelancer_id": zoe["id"]}
    data["fee"] = {"model": "hourly", "currency": "USD", "estimated_units": "100"}
    data["milestones"] = []
    answer = client.post("/api/documents", json={"template": "sow", "data": data})
    assert answer.status_code == 201, answer.json
    assert answer.json["data"]["fee"]["rate"] == "95.00"


@pytest.mark.parametrize(
    "fee, words",
    [
        ({"model": "daily", "currency": "USD", "estimated_units": "10"}, "per hour, the fee daily in USD"),
        ({"model": "hourly", "currency": "EUR", "estimated_units": "10"}, "95.00 USD per hour, the fee hourly in EUR"),
    ],
)
def test_a_roster_rate_of_another_unit_or_currency_is_not_taken(client, add, fee, words):
    zoe = add(copy.deepcopy(SOW["freelancer"]) | {"rate": "95.00", "rate_unit": "hour", "currency": "USD"})
    data = {k: v for k, v in copy.deepcopy(SOW).items() if k != "freelancer"} | {"freelancer_id": zoe["id"]}
    data |= {"fee": fee, "milestones": []}
    answer = client.post("/api/documents", json={"template": "sow", "data": data})
    assert answer.status_code == 400
    assert [problem["field"] for problem in answer.json["errors"]] == ["fee.rate"]
    assert words in answer.json["errors"][0]["message"]

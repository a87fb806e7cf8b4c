"""POST /api/documents with ``freelancer_id``: contracts and budget lines filled from the roster, and
each record keeping the snapshot it was made with after the freelancer changes or is removed."""

from __future__ import annotations

import io
import uuid

import pytest
from openpyxl import load_workbook

from freelance.models import Freelancer
from freelance.web.services import services
from tests.reading import content_controls, text_of
from tests.roster.files import ZOE, person


@pytest.fixture
def zoe(add) -> dict:
    return add(ZOE)


@pytest.fixture(params=["sow", "nda-mutual", "nda-one-way"])
def contract(request, sow_data, nda_data) -> tuple[str, dict]:
    """(template, data without a freelancer) for the SOW and both NDAs."""
    data = {"sow": sow_data, "nda-mutual": nda_data, "nda-one-way": dict(nda_data, discloser="freelancer")}[
        request.param
    ]
    return request.param, {k: v for k, v in data.items() if k != "freelancer"}


def _generate(client, template: str, data: dict):
    return client.post("/api/documents", json={"template": template, "data": data})


def test_a_contract_made_with_a_freelancer_id_carries_the_rosters_details(client, zoe, contract):
    template, data = contract
    response = _generate(client, template, data | {"freelancer_id": zoe["id"]})
    assert response.status_code == 201, response.json
    content = client.get(response.json["download_url"]).data
    controls = content_controls(content)
    assert controls["freelancer.name"] and set(controls["freelancer.name"]) == {"Zoe Angstrom"}
    assert set(controls["freelancer.address"]) == {"12 Pike Street\nSeattle, WA 98101"}
    assert "Angstrom Design LLC" in text_of(content)


def test_the_same_contract_is_the_same_bytes_from_an_id_or_from_the_details(client, zoe, contract):
    template, data = contract
    from_id = _generate(client, template, data | {"freelancer_id": zoe["id"]}).json
    typed = _generate(client, template, data | {"freelancer": ZOE}).json
    assert (from_id["filename"], from_id["sha256"]) == (typed["filename"], typed["sha256"])


def test_a_contract_keeps_the_details_it_was_made_with_after_the_freelancer_changes(app, client, zoe, contract):
    template, data = contract
    record = _generate(client, template, data | {"freelancer_id": zoe["id"]}).json
    before = client.get(record["download_url"]).data
    changed = client.patch(
        f"/api/freelancers/{zoe['id']}", json={"name": "Zoe Angstrom-Bell", "address": "1 New Road\nPortland"}
    )
    assert changed.status_code == 200, changed.json
    after = client.get(record["download_url"]).data
    assert after == before
    assert set(content_controls(after)["freelancer.name"]) == {"Zoe Angstrom"}
    snapshot = services(app).store.document("local", record["id"]).data
    assert (snapshot["freelancer_id"], snapshot["freelancer"]["name"]) == (zoe["id"], "Zoe Angstrom")
    fresh = _generate(client, template, data | {"freelancer_id": zoe["id"]}).json
    assert set(content_controls(client.get(fresh["download_url"]).data)["freelancer.name"]) == {"Zoe Angstrom-Bell"}


def test_a_contract_survives_the_removal_of_its_freelancer(app, client, zoe, contract):
    template, data = contract
    record = _generate(client, template, data | {"freelancer_id": zoe["id"]}).json
    before = client.get(record["download_url"]).data
    assert client.delete(f"/api/freelancers/{zoe['id']}").status_code == 204
    assert client.get(f"/api/documents/{record['id']}").json == record
    assert client.get(record["download_url"]).data == before
    assert services(app).store.document("local", record["id"]).data["freelancer"]["address"] == ZOE["address"]
    again = _generate(client, template, data | {"freelancer_id": zoe["id"]})
    assert again.status_code == 400
    assert again.json["errors"] == [
        {"field": "freelancer_id", "message": f"there is no freelancer '{zoe['id']}' in the roster"}
    ]


@pytest.mark.parametrize(
    "freelancer_id",
    [
        "5e0c1b7a-2d4f-4a6b-8c9d-0e1f2a3b4c5d",  # nobody on the roster
        "zoe",  # not even an id
    ],
)
def test_an_unknown_freelancer_id_is_refused_naming_the_field(client, sow_data, freelancer_id):
    data = {k: v for k, v in sow_data.items() if k != "freelancer"} | {"freelancer_id": freelancer_id}
    response = _generate(client, "sow", data)
    assert response.status_code == 400
    assert [e["field"] for e in response.json["errors"]] == ["freelancer_id"]
    assert client.get("/api/documents").json["total"] == 0


def test_another_tenants_freelancer_cannot_fill_a_contract(app, client, sow_data):
    theirs = services(app).roster.add("contoso-eu", Freelancer.model_validate(person(1)))
    data = {k: v for k, v in sow_data.items() if k != "freelancer"} | {"freelancer_id": str(theirs.id)}
    response = _generate(client, "sow", data)
    assert response.status_code == 400
    assert [e["field"] for e in response.json["errors"]] == ["freelancer_id"]


def test_giving_both_the_details_and_an_id_is_refused(client, zoe, sow_data):
    response = _generate(client, "sow", sow_data | {"freelancer_id": zoe["id"]})
    assert response.status_code == 400
    assert [e["field"] for e in response.json["errors"]] == ["freelancer"]


def test_a_contract_with_neither_details_nor_an_id_names_the_freelancer(client, sow_data):
    response = _generate(client, "sow", {k: v for k, v in sow_data.items() if k != "freelancer"})
    assert response.status_code == 400
    assert "freelancer" in [e["field"] for e in response.json["errors"]]


@pytest.fixture
def budget() -> dict:
    return {"project": {"title": "Brand refresh"}, "currency": "USD", "approved_budget": "20000", "lines": []}


def _budget_lines(content: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content))
    try:
        table = workbook["Budget"].tables["BudgetLines"]
        rows = list(workbook["Budget"][table.ref])
        return [(row[0].value, row[1].value, row[6].value) for row in rows[1:]]  # Freelancer, Role, Rate
    finally:
        workbook.close()


def test_budget_lines_take_the_name_and_rate_from_the_roster_unless_the_line_gives_a_rate(client, zoe, budget):
    budget["lines"] = [
        {"freelancer_id": zoe["id"], "role": "Designer", "planned_units": "100"},  # the roster's rate
        {"freelancer_id": zoe["id"], "role": "Art direction", "planned_units": "10", "rate": "120"},  # its own
        {"freelancer": "Bob Kelly", "role": "Developer", "planned_units": "20", "rate": "80"},
    ]  # typed
    response = _generate(client, "budget", budget)
    assert response.status_code == 201, response.json
    assert _budget_lines(client.get(response.json["download_url"]).data) == [
        ("Zoe Angstrom", "Designer", 95.5),
        ("Zoe Angstrom", "Art direction", 120),
        ("Bob Kelly", "Developer", 80),
    ]


def test_a_roster_rate_in_another_currency_than_the_tracker_must_be_given_on_the_line(client, zoe, budget):
    budget |= {
        "currency": "EUR",
        "lines": [
            {"freelancer_id": zoe["id"], "role": "Designer", "planned_units": "100"},
            {"freelancer_id": str(uuid.uuid4()), "role": "Dev", "planned_units": "1"},
        ],
    }
    response = _generate(client, "budget", budget)
    assert response.status_code == 400
    assert [e["field"] for e in response.json["errors"]] == ["lines[0].rate", "lines[1].freelancer_id"]

"""GET/POST /api/freelancers and GET/PATCH/DELETE /api/freelancers/<id>: the roster over HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.roster.files import ZOE as ROSTER_ZOE
from tests.roster.files import person

ZOE = ROSTER_ZOE | {"country": "us", "currency": "usd", "skills": ["Branding", "Logo design"]}
"""Zoe as a person types her in: country and currency codes in lower case."""


def test_adding_a_freelancer_answers_201_with_the_record_and_its_address(client, add):
    response = client.post("/api/freelancers", json=ZOE)
    assert response.status_code == 201, response.json
    record = response.json
    assert set(record) == {*ZOE, "status", "signatory_title", "id", "created_at", "updated_at", "nda"}
    assert record["nda"] == {"in_force": False, "until": None, "document_id": None}
    assert (record["country"], record["currency"], Decimal(record["rate"]), record["status"]) == (
        "US",
        "USD",
        Decimal("95.5"),
        "active",
    )
    assert response.headers["Location"] == f"/api/freelancers/{record['id']}"
    assert client.get(response.headers["Location"]).json == record


@pytest.mark.parametrize(
    "rate",
    [
        "95.50",  # money as people write it, with cents
        "100.000",  # the column's full scale
    ],
)
def test_the_record_a_write_answers_is_the_record_read_back(client, add, rate):
    created = client.post("/api/freelancers", json=ZOE | {"rate": rate}).json
    assert client.get(f"/api/freelancers/{created['id']}").json == created
    changed = client.patch(f"/api/freelancers/{created['id']}", json={"rate": rate, "phone": "+1 206 555 0199"}).json
    assert client.get(f"/api/freelancers/{created['id']}").json == changed


def test_an_email_another_freelancer_has_is_refused_with_409_naming_that_freelancer(client, add, roster_state):
    first = add(ZOE)
    before = roster_state()
    response = client.post("/api/freelancers", json=person(1, email="ZOE@Angstrom.example"))
    assert response.status_code == 409
    assert first["id"] in response.json["error"] and "Zoe Angstrom" in response.json["error"]
    assert response.json["errors"] == [{"field": "email", "message": f"is already used by freelancer {first['id']}"}]
    assert roster_state() == before


@pytest.mark.parametrize(
    "details, field",
    [
        (person(1, email="not-an-email"), "email"),  # an email needs an @ and a domain
        (person(1, country="Atlantis"), "country"),  # ISO 3166-1 alpha-2 only
        (person(1, rate="45"), "currency"),  # a rate needs its currency (and unit)
        (person(1, rate="-5", currency="USD", rate_unit="hour"), "rate"),  # rates are positive
        (person(1, rate_unit="week", rate="5", currency="USD"), "rate_unit"),  # hour or day
        (person(1, status="retired"), "status"),  # active or inactive
        (person(1, name="Zoe\x07"), "name"),  # no control characters
        ({k: v for k, v in person(1).items() if k != "email"}, "email"),  # the email is required (an address is not)
        (person(1, nickname="Z"), "nickname"),  # unknown fields are named, not ignored
    ],
)
def test_invalid_details_are_refused_with_400_naming_the_field(client, details, field):
    response = client.post("/api/freelancers", json=details)
    assert response.status_code == 400
    assert field in [error["field"] for error in response.json["errors"]]
    assert client.get("/api/freelancers").json["total"] == 0


def test_a_freelancer_is_changed_field_by_field_and_the_rest_is_kept(client, add):
    record = add(ZOE)
    response = client.patch(
        f"/api/freelancers/{record['id']}",
        json={"address": "1 Market Street\nSeattle", "phone": None, "skills": ["Figma"]},
    )
    assert response.status_code == 200, response.json
    changed = response.json
    assert (changed["address"], changed["phone"], changed["skills"]) == ("1 Market Street\nSeattle", None, ["Figma"])
    assert {k: v for k, v in changed.items() if k not in ("address", "phone", "skills", "updated_at")} == {
        k: v for k, v in record.items() if k not in ("address", "phone", "skills", "updated_at")
    }
    assert changed["updated_at"] > record["updated_at"]
    assert client.get(f"/api/freelancers/{record['id']}").json == changed


@pytest.mark.parametrize(
    "changes, field, status",
    [
        ({"email": "zoe"}, "email", 400),  # not an email
        ({"rate": "10"}, "currency", 400),  # a rate alone: the record has no unit or currency
        ({"nickname": "Z"}, "nickname", 400),  # unknown fields are named
        ({"email": "OTHER@example.org"}, "email", 409),  # another freelancer's email, in other case
    ],
)
def test_a_change_that_breaks_the_record_is_refused_and_nothing_changes(
    client, add, roster_state, changes, field, status
):
    add(person(1, email="other@example.org"))
    record = add({k: v for k, v in ZOE.items() if k not in ("rate", "rate_unit", "currency")})
    before = roster_state()
    response = client.patch(f"/api/freelancers/{record['id']}", json=changes)
    assert response.status_code == status
    assert field in [error["field"] for error in response.json["errors"]]
    assert roster_state() == before


def test_changing_only_the_case_of_ones_own_email_is_not_a_clash(client, add):
    record = add(ZOE)
    response = client.patch(f"/api/freelancers/{record['id']}", json={"email": "Zoe@Angstrom.example"})
    assert response.status_code == 200, response.json
    assert response.json["email"] == "Zoe@angstrom.example"  # the domain is lower-cased, the local part kept


def test_a_removed_freelancer_is_gone(client, add):
    record = add(ZOE)
    assert client.delete(f"/api/freelancers/{record['id']}").status_code == 204
    assert client.get(f"/api/freelancers/{record['id']}").status_code == 404
    assert client.get("/api/freelancers").json["total"] == 0
    assert client.delete(f"/api/freelancers/{record['id']}").status_code == 404


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize(
    "freelancer_id",
    [
        "5e0c1b7a-2d4f-4a6b-8c9d-0e1f2a3b4c5d",  # well-formed, unknown
        "not-a-uuid",  # malformed: still 404, never 500
    ],
)
def test_an_unknown_freelancer_is_404_for_every_method(client, method, freelancer_id):
    response = getattr(client, method)(
        f"/api/freelancers/{freelancer_id}", json={"phone": "1"} if method == "patch" else None
    )
    assert response.status_code == 404
    assert "no freelancer" in response.json["error"]


@pytest.fixture
def team(add) -> dict[str, dict]:
    """Five freelancers, different in every searchable way."""
    people = [
        ZOE,
        person(
            1,
            name="Bao Nguyen",
            email="bao@nguyen.example",
            country="VN",
            skills=["Python", "Django"],
            rate="40",
            rate_unit="hour",
            currency="USD",
        ),
        person(
            2,
            name="Carmen Díaz",
            business_name="Díaz 100% Studio",
            email="carmen@diaz.example",
            country="ES",
            skills=["Illustration", "Branding"],
            rate="350",
            rate_unit="day",
            currency="EUR",
            status="inactive",
        ),
        person(
            3,
            name="Dev_Ops Ltd contact",
            email="ops@example.org",
            country="GB",
            skills=["Kubernetes", "python"],
            rate="600",
            rate_unit="day",
            currency="GBP",
        ),
        person(4, name="Eve Adams", email="eve.adams@mail.example", country="US", skills=["Copywriting"]),
    ]
    return {p["name"]: add(p) for p in people}


def _names(client, query: str) -> list[str]:
    response = client.get(f"/api/freelancers?{query}")
    assert response.status_code == 200, response.json
    return [item["name"] for item in response.json["items"]]


@pytest.mark.parametrize(
    "query, names",
    [
        ("", ["Bao Nguyen", "Carmen Díaz", "Dev_Ops Ltd contact", "Eve Adams", "Zoe Angstrom"]),  # all, by name
        ("q=zoe", ["Zoe Angstrom"]),  # name, any case
        ("q=angstrom+design", ["Zoe Angstrom"]),  # business name; every word must match
        ("q=mail.example", ["Eve Adams"]),  # email
        ("q=branding", ["Carmen Díaz", "Zoe Angstrom"]),  # skills
        ("q=díaz", ["Carmen Díaz"]),  # accents as typed
        ("q=100%25", ["Carmen Díaz"]),  # % is a character, not a wildcard
        ("q=_", ["Dev_Ops Ltd contact"]),  # so is _
        ("q=seattle", []),  # the address is not searched
        ("status=inactive", ["Carmen Díaz"]),  # status filter
        ("skill=PYTHON", ["Bao Nguyen", "Dev_Ops Ltd contact"]),  # a whole skill, any case
        ("skill=pyth", []),  # ... not part of one
        ("country=us", ["Eve Adams", "Zoe Angstrom"]),  # country, any case
        ("q=python&country=GB", ["Dev_Ops Ltd contact"]),  # filters combine
        ("sort=-name", ["Zoe Angstrom", "Eve Adams", "Dev_Ops Ltd contact", "Carmen Díaz", "Bao Nguyen"]),
        ("sort=email", ["Bao Nguyen", "Carmen Díaz", "Eve Adams", "Dev_Ops Ltd contact", "Zoe Angstrom"]),
        ("sort=country", ["Carmen Díaz", "Dev_Ops Ltd contact", None, None, "Bao Nguyen"]),  # ES, GB, US x2, VN
    ],
)
def test_search_filters_and_sorts_the_roster(client, team, query, names):
    found = _names(client, query)
    assert len(found) == len(names)
    assert all(expected in (None, got) for expected, got in zip(names, found)), found


def test_sorting_by_rate_compares_amounts_not_text(client, team):
    rated = [name for name in _names(client, "sort=rate") if team[name]["rate"] is not None]
    assert rated == ["Bao Nguyen", "Zoe Angstrom", "Carmen Díaz", "Dev_Ops Ltd contact"]  # 40, 95.5, 350, 600


def test_freelancers_without_a_rate_sort_after_those_with_one_in_both_directions(client, team):
    for sort in ("rate", "-rate"):
        assert _names(client, f"sort={sort}")[-1] == "Eve Adams", sort


def test_created_at_sorts_in_the_order_freelancers_were_added(client, team):
    assert _names(client, "sort=created_at") == list(team)
    assert _names(client, "sort=-created_at") == list(team)[::-1]


def test_pages_cover_the_roster_once_with_the_total(client, add):
    for i in range(23):
        add(person(i))
    pages = [client.get(f"/api/freelancers?per_page=10&page={page}").json for page in (1, 2, 3, 4)]
    assert [p["total"] for p in pages] == [23] * 4
    assert [len(p["items"]) for p in pages] == [10, 10, 3, 0]
    emails = [item["email"] for p in pages for item in p["items"]]
    assert emails == [person(i)["email"] for i in range(23)]


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=0", "page"),  # pages count from 1
        ("per_page=101", "per_page"),  # pages are bounded
        ("sort=phone", "sort"),  # only the listed sorts
        ("status=retired", "status"),  # active or inactive
        ("country=USA", "country"),  # two letters
        ("colour=red", "colour"),  # unknown parameters are named, not ignored
    ],
)
def test_bad_search_parameters_are_named(client, query, field):
    response = client.get(f"/api/freelancers?{query}")
    assert response.status_code == 400
    assert field in [error["field"] for error in response.json["errors"]]


@pytest.mark.parametrize(
    "rate, currency",
    [
        (100.005, "USD"),  # a JSON number with a third decimal
        ("100.005", "USD"),  # the same as a string: both refused, neither rounded
        (10.5, "JPY"),  # yen have no decimals
        ("10.5", "JPY"),
    ],
)
def test_a_rate_with_more_decimals_than_its_currency_is_refused_naming_the_rate(client, rate, currency):
    response = client.post(
        "/api/freelancers",
        json={"name": "Zoe", "email": "zoe@example.org", "address": "1 Road", "country": "US"}
        | {"rate": rate, "rate_unit": "hour", "currency": currency},
    )
    assert response.status_code == 400
    digits = 0 if currency == "JPY" else 2
    assert response.json["errors"] == [
        {"field": "rate", "message": f"{currency} amounts have at most {digits} decimal places"}
    ]
    assert client.get("/api/freelancers").json["total"] == 0


def test_a_name_with_a_bidi_control_is_refused_naming_the_field(client):
    details = {"name": "Zoe", "business_name": "Acme \u202egnp.exe", "email": "zoe@example.org"}
    response = client.post("/api/freelancers", json=details | {"address": "1 Road", "country": "US"})
    assert response.status_code == 400
    assert [error["field"] for error in response.json["errors"]] == ["business_name"]

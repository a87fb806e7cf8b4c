"""The documents library: a record with the data it was made from, a search by the words people
remember and by filters, edit and regenerate (linked to the record it came from), and which record a
file is, by its SHA-256."""

from __future__ import annotations

import copy

import pytest

from freelance.web.services import services
from tests.helpers import NDA, SOW


def _made(api, template="sow", data=None, **changes) -> dict:
    data = copy.deepcopy(data or (SOW if template == "sow" else NDA)) | changes
    response = api.post("/api/documents", json={"template": template, "data": data})
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def library(client) -> dict[str, dict]:
    """A SOW for Contoso, one for Fabrikam with another freelancer, and an NDA for Contoso."""
    fabrikam = copy.deepcopy(SOW["client"]) | {"name": "Fabrikam Inc"}
    wei = copy.deepcopy(SOW["freelancer"]) | {"name": "Zhang Wei", "email": "wei@zhang.example"}
    project = copy.deepcopy(SOW["project"]) | {"title": "Checkout redesign"}
    return {
        "contoso": _made(client),
        "fabrikam": _made(client, sow_number="SOW-2027-077", client=fabrikam, freelancer=wei, project=project),
        "nda": _made(client, "nda-mutual"),
    }


def test_a_single_record_carries_the_data_it_was_made_from_and_a_listing_does_not(client, library):
    record = client.get(f"/api/documents/{library['contoso']['id']}").json
    assert record["data"]["project"]["title"] == SOW["project"]["title"]
    assert (record["client_name"], record["freelancer_name"], record["sow_number"]) == (
        "Contoso Ltd",
        "Zoe Angstrom",
        "SOW-2027-001",
    )
    assert all("data" not in item for item in client.get("/api/documents").json["items"])


@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=checkout", ["fabrikam"]),  # a word of the project title
        ("q=CONTOSO", ["nda", "contoso"]),  # the client, in any case
        ("q=zhang%20checkout", ["fabrikam"]),  # every word must be found
        ("q=SOW-2027-077", ["fabrikam"]),  # the SOW number
        ("q=wei@zhang", ["fabrikam"]),  # part of the freelancer's email
        ("q=100%25", []),  # a % is a character, not a wildcard
        ("kind=nda-mutual", ["nda"]),
        ("template=sow&client=fabri", ["fabrikam"]),  # part of the client's name
        ("freelancer=WEI@zhang.example", ["fabrikam"]),  # an email, in any case
        ("status=draft&kind=sow", ["fabrikam", "contoso"]),
        ("from=2000-01-01&to=2000-12-31", []),  # made in another period
    ],
)
def test_the_library_is_searched_by_words_and_filters(client, library, query, expected):
    page = client.get(f"/api/documents?{query}").json
    names = {record["id"]: name for name, record in library.items()}
    assert [names[item["id"]] for item in page["items"]] == expected
    assert page["total"] == len(expected)


def test_today_s_documents_are_found_by_today_s_date(client, library):
    today = library["contoso"]["created_at"][:10]
    assert client.get(f"/api/documents?from={today}&to={today}").json["total"] == 3


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2027-13-01", "from"),  # not a date
        ("status=lost", "status"),  # not a status
        ("sort=name", "sort"),  # not a filter
    ],
)
def test_a_filter_that_is_not_one_is_refused_naming_it(client, query, field):
    answer = client.get(f"/api/documents?{query}")
    assert answer.status_code == 400
    assert [problem["field"] for problem in answer.json["errors"]] == [field]


def test_a_freelancer_from_the_roster_finds_the_documents_made_for_them(client, add):
    zoe = add(copy.deepcopy(SOW["freelancer"]) | {"email": "zoe.roster@angstrom.example"})
    data = {k: v for k, v in SOW.items() if k != "freelancer"} | {"freelancer_id": zoe["id"]}
    made = _made(client, data=data)
    page = client.get(f"/api/documents?freelancer={zoe['id']}").json
    assert [item["id"] for item in page["items"]] == [made["id"]]


def test_editing_makes_a_new_document_with_the_changes_linked_to_the_old_one(client, library):
    old = library["contoso"]
    changes = {"project": {"title": "Brand refresh, phase 2"}, "po_number": None}
    answer = client.post(f"/api/documents/{old['id']}/regenerate", json={"changes": changes})
    assert answer.status_code == 201, answer.json
    new = answer.json
    assert new["predecessor_id"] == old["id"]
    assert new["data"]["project"]["title"] == "Brand refresh, phase 2"
    assert new["data"]["project"]["summary"] == SOW["project"]["summary"]  # merged, not replaced
    assert "po_number" not in new["data"] or new["data"]["po_number"] is None  # null removes
    assert new["sha256"] != old["sha256"]
    again = client.post(f"/api/documents/{old['id']}/regenerate").json  # no body: the same bytes
    assert (again["sha256"], again["predecessor_id"]) == (old["sha256"], old["id"])


def test_an_edit_that_breaks_a_rule_is_refused_and_stores_nothing(client, library):
    before = client.get("/api/documents").json["total"]
    answer = client.post(
        f"/api/documents/{library['contoso']['id']}/regenerate", json={"changes": {"fee": {"amount": "1"}}}
    )
    assert answer.status_code == 400
    assert [problem["field"] for problem in answer.json["errors"]] == ["milestones"]
    assert client.get("/api/documents").json["total"] == before


def test_an_edit_to_another_roster_freelancer_takes_their_details(client, library, add):
    wei = add(copy.deepcopy(SOW["freelancer"]) | {"name": "Zhang Wei", "email": "wei.roster@zhang.example"})
    answer = client.post(
        f"/api/documents/{library['contoso']['id']}/regenerate", json={"changes": {"freelancer_id": wei["id"]}}
    )
    assert answer.status_code == 201, answer.json
    assert answer.json["freelancer_name"] == "Zhang Wei"


def test_an_edit_from_a_roster_freelancer_to_typed_details_keeps_the_details_typed(client, library, add):
    wei = add(copy.deepcopy(SOW["freelancer"]) | {"name": "Zhang Wei", "email": "wei.typed@zhang.example"})
    made = client.post(
        f"/api/documents/{library['contoso']['id']}/regenerate", json={"changes": {"freelancer_id": wei["id"]}}
    ).json
    typed = {
        "name": "Ada Lovelace",
        "email": "ada@lovelace.example",
        "address": "12 St James's Square",
        "country": "GB",
    }
    answer = client.post(
        f"/api/documents/{made['id']}/regenerate", json={"changes": {"freelancer": typed, "freelancer_id": None}}
    )
    assert answer.status_code == 201, answer.json
    assert answer.json["freelancer_name"] == "Ada Lovelace"
    assert answer.json["data"].get("freelancer_id") is None


@pytest.mark.parametrize(
    "body",
    [
        {"changes": "title"},  # not an object
        {"edits": {}},  # not the field
    ],
)
def test_a_revision_that_is_not_one_is_refused(client, library, body):
    answer = client.post(f"/api/documents/{library['contoso']['id']}/regenerate", json=body)
    assert answer.status_code == 400


def test_a_file_is_known_by_its_sha256_as_a_document_a_pdf_or_a_signed_copy(app, client, library):
    record = library["nda"]
    content = client.get(record["download_url"]).data
    found = client.post("/api/documents/verify", data=content, content_type="application/octet-stream").json
    assert [(m["found_as"], m["document"]["id"]) for m in found["matches"]] == [("document", record["id"])]

    pdf = b"%PDF-1.7 a signed scan"
    assert (
        client.put(f"/api/documents/{record['id']}/signed", data=pdf, content_type="application/pdf").status_code == 200
    )
    found = client.post("/api/documents/verify", data=pdf, content_type="application/pdf").json
    assert [(m["found_as"], m["document"]["id"]) for m in found["matches"]] == [("signed copy", record["id"])]

    services(app).store.keep_rendition(services(app).store.document("local", record["id"]), "pdf", b"%PDF-1.7 made")
    found = client.post("/api/documents/verify", data=b"%PDF-1.7 made", content_type="application/pdf").json
    assert [m["found_as"] for m in found["matches"]] == ["pdf"]


def test_a_file_made_elsewhere_or_changed_is_no_record(client, library):
    found = client.post("/api/documents/verify", data=b"changed", content_type="application/octet-stream")
    assert found.status_code == 200
    assert found.json["matches"] == []


def test_another_tenants_file_is_not_found(app, client, catalog):
    template = catalog["nda-mutual"]
    generated = template.generate(template.validate(NDA))
    services(app).store.add_document("another-tenant", generated)
    found = client.post("/api/documents/verify", data=generated.content, content_type="application/octet-stream")
    assert found.json["matches"] == []

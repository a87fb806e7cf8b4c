"""Tenants are kept apart: another tenant's records are not found, whatever the endpoint, and never listed."""

from __future__ import annotations

import io
import uuid

import openpyxl
import pytest

from tests.roster.files import HEADER, csv_bytes, person

UNKNOWN = str(uuid.UUID(int=7))


@pytest.fixture
def contoso(alice, sow_data) -> dict[str, str]:
    """Alice's freelancer and a SOW made with it: the ids another tenant will try."""
    freelancer = alice.post("/api/freelancers", json=person(1, name="Zoe Contoso", skills=["Figma"])).json
    data = {k: v for k, v in sow_data.items() if k != "freelancer"} | {"freelancer_id": freelancer["id"]}
    document = alice.post("/api/documents", json={"template": "sow", "data": data})
    assert document.status_code == 201, document.json
    return {"freelancer": freelancer["id"], "document": document.json["id"]}


def _state(client, ids) -> tuple:
    """Everything Alice can see of her records, to show another tenant changed nothing."""
    return (
        client.get(f"/api/freelancers/{ids['freelancer']}").json,
        client.get(f"/api/documents/{ids['document']}").json,
        client.get(f"/api/documents/{ids['document']}/file").data,
        client.get("/api/freelancers").json,
    )


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/api/freelancers/{freelancer}", None),  # read the freelancer
        ("patch", "/api/freelancers/{freelancer}", {"phone": "+1 555 0100"}),  # change it
        ("patch", "/api/freelancers/{freelancer}", {"email": "bruno@fabrikam.com"}),  # take it over by email
        ("delete", "/api/freelancers/{freelancer}", None),  # remove it
        ("get", "/api/documents/{document}", None),  # read the document's record
        ("get", "/api/documents/{document}/file", None),  # download it
        ("post", "/api/documents/{document}/onedrive", None),  # save it to one's own OneDrive
    ],
)
def test_another_tenants_record_is_not_found_and_left_as_it_was(alice, bruno, contoso, microsoft, method, path, body):
    before = _state(alice, contoso)
    requests_before = len(microsoft.requests)
    response = getattr(bruno, method)(path.format(**contoso), json=body)
    assert response.status_code == 404
    # indistinguishable from an id that never existed
    never = getattr(bruno, method)(path.format(freelancer=UNKNOWN, document=UNKNOWN), json=body)
    target = contoso["freelancer" if "{freelancer}" in path else "document"]
    assert never.status_code == 404
    assert never.json["error"].replace(UNKNOWN, "<id>") == response.json["error"].replace(target, "<id>")
    assert _state(alice, contoso) == before
    assert microsoft.token_requests() == [] and microsoft.uploads_made() == []
    assert len(microsoft.requests) == requests_before + 1  # only Fabrikam's keys were fetched


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/api/freelancers/{freelancer}", None),  # read
        ("patch", "/api/freelancers/{freelancer}", {"phone": "+1 555 0100"}),  # change
        ("get", "/api/documents/{document}", None),  # read the record
        ("get", "/api/documents/{document}/file", None),  # download
    ],
)
def test_a_colleague_in_the_same_tenant_reaches_the_same_records(carol, contoso, method, path, body):
    assert getattr(carol, method)(path.format(**contoso), json=body).status_code == 200


def _import(client, rows, query=""):
    return client.post(
        f"/api/freelancers/import{query}",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(csv_bytes([HEADER, *rows])), "roster.csv")},
    )


@pytest.mark.parametrize(
    "query",
    [
        "",  # the import itself
        "?dry_run=true",  # and what it says it would do
    ],
)
def test_an_import_with_another_tenants_emails_creates_the_tenants_own_records(alice, bruno, query):
    assert _import(alice, [list(person(i).values()) for i in (1, 2)]).json["created"] == 2
    alices = alice.get("/api/freelancers").json
    outcome = _import(bruno, [list(person(i, name=f"Fabrikam {i}").values()) for i in (1, 2, 3)], query).json
    assert (outcome["created"], outcome["updated"], outcome["unchanged"]) == (3, 0, 0)
    assert alice.get("/api/freelancers").json == alices
    names = [f["name"] for f in bruno.get("/api/freelancers").json["items"]]
    assert names == ([] if query else ["Fabrikam 1", "Fabrikam 2", "Fabrikam 3"])


def test_an_email_on_another_tenants_roster_is_no_conflict(alice, bruno):
    assert alice.post("/api/freelancers", json=person(1)).status_code == 201
    assert bruno.post("/api/freelancers", json=person(1, name="Same Email")).status_code == 201


@pytest.mark.parametrize(
    "template, field",
    [
        ("sow", "freelancer_id"),  # a SOW for another tenant's freelancer
        ("nda-mutual", "freelancer_id"),  # an NDA
        ("budget", "lines[0].freelancer_id"),  # a budget tracker line
    ],
)
def test_generating_with_another_tenants_freelancer_is_refused_naming_the_field(
    bruno, contoso, sow_data, nda_data, template, field
):
    if template == "budget":
        data = {
            "project": {"title": "Relaunch"},
            "currency": "USD",
            "approved_budget": "1000",
            "locale": "en-US",
            "lines": [{"freelancer_id": contoso["freelancer"], "role": "Designer", "planned_units": "8", "rate": "90"}],
        }
    else:
        data = {k: v for k, v in (sow_data if template == "sow" else nda_data).items() if k != "freelancer"}
        data["freelancer_id"] = contoso["freelancer"]
    response = bruno.post("/api/documents", json={"template": template, "data": data})
    assert response.status_code == 400, response.json
    assert [e["field"] for e in response.json["errors"]] == [field]
    assert bruno.get("/api/documents").json["total"] == 0


@pytest.mark.parametrize(
    "path",
    [
        "/api/freelancers",  # the roster
        "/api/freelancers?q=zoe",  # a search by name
        "/api/freelancers?q=freelancer0001",  # by email
        "/api/freelancers?skill=figma",  # by skill
        "/api/freelancers?country=US&status=active",  # by filters
        "/api/documents",  # the documents
        "/api/documents?template=sow",  # of one template
    ],
)
def test_lists_and_searches_show_only_the_tenants_own_records(alice, bruno, contoso, path):
    assert bruno.get(path).json["items"] == [] and bruno.get(path).json["total"] == 0
    assert alice.get(path).json["total"] == 1


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_an_export_holds_only_the_tenants_own_freelancers(alice, bruno, contoso, format):
    assert bruno.post("/api/freelancers", json=person(2, name="Bruno's Own")).status_code == 201
    theirs, ours = (
        alice.get(f"/api/freelancers/export?format={format}").data,
        bruno.get(f"/api/freelancers/export?format={format}").data,
    )
    if format == "csv":
        assert b"Zoe Contoso" in theirs and b"Bruno's Own" not in theirs
        assert b"Bruno's Own" in ours and b"Zoe Contoso" not in ours and b"freelancer0001" not in ours
    else:

        def rows(data: bytes) -> list:
            sheet = openpyxl.load_workbook(io.BytesIO(data)).active
            return [cell for row in sheet.iter_rows(values_only=True) for cell in row]

        assert "Zoe Contoso" in rows(theirs) and "Bruno's Own" not in rows(theirs)
        assert "Bruno's Own" in rows(ours) and "Zoe Contoso" not in rows(ours)


def test_both_tenants_use_the_same_shipped_templates(alice, bruno):
    # The catalog is the server's own read-only templates: no tenant has templates of its own to keep apart.
    assert alice.get("/api/templates").json == bruno.get("/api/templates").json

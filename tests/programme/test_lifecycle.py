"""A contract's lifecycle over HTTP: the moves it allows (409 for the others), dated changes with who made
them, days to engage from the first draft of the SOW number, a signed copy kept with its SHA-256, and the
NDA in force on the roster."""

from __future__ import annotations

import copy
import hashlib
import io
import uuid
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from freelance.store import DocumentRecord
from freelance.web.services import services
from tests.helpers import NDA, SOW

TODAY = datetime.now(UTC).date()


def _made(client, template="sow", **changes) -> dict:
    data = copy.deepcopy(SOW if template == "sow" else NDA) | changes
    answer = client.post("/api/documents", json={"template": template, "data": data})
    assert answer.status_code == 201, answer.json
    return answer.json


def _move(client, record: dict, *statuses: str, on: str | None = None):
    answer = None
    for status in statuses:
        answer = client.patch(f"/api/documents/{record['id']}", json={"status": status} | ({"date": on} if on else {}))
    return answer


def _backdate(app, record: dict, days: int) -> None:
    made = datetime.now(UTC) - timedelta(days=days)
    table = DocumentRecord.table()
    with services(app).store.engine.begin() as connection:
        connection.execute(
            update(table).where(table.c.id == uuid.UUID(record["id"])).values(created_at=made, status_on=made.date())
        )


@pytest.mark.parametrize(
    "path, refused",
    [
        (["signed"], "signed"),  # a draft is sent before it is signed
        (["sent", "signed", "completed"], "completed"),  # a signed contract is active before it is completed
        (["cancelled", "sent"], "sent"),  # cancelled is final
        (["sent", "expired", "active"], "active"),  # expired is final
        (["sent", "signed", "active", "completed", "cancelled"], "cancelled"),  # completed is final
        (["sent", "draft"], "draft"),  # a contract does not go back
    ],
)
def test_a_move_the_lifecycle_does_not_allow_is_a_409_naming_the_allowed_ones(client, path, refused):
    record = _made(client)
    *allowed, last = path
    for status in allowed:
        assert _move(client, record, status).status_code == 200
    answer = _move(client, record, last)
    assert answer.status_code == 409
    assert answer.json["errors"][0]["field"] == "status"
    assert client.get(f"/api/documents/{record['id']}").json["status"] == (allowed[-1] if allowed else "draft")


def test_each_change_is_dated_and_signed_by_who_made_it_and_offers_the_next_moves(client):
    record = _made(client, "nda-mutual")
    answer = _move(client, record, "sent", "signed")
    assert answer.status_code == 200
    changed = answer.json
    assert [(e["status"], e["on"], e["by"]) for e in changed["history"]] == [
        ("draft", TODAY.isoformat(), "local"),
        ("sent", TODAY.isoformat(), "local"),
        ("signed", TODAY.isoformat(), "local"),
    ]
    assert (changed["status"], changed["next_statuses"]) == ("signed", ["active", "cancelled", "expired"])
    assert client.get(f"/api/documents/{record['id']}").json["history"] == changed["history"]
    actions = [e["action"] for e in client.get("/api/audit").json["items"]]
    assert actions.count("document.status_changed") == 2


@pytest.mark.parametrize(
    "on, why",
    [
        ((TODAY + timedelta(days=1)).isoformat(), "after today"),  # a change that has not happened
        ((TODAY - timedelta(days=30)).isoformat(), "before the last change"),  # before the draft was made
        ("01/02/2027", "not a date"),
    ],
)
def test_a_date_out_of_order_is_refused_naming_it(client, on, why):
    record = _made(client)
    answer = _move(client, record, "sent", on=on)
    assert answer.status_code == 400, why
    assert [p["field"] for p in answer.json["errors"]] == ["date"]


def test_days_to_engage_count_from_the_first_draft_of_the_sow_number(app, client):
    first = _made(client, sow_number="SOW-ENGAGE-1")
    _backdate(app, first, 12)
    second = _made(client, sow_number="SOW-ENGAGE-1")  # a new draft, sent and signed today
    _move(client, second, "sent", "signed")
    figures = client.get("/api/insights").json
    assert figures["median_days_to_engage"] == {"value": 12, "ids": [second["id"]]}


def test_a_tracker_has_no_lifecycle(client, budget_data):
    tracker = client.post("/api/documents", json={"template": "budget", "data": budget_data}).json
    assert (tracker["status"], tracker["next_statuses"]) == (None, [])
    assert _move(client, tracker, "sent").status_code == 422
    pdf = b"%PDF-1.7 scan"
    assert (
        client.put(f"/api/documents/{tracker['id']}/signed", data=pdf, content_type="application/pdf").status_code
        == 422
    )


def test_another_tenants_contract_is_not_found(app, client, catalog):
    template = catalog["sow"]
    theirs = services(app).store.add_document("another-tenant", template.generate(template.validate(SOW)))
    assert client.patch(f"/api/documents/{theirs.id}", json={"status": "sent"}).status_code == 404
    pdf = b"%PDF-1.7 scan"
    assert client.put(f"/api/documents/{theirs.id}/signed", data=pdf, content_type="application/pdf").status_code == 404
    assert client.get(f"/api/documents/{theirs.id}/signed").status_code == 404


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content, content_type, format",
    [
        (b"%PDF-1.7 a signed scan", "application/pdf", "pdf"),
        (_docx(), "application/octet-stream", "docx"),
    ],
)
def test_a_signed_copy_is_kept_with_its_sha256_in_place_of_the_one_before(client, content, content_type, format):
    record = _made(client, "nda-mutual")
    first = client.put(
        f"/api/documents/{record['id']}/signed", data=b"%PDF-1.4 an older scan", content_type="application/pdf"
    )
    assert first.status_code == 200
    answer = client.put(f"/api/documents/{record['id']}/signed", data=content, content_type=content_type)
    assert answer.status_code == 200, answer.json
    assert (answer.json["format"], answer.json["sha256"], answer.json["size"]) == (
        format,
        hashlib.sha256(content).hexdigest(),
        len(content),
    )
    assert answer.json["filename"].endswith(f"(signed).{format}")
    download = client.get(answer.json["download_url"])
    assert (download.data, download.headers["X-Content-SHA256"]) == (content, hashlib.sha256(content).hexdigest())
    assert (
        client.get(f"/api/documents/{record['id']}").json["signed_copy"]["sha256"]
        == hashlib.sha256(content).hexdigest()
    )


@pytest.mark.parametrize("content", [b"hello", b"PK\x03\x04 not a zip", b"GIF89a"])
def test_a_signed_copy_that_is_not_a_pdf_or_docx_is_refused(client, content):
    record = _made(client, "nda-mutual")
    answer = client.put(f"/api/documents/{record['id']}/signed", data=content, content_type="application/octet-stream")
    assert answer.status_code == 400
    assert [p["field"] for p in answer.json["errors"]] == ["file"]
    assert client.get(f"/api/documents/{record['id']}/signed").status_code == 404


def test_the_roster_shows_the_signed_nda_in_force_and_until_when(client, add):
    zoe = add(copy.deepcopy(NDA["freelancer"]) | {"email": "zoe.nda@angstrom.example"})
    assert client.get(f"/api/freelancers/{zoe['id']}").json["nda"] == {
        "in_force": False,
        "until": None,
        "document_id": None,
    }
    by_id = _made(client, "nda-mutual", freelancer=None, freelancer_id=zoe["id"], term_years=2)
    _move(client, by_id, "sent")
    assert client.get(f"/api/freelancers/{zoe['id']}").json["nda"]["in_force"] is False  # sent, not signed
    _move(client, by_id, "signed")
    assert client.get(f"/api/freelancers/{zoe['id']}").json["nda"] == {
        "in_force": True,
        "until": "2029-01-03",  # two years from 2027-01-04, its last day
        "document_id": by_id["id"],
    }
    data = copy.deepcopy(NDA)
    data["freelancer"] = data["freelancer"] | {"email": "ZOE.NDA@angstrom.example"}
    del data["term_years"]
    by_email = client.post("/api/documents", json={"template": "nda-mutual", "data": data}).json
    _move(client, by_email, "sent", "signed")
    found = client.get("/api/freelancers?q=zoe.nda").json["items"][0]
    assert found["nda"] == {"in_force": True, "until": None, "document_id": by_email["id"]}  # until terminated wins


def test_an_nda_whose_term_ended_or_that_was_cancelled_is_not_in_force(client, add):
    zoe = add(copy.deepcopy(NDA["freelancer"]) | {"email": "zoe.old@angstrom.example"})
    ended = _made(
        client, "nda-mutual", freelancer=None, freelancer_id=zoe["id"], effective_date="2020-01-01", term_years=1
    )
    _move(client, ended, "sent", "signed")
    cancelled = _made(client, "nda-mutual", freelancer=None, freelancer_id=zoe["id"])
    _move(client, cancelled, "sent", "signed", "cancelled")
    assert client.get(f"/api/freelancers/{zoe['id']}").json["nda"]["in_force"] is False

"""The audit log: every change and every taking of data is recorded, with who did it, to what and when; it is
listed newest first a page at a time, and nothing can change or remove an event."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from freelance.web import create_app
from freelance.web.services import services
from tests.batches.conftest import finished
from tests.company import CUSTOM, publish
from tests.helpers import discard, fresh_postgresql_database
from tests.postgresql import SERVER, needs_postgresql
from tests.roster.files import HEADER, ZOE, csv_bytes, multipart, person

LOCAL = {"actor": "local", "actor_name": "Local user"}
PARIS = timezone(timedelta(hours=2))


def events(client: FlaskClient, query: str = "") -> list[dict[str, Any]]:
    """The tenant's whole log, oldest first (as it happened)."""
    answer = client.get(f"/api/audit?per_page=100{query}")
    assert answer.status_code == 200, answer.json
    return list(reversed(answer.json["items"]))


def happened(client: FlaskClient) -> list[tuple]:
    """Each event as (action, target id, detail), oldest first."""
    return [(e["action"], e["target_id"], e["detail"]) for e in events(client)]


def test_changes_to_the_roster_and_every_document_made_or_taken_are_recorded(client, sow_data):
    freelancer = client.post("/api/freelancers", json=person(1)).json["id"]
    client.patch(f"/api/freelancers/{freelancer}", json={"phone": "+1 206 555 0100", "country": "FR"})
    data = {k: v for k, v in sow_data.items() if k != "freelancer"} | {"freelancer_id": freelancer}
    document = client.post("/api/documents", json={"template": "sow", "data": data}).json["id"]
    client.get(f"/api/documents/{document}/file")
    link = urlsplit(client.post(f"/api/documents/{document}/link").json["url"]).path
    assert FlaskClient(client.application).get(link).status_code == 200  # by the link alone
    again = client.post(f"/api/documents/{document}/regenerate").json["id"]
    client.get("/api/freelancers/export?format=csv")
    body, content_type = multipart(csv_bytes([HEADER, list(person(2).values())]), "roster.csv")
    client.post("/api/freelancers/import", data=body, content_type=content_type)
    assert client.delete(f"/api/freelancers/{freelancer}").status_code == 204

    assert happened(client) == [
        ("freelancer.created", freelancer, {}),
        ("freelancer.changed", freelancer, {"fields": ["country", "phone"]}),
        ("document.generated", document, {"template": "sow", "format": "docx"}),
        ("document.downloaded", document, {"format": "docx"}),
        ("document.link_created", document, {"format": "docx"}),
        ("document.downloaded", document, {"format": "docx"}),
        ("document.generated", again, {"template": "sow", "format": "docx", "source": document}),
        ("roster.exported", None, {"format": "csv"}),
        ("roster.imported", None, {"created": 1, "updated": 0, "unchanged": 0}),
        ("freelancer.deleted", freelancer, {}),
    ]
    log = events(client)
    # Whoever holds a signed link downloads without signing in: the event has no actor.
    assert [{k: e[k] for k in LOCAL} for e in log] == [LOCAL] * 5 + [dict.fromkeys(LOCAL)] + [LOCAL] * 4
    assert {e["target_type"] for e in log} == {"freelancer", "document", "roster"}


def test_publishing_and_retiring_templates_and_running_batches_are_recorded(client, nda_data):
    publish(client, CUSTOM)
    publish(client, CUSTOM, new_version=True)
    client.delete("/api/templates/acme-order")
    ids = [client.post("/api/freelancers", json=person(i)).json["id"] for i in (1, 2)]
    del nda_data["freelancer"]
    started = client.post("/api/batches", json={"template": "nda-mutual", "data": nda_data, "freelancer_ids": ids})
    batch = started.json["id"]
    finished(client, started.headers["Location"])
    client.get(f"/api/batches/{batch}/zip")
    client.delete(f"/api/batches/{batch}")

    assert [event for event in happened(client) if event[0] != "freelancer.created"] == [
        ("template.published", "acme-order", {"number": 1}),
        ("template.published", "acme-order", {"number": 2}),
        ("template.retired", "acme-order", {}),
        ("batch.started", batch, {"template": "nda-mutual", "format": "docx", "total": 2}),
        ("batch.downloaded", batch, {"partial": False}),
        ("batch.cancelled", batch, {"cancelled": 0}),
    ]


def test_refused_requests_and_dry_runs_change_nothing_so_record_nothing(client, sow_data):
    del sow_data["client"]
    assert client.post("/api/documents", json={"template": "sow", "data": sow_data}).status_code == 400
    assert client.get(f"/api/documents/{'0' * 32}/file").status_code == 404
    assert client.delete(f"/api/freelancers/{'0' * 32}").status_code == 404
    body, content_type = multipart(csv_bytes([HEADER, list(person(1).values())]), "roster.csv")
    assert client.post("/api/freelancers/import?dry_run=1", data=body, content_type=content_type).json["dry_run"]
    assert events(client) == []


def test_the_log_keeps_no_document_contents_and_no_personal_data_but_the_actors_name(client, sow_data):
    freelancer = client.post("/api/freelancers", json=ZOE).json["id"]
    client.patch(f"/api/freelancers/{freelancer}", json={"address": "1 Secret Lane\nSeattle, WA 98101"})
    data = {k: v for k, v in sow_data.items() if k != "freelancer"} | {"freelancer_id": freelancer}
    document = client.post("/api/documents", json={"template": "sow", "data": data}).json["id"]
    client.get(f"/api/documents/{document}/file")

    log = json.dumps(events(client))
    assert len(events(client)) == 4
    for detail in (
        ZOE["name"],
        ZOE["email"],
        ZOE["tax_id"],
        "Pike Street",
        "Secret Lane",
        sow_data["project"]["title"],
    ):
        assert detail not in log


def test_the_log_is_listed_newest_first_a_page_at_a_time_and_filtered_by_action_and_time(client):
    before = datetime.now(PARIS) - timedelta(seconds=1)
    created = [client.post("/api/freelancers", json=person(i)).json["id"] for i in (1, 2, 3)]
    client.get("/api/freelancers/export")
    after = datetime.now(PARIS) + timedelta(seconds=1)

    first = client.get("/api/audit?per_page=2").json
    second = client.get("/api/audit?per_page=2&page=2").json
    assert (first["total"], first["page"], first["per_page"]) == (4, 1, 2)
    assert [e["target_id"] for e in first["items"] + second["items"]] == [None, *reversed(created)]
    assert first["items"][0]["at"] >= first["items"][1]["at"]

    def count(**query: str) -> int:
        return client.get("/api/audit", query_string=query).json["total"]

    assert count(action="freelancer.created") == 3
    assert count(action="freelancer.deleted") == 0
    assert count(**{"from": before.isoformat(), "to": after.isoformat()}) == 4
    assert count(**{"from": after.isoformat()}) == 0  # "from": at or after
    assert count(to=before.isoformat()) == 0  # "to": before
    # A time without a zone is UTC.
    assert count(**{"from": before.astimezone(UTC).replace(tzinfo=None).isoformat()}) == 4
    assert count(**{"from": after.astimezone(UTC).replace(tzinfo=None).isoformat()}) == 0


@pytest.mark.parametrize(
    "query, field",
    [
        ("action=document.shredded", "action"),  # not an action the log records
        ("from=yesterday", "from"),  # not a time
        ("per_page=1000", "per_page"),  # pages are at most 100 long
        ("tenant=fabrikam", "tenant"),  # the tenant is the signed-in user's, never chosen
    ],
)
def test_bad_parameters_are_named(client, query, field):
    answer = client.get(f"/api/audit?{query}")
    assert answer.status_code == 400
    assert [problem["field"] for problem in answer.json["errors"]] == [field]


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/api/audit"),  # add an event of one's own
        ("put", "/api/audit"),  # replace the log
        ("delete", "/api/audit"),  # empty it
        ("patch", "/api/audit/1"),  # change an event
        ("delete", "/api/audit/1"),  # remove one
    ],
)
def test_no_request_changes_or_removes_an_event(client, method, path):
    client.post("/api/freelancers", json=person(1))
    assert getattr(client, method)(path, json={}).status_code in (404, 405)
    assert len(events(client)) == 1


@needs_postgresql
def test_on_postgresql_the_database_itself_refuses_to_change_or_remove_an_event(tmp_path):
    with fresh_postgresql_database(SERVER) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY_FILE": str(tmp_path / "secret.key")})
        try:
            assert app.test_client().post("/api/freelancers", json=person(1)).status_code == 201
            engine = services(app).store.engine
            for statement in ("UPDATE audit_events SET actor = 'someone else'", "DELETE FROM audit_events"):
                with (
                    pytest.raises(DBAPIError, match="audit events are never changed or removed"),
                    engine.begin() as connection,
                ):
                    connection.execute(text(statement))
        finally:
            discard(app)

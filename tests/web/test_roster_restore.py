"""Removing a freelancer can be undone for 30 days: the record leaves the roster (search, export, contracts)
but is listed as removed and can be put back; its email can meanwhile be given to a new record."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from freelance.roster.records import FreelancerRecord
from freelance.web.services import services
from tests.helpers import SOW
from tests.roster.files import person


def test_a_removed_freelancer_leaves_the_roster_and_can_be_restored(client, add):
    zoe = add(person(1, name="Zoe Angstrom"))
    assert client.delete(f"/api/freelancers/{zoe['id']}").status_code == 204
    assert client.get("/api/freelancers").json["total"] == 0
    assert client.get("/api/freelancers/export?format=csv").data.decode("utf-8-sig").count("\n") == 1  # the header
    data = {k: v for k, v in copy.deepcopy(SOW).items() if k != "freelancer"} | {"freelancer_id": zoe["id"]}
    refused = client.post("/api/documents", json={"template": "sow", "data": data})
    assert refused.status_code == 400 and refused.json["errors"][0]["field"] == "freelancer_id"

    removed = client.get("/api/freelancers?removed=1").json["items"]
    assert [(r["id"], r["removed_at"] is not None) for r in removed] == [(zoe["id"], True)]
    restored = client.post(f"/api/freelancers/{zoe['id']}/restore")
    assert restored.status_code == 200, restored.json
    assert "removed_at" not in restored.json
    assert client.get("/api/freelancers").json["total"] == 1
    assert client.post("/api/documents", json={"template": "sow", "data": data}).status_code == 201
    actions = [event["action"] for event in client.get("/api/audit").json["items"]]
    assert {"freelancer.deleted", "freelancer.restored"} <= set(actions)


def test_a_removal_older_than_30_days_cannot_be_undone(app, client, add):
    zoe = add(person(1))
    client.delete(f"/api/freelancers/{zoe['id']}")
    with services(app).roster.engine.begin() as connection:
        connection.execute(update(FreelancerRecord.table()).values(removed_at=datetime.now(UTC) - timedelta(days=31)))
    assert client.get("/api/freelancers?removed=1").json["total"] == 0
    answer = client.post(f"/api/freelancers/{zoe['id']}/restore")
    assert answer.status_code == 404
    assert "30 days" in answer.json["error"]


def test_a_removed_freelancer_s_email_can_be_given_again_and_then_restoring_it_clashes(client, add, upload):
    first = add(person(1))
    client.delete(f"/api/freelancers/{first['id']}")
    again = add(person(1, name="Someone New"))  # the same email, on a new record
    assert again["id"] != first["id"]
    answer = client.post(f"/api/freelancers/{first['id']}/restore")
    assert answer.status_code == 409
    assert answer.json["errors"][0]["field"] == "email"


def test_an_import_gives_a_removed_freelancer_s_email_to_a_new_record(client, add, upload):
    from tests.roster.files import csv_bytes

    first = add(person(1))
    client.delete(f"/api/freelancers/{first['id']}")
    outcome = upload(csv_bytes([["Name", "Email"], ["Back Again", person(1)["email"]]]))
    assert outcome.status_code == 200, outcome.json
    assert (outcome.json["created"], outcome.json["updated"]) == (1, 0)
    assert [r["name"] for r in client.get("/api/freelancers").json["items"]] == ["Back Again"]


def test_restoring_one_that_was_not_removed_is_not_found(client, add):
    zoe = add(person(1))
    assert client.post(f"/api/freelancers/{zoe['id']}/restore").status_code == 404
    assert client.post("/api/freelancers/not-an-id/restore").status_code == 404

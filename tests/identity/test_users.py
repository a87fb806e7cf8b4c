"""Users are keyed by tenant id and object id, never by email, and every record says who made it."""

from __future__ import annotations

import io
import threading
import time
from datetime import UTC, datetime

from sqlalchemy import insert, select, text

from freelance.roster.records import FreelancerRecord
from freelance.users import UserRecord
from freelance.web.services import services
from tests.helpers import ON_POSTGRESQL
from tests.identity.microsoft import ALICE, BRUNO, CAROL, CONTOSO, FABRIKAM
from tests.roster.files import csv_bytes, person


def users(app) -> set[tuple]:
    with services(app).store.engine.connect() as connection:
        return {tuple(row) for row in connection.execute(select(UserRecord.tenant, UserRecord.oid, UserRecord.name))}


def authors(app) -> dict[str, tuple[str, str, str]]:
    """Each freelancer's email: (tenant, created_by, updated_by), as stored."""
    with services(app).roster.engine.connect() as connection:
        rows = connection.execute(
            select(
                FreelancerRecord.email,
                FreelancerRecord.tenant,
                FreelancerRecord.created_by,
                FreelancerRecord.updated_by,
            )
        )
        return {email: (tenant, created, updated) for email, tenant, created, updated in rows}


def upload(client, rows):
    return client.post(
        "/api/freelancers/import",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(csv_bytes(rows)), "roster.csv")},
    )


def test_each_user_is_recorded_once_by_tenant_and_object_id(entra_app, alice, carol, bruno):
    for client in (alice, carol, bruno, alice, alice, bruno):
        assert client.get("/api/freelancers").status_code == 200
    assert users(entra_app) == {
        (CONTOSO, ALICE, "Alice Martin"),
        (CONTOSO, CAROL, "Carol Chen"),
        (FABRIKAM, BRUNO, "Bruno Costa"),
    }


def test_two_users_with_the_same_email_in_two_tenants_are_two_users(entra_app, sign_in):
    same = {"preferred_username": "sam@example.com", "email": "sam@example.com", "upn": "sam@example.com"}
    at_contoso = sign_in(CONTOSO, "5a3c0000-0000-4000-8000-00000000000c", name="Sam at Contoso", **same)
    at_fabrikam = sign_in(FABRIKAM, "5a3f0000-0000-4000-8000-00000000000f", name="Sam at Fabrikam", **same)
    assert at_contoso.post("/api/freelancers", json=person(1, name="Contoso's")).status_code == 201
    assert at_fabrikam.post("/api/freelancers", json=person(2, name="Fabrikam's")).status_code == 201
    assert users(entra_app) == {
        (CONTOSO, "5a3c0000-0000-4000-8000-00000000000c", "Sam at Contoso"),
        (FABRIKAM, "5a3f0000-0000-4000-8000-00000000000f", "Sam at Fabrikam"),
    }
    assert [f["name"] for f in at_contoso.get("/api/freelancers").json["items"]] == ["Contoso's"]
    assert [f["name"] for f in at_fabrikam.get("/api/freelancers").json["items"]] == ["Fabrikam's"]


def test_the_same_object_id_in_two_tenants_is_two_users(entra_app, sign_in):
    # A guest keeps no oid across tenants, but nothing may assume oids are unique across tenants either.
    here, there = sign_in(CONTOSO, ALICE, name="Here"), sign_in(FABRIKAM, ALICE, name="There")
    assert here.post("/api/freelancers", json=person(1)).status_code == 201
    assert there.get("/api/freelancers").json["total"] == 0
    assert users(entra_app) == {(CONTOSO, ALICE, "Here"), (FABRIKAM, ALICE, "There")}


def test_a_user_is_recorded_by_the_tokens_object_id_not_its_email_or_subject(entra_app, sign_in):
    client = sign_in(
        CONTOSO, CAROL, preferred_username="alice@contoso.com", email="alice@contoso.com", sub="pairwise-sub"
    )
    assert client.get("/api/freelancers").status_code == 200
    assert {oid for _, oid, _ in users(entra_app)} == {CAROL}


def test_a_document_record_says_which_user_made_it(alice, carol, sow_data):
    by_alice = alice.post("/api/documents", json={"template": "sow", "data": sow_data}).json
    by_carol = carol.post("/api/documents", json={"template": "sow", "data": sow_data}).json
    assert (by_alice["created_by"], by_carol["created_by"]) == (ALICE, CAROL)
    # the colleague reads the same record, still Alice's
    assert carol.get(f"/api/documents/{by_alice['id']}").json["created_by"] == ALICE
    assert {d["created_by"] for d in alice.get("/api/documents").json["items"]} == {ALICE, CAROL}


def test_a_freelancer_record_says_who_created_it_and_who_changed_it_last(entra_app, alice, carol):
    record = alice.post("/api/freelancers", json=person(1)).json
    assert authors(entra_app) == {"freelancer0001@example.org": (CONTOSO, ALICE, ALICE)}
    assert carol.patch(f"/api/freelancers/{record['id']}", json={"phone": "+1 206 555 0100"}).status_code == 200
    assert authors(entra_app) == {"freelancer0001@example.org": (CONTOSO, ALICE, CAROL)}


def test_a_change_that_changes_nothing_keeps_the_last_author(entra_app, alice, carol):
    record = alice.post("/api/freelancers", json=person(1)).json
    assert carol.patch(f"/api/freelancers/{record['id']}", json={"name": record["name"]}).status_code == 200
    assert authors(entra_app)["freelancer0001@example.org"] == (CONTOSO, ALICE, ALICE)


def test_an_import_records_who_created_and_who_updated_each_freelancer(entra_app, alice, carol):
    header = ["name", "email", "address", "country"]
    assert upload(alice, [header, *[list(person(i).values()) for i in (1, 2)]]).json["created"] == 2
    outcome = upload(
        carol, [header, list(person(1, name="Renamed").values()), list(person(2).values()), list(person(3).values())]
    ).json
    assert (outcome["created"], outcome["updated"], outcome["unchanged"]) == (1, 1, 1)
    assert authors(entra_app) == {
        "freelancer0001@example.org": (CONTOSO, ALICE, CAROL),  # changed by Carol
        "freelancer0002@example.org": (CONTOSO, ALICE, ALICE),  # unchanged
        "freelancer0003@example.org": (CONTOSO, CAROL, CAROL),
    }  # new, Carol's


def test_a_refused_request_records_no_user(entra_app, anonymous, microsoft):
    assert (
        anonymous.get(
            "/api/freelancers", headers={"Authorization": f"Bearer {microsoft.token(scp='User.Read')}"}
        ).status_code
        == 403
    )
    assert (
        anonymous.get("/api/freelancers", headers={"Authorization": f"Bearer {microsoft.token(exp=1)}"}).status_code
        == 401
    )
    assert users(entra_app) == set()


def test_a_user_with_the_longest_display_name_entra_id_allows_is_admitted(entra_app, sign_in):
    long_name = "Maximiliane " + "A" * 244  # Entra ID allows 256 characters
    response = sign_in(CONTOSO, ALICE, name=long_name).get("/api/freelancers")
    assert response.status_code == 200, response.json
    assert len(users(entra_app)) == 1


def test_a_user_first_seen_by_two_requests_at_once_is_recorded_once_and_both_are_served(entra_app, alice):
    engine = services(entra_app).store.engine
    answers = []
    # The other request (another worker) recording Alice at this moment: its row is inserted, not yet committed.
    with engine.connect() as other_request:
        transaction = other_request.begin()
        other_request.execute(
            insert(UserRecord).values(tenant=CONTOSO, oid=ALICE, name="Alice Martin", first_seen=datetime.now(UTC))
        )
        this_request = threading.Thread(target=lambda: answers.append(alice.get("/api/templates")))
        this_request.start()
        _until_blocked(other_request, this_request)
        transaction.commit()
        this_request.join(timeout=60)
    assert [a.status_code for a in answers] == [200], answers and answers[0].json
    assert users(entra_app) == {(CONTOSO, ALICE, "Alice Martin")}


def _until_blocked(connection, thread: threading.Thread) -> None:
    """Wait until the request waits on the other transaction (PostgreSQL shows it; SQLite waits in BEGIN IMMEDIATE)."""
    deadline = time.monotonic() + 10
    while ON_POSTGRESQL and time.monotonic() < deadline and thread.is_alive():
        with connection.engine.connect() as observer:
            if observer.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
            ):
                return
        time.sleep(0.02)
    time.sleep(0.3)

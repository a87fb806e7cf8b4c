"""POST/GET/DELETE /api/batches with the embedded runner: a document per freelancer, progress, cancel, zip."""

from __future__ import annotations

import gc
from datetime import datetime

import pytest
from sqlalchemy import text

from freelance.batches.service import MAX_BATCH_ITEMS
from freelance.web import create_app
from freelance.web.services import resume_batches, services
from tests.batches.conftest import finished, zip_entries
from tests.helpers import discard
from tests.roster.files import HEADER, csv_bytes, person


def test_a_batch_over_three_freelancers_makes_three_documents_zipped_as_single_downloads(client, three, batch_body):
    response = client.post("/api/batches", json=batch_body(freelancer_ids=[f["id"] for f in three]))
    assert response.status_code == 202, response.json
    started = response.json
    assert {"id", "status", "total", "done", "failed", "created_at"} <= set(started)
    assert (started["total"], started["template"], started["format"]) == (3, "nda-mutual", "docx")
    assert response.headers["Location"] == f"/api/batches/{started['id']}"

    batch = finished(client, response.headers["Location"])
    assert (batch["status"], batch["done"], batch["failed"], batch["failures"]) == ("done", 3, 0, [])
    documents = client.get("/api/documents").json["items"]
    assert sorted(d["filename"] for d in documents) == [f"NDA Contoso Ltd - Freelancer {i:04d}.docx" for i in (1, 2, 3)]
    zipped = client.get(batch["zip_url"])
    assert (zipped.status_code, zipped.mimetype) == (200, "application/zip")
    entries = zip_entries(zipped.data)
    assert sorted(entries) == sorted(d["filename"] for d in documents)
    for document in documents:
        assert entries[document["filename"]] == client.get(document["download_url"]).data


def test_a_roster_filter_chooses_the_freelancers_as_the_roster_search_does(client, three, batch_body):
    response = client.post("/api/batches", json=batch_body(roster={"country": "FR"}))
    assert response.status_code == 202, response.json
    batch = finished(client, response.headers["Location"])
    assert (batch["total"], batch["done"]) == (2, 2)
    assert sorted(zip_entries(client.get(batch["zip_url"]).data)) == [
        "NDA Contoso Ltd - Freelancer 0001.docx",
        "NDA Contoso Ltd - Freelancer 0003.docx",
    ]


def test_documents_of_the_same_name_are_made_unique_in_the_zip(client, add, batch_body):
    twins = [add(person(i, name="Sam Lee")) for i in (1, 2, 3)]
    response = client.post("/api/batches", json=batch_body(freelancer_ids=[f["id"] for f in twins]))
    batch = finished(client, response.headers["Location"])
    assert sorted(zip_entries(client.get(batch["zip_url"]).data)) == [
        "NDA Contoso Ltd - Sam Lee (2).docx",
        "NDA Contoso Ltd - Sam Lee (3).docx",
        "NDA Contoso Ltd - Sam Lee.docx",
    ]


def test_an_item_whose_freelancer_no_longer_validates_fails_with_its_reason_and_the_others_succeed(
    app, client, three, batch_body
):
    # A record kept before a rule it now breaks: its details cannot fill the contract.
    with services(app).store.engine.begin() as connection:
        connection.execute(text("UPDATE freelancers SET email = 'not an email' WHERE name = 'Freelancer 0002'"))
    response = client.post("/api/batches", json=batch_body(freelancer_ids=[f["id"] for f in three]))
    batch = finished(client, response.headers["Location"])
    assert (batch["status"], batch["done"], batch["failed"]) == ("done", 2, 1)
    [failure] = batch["failures"]
    assert (failure["freelancer_id"], failure["freelancer_name"]) == (three[1]["id"], "Freelancer 0002")
    assert [e["field"] for e in failure["errors"]] == ["freelancer.email"]
    assert "roster" in failure["error"]
    assert len(zip_entries(client.get(batch["zip_url"]).data)) == 2


def _many(upload, count: int) -> None:
    response = upload(
        csv_bytes([HEADER, *([p["name"], p["email"], p["address"], "US"] for p in map(person, range(count)))])
    )
    assert response.status_code == 200, response.json


def test_cancelling_a_batch_stops_the_items_not_started_and_keeps_those_done(client, upload, batch_body):
    _many(upload, 200)
    started = client.post("/api/batches", json=batch_body(roster={"country": "US"})).json
    cancelled = client.delete(f"/api/batches/{started['id']}")
    assert cancelled.status_code == 200, cancelled.json
    assert cancelled.json["cancelled"] > 0
    batch = finished(client, f"/api/batches/{started['id']}")
    assert batch["status"] == "cancelled"
    assert batch["done"] + batch["cancelled"] == 200, batch["failures"]
    assert client.get("/api/documents").json["total"] == batch["done"]
    assert len(zip_entries(client.get(batch["zip_url"]).data)) == batch["done"]


def test_the_zip_of_a_running_batch_is_refused_unless_partial(client, upload, batch_body):
    _many(upload, 200)
    started = client.post("/api/batches", json=batch_body(roster={})).json
    refused = client.get(started["zip_url"])
    assert refused.status_code == 409, refused.json
    assert refused.json["errors"][0]["field"] == "status"
    partial = client.get(f"{started['zip_url']}?partial=1")
    assert partial.status_code == 200
    assert len(zip_entries(partial.data)) <= 200
    client.delete(f"/api/batches/{started['id']}")
    finished(client, f"/api/batches/{started['id']}")


UNKNOWN = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


@pytest.mark.parametrize(
    ("changes", "status", "fields"),
    [
        ({"freelancer_ids": []}, 400, ["freelancer_ids"]),  # an empty selection
        ({}, 400, ["freelancer_ids"]),  # no selection at all
        ({"freelancer_ids": ["ID0"], "roster": {}}, 400, ["freelancer_ids"]),  # two selections
        (
            {"freelancer_ids": ["ID0", UNKNOWN, "nope"]},
            400,
            ["freelancer_ids[1]", "freelancer_ids[2]"],
        ),  # each unknown id
        ({"freelancer_ids": ["ID0", "ID0"]}, 400, ["freelancer_ids[1]"]),  # the same freelancer twice
        ({"freelancer_ids": [UNKNOWN] * (MAX_BATCH_ITEMS + 1)}, 400, ["freelancer_ids"]),  # over the cap
        ({"roster": {"country": "JP"}}, 400, ["roster"]),  # a filter matching nobody
        ({"roster": {"country": "Japan"}}, 400, ["roster.country"]),  # a filter the search refuses too
        ({"freelancer_ids": ["ID0"], "format": "xlsx"}, 400, ["format"]),  # a format the template cannot make
        ({"freelancer_ids": ["ID0"], "template": "budget"}, 400, ["template"]),  # a template without a freelancer
        ({"freelancer_ids": ["ID0"], "template": "lease"}, 404, []),  # an unknown template
    ],
)
def test_a_batch_that_cannot_be_made_is_refused_naming_each_problem_and_nothing_is_kept(
    app, client, three, batch_body, changes, status, fields
):
    body = batch_body(**changes)
    if "freelancer_ids" in body:
        body["freelancer_ids"] = [three[0]["id"] if i == "ID0" else i for i in body["freelancer_ids"]]
    response = client.post("/api/batches", json=body)
    assert response.status_code == status, response.json
    assert [e["field"] for e in response.json["errors"]] == fields
    with services(app).store.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM batches")) == 0


def test_shared_data_naming_a_freelancer_is_refused(client, three, batch_body, nda_data):
    body = batch_body(freelancer_ids=[three[0]["id"]])
    body["data"] = body["data"] | {"freelancer_id": three[1]["id"]}
    response = client.post("/api/batches", json=body)
    assert response.status_code == 400
    assert [e["field"] for e in response.json["errors"]] == ["data.freelancer_id"]


def test_the_unknown_batch_is_not_found(client):
    for path in ("/api/batches/nope", f"/api/batches/{UNKNOWN}", f"/api/batches/{UNKNOWN}/zip"):
        assert client.get(path).status_code == 404
    assert client.delete(f"/api/batches/{UNKNOWN}").status_code == 404


def test_without_the_queue_a_batch_is_refused_with_503_and_nothing_is_kept(database_url, tmp_path, three, batch_body):
    # Nothing listens on port 1: Redis is down.
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY_FILE": str(tmp_path / "key"), "REDIS_URL": "redis://127.0.0.1:1/0"}
    )
    try:
        response = app.test_client().post("/api/batches", json=batch_body(freelancer_ids=[three[0]["id"]]))
        assert response.status_code == 503, response.json
        assert "Redis" in response.json["error"]
        with services(app).store.engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM batches")) == 0
    finally:
        services(app).batches.runner.close()
        services(app).store.engine.dispose()


def test_the_batches_are_listed_newest_first_with_their_progress(client, three, batch_body):
    first = client.post("/api/batches", json=batch_body(freelancer_ids=[three[0]["id"]])).json
    second = client.post("/api/batches", json=batch_body(roster={"country": "FR"})).json
    for started in (first, second):
        finished(client, f"/api/batches/{started['id']}")
    listed = client.get("/api/batches")
    assert listed.status_code == 200, listed.json
    assert (listed.json["total"], listed.json["page"], listed.json["per_page"]) == (2, 1, 20)
    assert [(b["id"], b["total"], b["done"]) for b in listed.json["items"]] == [
        (second["id"], 2, 2),
        (first["id"], 1, 1),
    ]
    assert listed.json["items"][0] == client.get(f"/api/batches/{second['id']}").json
    assert [b["id"] for b in client.get("/api/batches?per_page=1&page=2").json["items"]] == [first["id"]]
    refused = client.get("/api/batches?per_page=1000")
    assert (refused.status_code, refused.json["errors"][0]["field"]) == (400, "per_page")


def test_a_batch_names_its_first_failures_and_counts_them_all(app, client, add, batch_body, monkeypatch):
    monkeypatch.setattr("freelance.batches.service.LISTED_FAILURES", 2)
    chosen = [add(person(i)) for i in range(4)]
    with services(app).store.engine.begin() as connection:
        connection.execute(text("UPDATE freelancers SET email = 'not an email' WHERE name <> 'Freelancer 0002'"))
    batch = finished(
        client,
        client.post("/api/batches", json=batch_body(freelancer_ids=[f["id"] for f in chosen])).headers["Location"],
    )
    assert (batch["done"], batch["failed"]) == (1, 3)
    assert [f["freelancer_name"] for f in batch["failures"]] == ["Freelancer 0000", "Freelancer 0001"]
    assert client.get("/api/batches").json["items"][0]["failures"] == batch["failures"]


def test_the_zip_is_named_for_its_template_and_day(client, three, batch_body):
    batch = finished(
        client, client.post("/api/batches", json=batch_body(freelancer_ids=[three[0]["id"]])).headers["Location"]
    )
    disposition = client.get(batch["zip_url"]).headers["Content-Disposition"]
    stamp = datetime.fromisoformat(batch["created_at"]).strftime("%Y-%m-%d %H%M")
    assert disposition == f'attachment; filename="nda-mutual batch {stamp}.zip"'


def test_a_signed_link_downloads_the_finished_zip_and_nothing_else(app, client, three, batch_body):
    batch = finished(client, client.post("/api/batches", json=batch_body(roster={"country": "FR"})).headers["Location"])
    made = client.post(f"/api/batches/{batch['id']}/link")
    assert made.status_code == 201, made.json
    path = made.json["url"].removeprefix(services(app).settings.PUBLIC_URL.rstrip("/"))
    assert path.startswith("/api/batches/links/")
    downloaded = client.get(path)
    assert downloaded.status_code == 200
    assert downloaded.data == client.get(batch["zip_url"]).data
    token = path.rsplit("/", 1)[1]
    # A batch's token is not a document's, nor the other way round.
    assert client.get(f"/api/documents/links/{token}").status_code == 404
    document = client.get("/api/documents").json["items"][0]
    document_link = client.post(f"/api/documents/{document['id']}/link").json["url"]
    assert client.get(f"/api/batches/links/{document_link.rsplit('/', 1)[1]}").status_code == 404
    assert client.post(f"/api/batches/{UNKNOWN}/link").status_code == 404


class _Dropping:
    """A runner of a server that stopped before running anything."""

    def submit(self, item_ids, run) -> None:
        pass

    def close(self) -> None:
        pass


def test_a_restarted_server_runs_the_items_a_stopped_one_left_unfinished(
    app, client, database_url, tmp_path, three, batch_body
):
    services(app).batches.runner = _Dropping()
    started = client.post("/api/batches", json=batch_body(freelancer_ids=[f["id"] for f in three])).json
    assert client.get(f"/api/batches/{started['id']}").json["pending"] == 3

    restarted = create_app({"DATABASE_URL": database_url, "SECRET_KEY_FILE": str(tmp_path / "restarted.key")})
    try:
        assert resume_batches(restarted) == 3
        batch = finished(restarted.test_client(), f"/api/batches/{started['id']}")
        assert (batch["status"], batch["done"]) == ("done", 3)
        assert resume_batches(restarted) == 0
    finally:
        discard(restarted)


def test_a_zip_download_stopped_half_way_closes_what_it_read_from(client, upload, batch_body):
    _many(upload, 60)
    batch = finished(client, client.post("/api/batches", json=batch_body(roster={})).headers["Location"])
    response = client.get(batch["zip_url"], buffered=False)
    chunks = iter(response.response)
    assert next(chunks).startswith(b"PK")  # the first document sent, then the client goes away
    response.close()
    gc.collect()  # a cursor left open would warn now (warnings fail the tests)
    assert len(zip_entries(client.get(batch["zip_url"]).data)) == 60


def test_a_link_to_the_zip_of_a_batch_still_running_is_refused(app, client, three, batch_body):
    services(app).batches.runner = _Dropping()
    started = client.post("/api/batches", json=batch_body(freelancer_ids=[three[0]["id"]])).json
    refused = client.post(f"/api/batches/{started['id']}/link")
    assert refused.status_code == 409, refused.json
    assert refused.json["errors"][0]["field"] == "status"

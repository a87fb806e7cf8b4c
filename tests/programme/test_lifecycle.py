"""A contract's lifecycle over HTTP: draft -> sent -> signed -> active -> completed (or cancelled / expired),
each change dated and kept in its history; the time it took to engage; the signed copy; and whether a signed
NDA binds a freelancer of the roster."""

from __future__ import annotations

import copy
import hashlib
import io
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from freelance.programme.lifecycle import SignedCopy
from freelance.web.services import services
from tests.programme.conftest import OTHER_TENANT, TENANT, backdate, effective_for
from tests.roster.files import ZOE

PDF = b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"

PATHS = {
    "draft": [],
    "sent": ["sent"],
    "signed": ["sent", "signed"],
    "active": ["sent", "signed", "active"],
    "completed": ["sent", "signed", "active", "completed"],
    "cancelled": ["cancelled"],
    "expired": ["sent", "expired"],
}
"""How a new contract reaches each status."""


def _today() -> date:
    return datetime.now(UTC).date()


def _generate(client: FlaskClient, template: str, data: dict) -> dict:
    answer = client.post("/api/documents", json={"template": template, "data": data})
    assert answer.status_code == 201, answer.json
    return answer.json


def _change(client: FlaskClient, document_id: str, status: str, on: date | str | None = None):
    body: dict[str, Any] = {"status": status} | ({"date": str(on)} if on is not None else {})
    return client.patch(f"/api/documents/{document_id}", json=body)


def _move(client: FlaskClient, document_id: str, *statuses: str) -> dict:
    answer = None
    for status in statuses:
        answer = _change(client, document_id, status)
        assert answer.status_code == 200, answer.json
    return answer.json if answer is not None else client.get(f"/api/documents/{document_id}").json


def _made_on(app, document_id: str, day: date, seconds: int = 0) -> None:
    """Test setup: the record was made (and drafted) on ``day``."""
    with services(app).store.writing() as session:
        backdate(session, document_id, day, seconds)


def _audit(client: FlaskClient, action: str) -> list[dict]:
    answer = client.get(f"/api/audit?per_page=100&action={action}")
    assert answer.status_code == 200, answer.json
    return list(reversed(answer.json["items"]))


# -- moves ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, to",
    [
        ("draft", "sent"),  # sent for signature
        ("draft", "cancelled"),  # dropped before it went out
        ("sent", "signed"),  # signed by both parties
        ("sent", "cancelled"),  # withdrawn
        ("sent", "expired"),  # never signed in time
        ("signed", "active"),  # work started
        ("signed", "cancelled"),  # terminated before work started
        ("signed", "expired"),  # lapsed before work started
        ("active", "completed"),  # the work is done
        ("active", "cancelled"),  # terminated during the work
        ("active", "expired"),  # its term ended
    ],
)
@pytest.mark.parametrize("template", ["sow", "nda-mutual"])
def test_a_contract_moves_along_its_lifecycle(client, sow_data, nda_data, template, start, to):
    record = _generate(client, template, sow_data if template == "sow" else nda_data)
    _move(client, record["id"], *PATHS[start])
    answer = _change(client, record["id"], to)
    assert answer.status_code == 200, answer.json
    assert (answer.json["status"], answer.json["status_on"]) == (to, _today().isoformat())
    assert [event["status"] for event in answer.json["history"]] == ["draft", *PATHS[start], to]
    assert client.get(f"/api/documents/{record['id']}").json["status"] == to


@pytest.mark.parametrize(
    "start, to",
    [
        ("draft", "draft"),  # already a draft
        ("draft", "signed"),  # skips sending
        ("draft", "active"),  # skips sending and signing
        ("draft", "completed"),  # skips everything
        ("draft", "expired"),  # a draft never sent has nothing to expire
        ("sent", "draft"),  # no going back
        ("sent", "sent"),  # already sent
        ("sent", "active"),  # skips signing
        ("sent", "completed"),  # skips signing and the work
        ("signed", "sent"),  # no going back
        ("signed", "completed"),  # skips the work
        ("active", "signed"),  # no going back
        ("active", "draft"),  # no going back
        ("completed", "active"),  # final
        ("completed", "cancelled"),  # final
        ("completed", "expired"),  # final
        ("cancelled", "draft"),  # final
        ("cancelled", "sent"),  # final
        ("expired", "signed"),  # final
        ("expired", "active"),  # final
    ],
)
def test_a_move_the_lifecycle_does_not_allow_is_a_409_naming_status_and_changes_nothing(client, sow_data, start, to):
    record = _generate(client, "sow", sow_data)
    before = _move(client, record["id"], *PATHS[start])
    answer = _change(client, record["id"], to)
    assert answer.status_code == 409, answer.json
    assert [problem["field"] for problem in answer.json["errors"]] == ["status"]
    assert start in answer.json["error"] and to in answer.json["error"]
    after = client.get(f"/api/documents/{record['id']}").json
    assert (after["status"], after["history"]) == (before["status"], before["history"])
    assert len(_audit(client, "document.status_changed")) == len(PATHS[start])


@pytest.mark.parametrize(
    "body",
    [
        {"status": "archived"},  # not a status
        {"status": ""},  # empty
        {"status": None},  # missing its value
        {},  # no status
    ],
)
def test_a_status_that_is_not_one_is_refused_naming_status(client, sow_data, body):
    record = _generate(client, "sow", sow_data)
    answer = client.patch(f"/api/documents/{record['id']}", json=body)
    assert answer.status_code == 400, answer.json
    assert [problem["field"] for problem in answer.json["errors"]] == ["status"]


# -- dates ------------------------------------------------------------------------------------------


def test_a_change_is_dated_today_unless_told_otherwise(app, client, sow_data):
    record = _generate(client, "sow", sow_data)
    _made_on(app, record["id"], _today() - timedelta(days=10))
    sent = _change(client, record["id"], "sent", _today() - timedelta(days=7)).json
    assert (sent["status"], sent["status_on"]) == ("sent", (_today() - timedelta(days=7)).isoformat())
    signed = _change(client, record["id"], "signed").json
    assert signed["status_on"] == _today().isoformat()


@pytest.mark.parametrize(
    "on, why",
    [
        (timedelta(days=1), "tomorrow: in the future"),
        (timedelta(days=400), "next year"),
        (timedelta(days=-6), "the day before the last change"),
        (timedelta(days=-30), "before the contract was made"),
    ],
)
def test_a_date_in_the_future_or_before_the_last_change_is_refused_naming_date(app, client, sow_data, on, why):
    record = _generate(client, "sow", sow_data)
    _made_on(app, record["id"], _today() - timedelta(days=10))
    _change(client, record["id"], "sent", _today() - timedelta(days=5))
    answer = _change(client, record["id"], "signed", _today() + on)
    assert answer.status_code == 400, why
    assert [problem["field"] for problem in answer.json["errors"]] == ["date"]
    assert client.get(f"/api/documents/{record['id']}").json["status"] == "sent"


@pytest.mark.parametrize(
    "on",
    [
        "2026-02-30",  # no such day
        "yesterday",  # not a date
        "12/01/2026",  # not ISO 8601
    ],
)
def test_a_date_that_is_not_a_date_is_refused_naming_date(client, sow_data, on):
    record = _generate(client, "sow", sow_data)
    answer = _change(client, record["id"], "sent", on)
    assert answer.status_code == 400, answer.json
    assert [problem["field"] for problem in answer.json["errors"]] == ["date"]


def test_a_change_on_the_day_of_the_last_one_is_accepted(app, client, sow_data):
    record = _generate(client, "sow", sow_data)
    day = _today() - timedelta(days=3)
    _made_on(app, record["id"], day)
    for status in ("sent", "signed", "active"):
        assert _change(client, record["id"], status, day).status_code == 200


# -- history ----------------------------------------------------------------------------------------


def test_the_history_lists_every_change_oldest_first_with_its_date_and_who_made_it(app, client, sow_data):
    record = _generate(client, "sow", sow_data)
    made = _today() - timedelta(days=20)
    _made_on(app, record["id"], made)
    _change(client, record["id"], "sent", made + timedelta(days=2))
    with services(app).store.writing() as session:  # a colleague signs it off (another user's object id)
        services(app).lifecycle.change(session, TENANT, record["id"], "signed", made + timedelta(days=9), "oid-bruno")
    answer = _change(client, record["id"], "active", made + timedelta(days=12))
    history = answer.json["history"]
    assert [(e["status"], e["on"], e["by"]) for e in history] == [
        ("draft", made.isoformat(), "local"),
        ("sent", (made + timedelta(days=2)).isoformat(), "local"),
        ("signed", (made + timedelta(days=9)).isoformat(), "oid-bruno"),
        ("active", (made + timedelta(days=12)).isoformat(), "local"),
    ]
    recorded = [datetime.fromisoformat(e["at"].replace("Z", "+00:00")) for e in history]
    assert recorded == sorted(recorded)
    assert recorded[1] > datetime.now(UTC) - timedelta(minutes=5)  # when it was recorded, not the date it took effect
    assert client.get(f"/api/documents/{record['id']}").json["history"] == history
    assert answer.json["next_statuses"] == ["completed", "cancelled", "expired"]


def test_a_new_contract_has_its_draft_as_history(client, nda_data):
    record = _generate(client, "nda-one-way", nda_data | {"discloser": "client"})
    assert record["status"] == "draft"
    assert [(e["status"], e["by"]) for e in record["history"]] == [("draft", "local")]
    assert record.get("signed_copy") is None


# -- time to engage ---------------------------------------------------------------------------------


def _days_to_engage(app, document_id: str) -> int | None:
    return services(app).store.document(TENANT, document_id).days_to_engage


def test_days_to_engage_run_from_the_first_draft_of_the_same_sow_number(app, client, sow_data):
    today = _today()
    first = _generate(client, "sow", sow_data)  # the first draft, left behind
    _made_on(app, first["id"], today - timedelta(days=30))
    _change(client, first["id"], "cancelled", today - timedelta(days=25))
    redraft = _generate(client, "sow", sow_data | {"project": sow_data["project"] | {"title": "Brand refresh v2"}})
    _made_on(app, redraft["id"], today - timedelta(days=12))
    other_number = _generate(client, "sow", sow_data | {"sow_number": "SOW-2027-999"})
    _made_on(app, other_number["id"], today - timedelta(days=90))  # another engagement: does not count
    theirs = services(app).generator.generate(OTHER_TENANT, "sow", sow_data).record  # theirs: does not count
    _made_on(app, str(theirs.id), today - timedelta(days=200))
    _change(client, redraft["id"], "sent", today - timedelta(days=10))
    signed = _change(client, redraft["id"], "signed", today - timedelta(days=4))
    assert signed.status_code == 200, signed.json
    assert _days_to_engage(app, redraft["id"]) == 26  # 30 days ago to 4 days ago
    period = (today - timedelta(days=4)).isoformat()
    figures = client.get(f"/api/insights?from={period}&to={period}").json
    assert figures["median_days_to_engage"] == {"value": 26, "ids": [redraft["id"]]}


def test_days_to_engage_of_a_sow_drafted_once_run_from_its_own_draft(app, client, sow_data):
    record = _generate(client, "sow", sow_data)
    _made_on(app, record["id"], _today() - timedelta(days=8))
    _move(client, record["id"], "sent", "signed")
    assert _days_to_engage(app, record["id"]) == 8


# -- what has no lifecycle, and what is another tenant's ---------------------------------------------


def test_a_budget_tracker_has_no_lifecycle(client, budget_data):
    tracker = _generate(client, "budget", budget_data)
    assert (tracker["status"], tracker.get("history"), tracker["next_statuses"]) == (None, None, [])
    for answer in (
        _change(client, tracker["id"], "sent"),
        client.put(f"/api/documents/{tracker['id']}/signed", data=PDF, content_type="application/pdf"),
        client.get(f"/api/documents/{tracker['id']}/signed"),
    ):
        assert answer.status_code == 422, answer.json
        assert [problem["field"] for problem in answer.json["errors"]] == ["document"]
    assert client.get(f"/api/documents/{tracker['id']}").json["status"] is None


def test_another_tenants_contract_is_not_found_to_change_attach_or_download(app, client, sow_data):
    theirs = services(app).generator.generate(OTHER_TENANT, "sow", sow_data).record
    with services(app).store.writing() as session:
        services(app).lifecycle.change(session, OTHER_TENANT, str(theirs.id), "sent", None, "oid-theirs")
    with services(app).store.writing() as session:
        services(app).lifecycle.attach(session, OTHER_TENANT, str(theirs.id), PDF, "oid-theirs")
    for answer in (
        _change(client, str(theirs.id), "signed"),
        client.put(f"/api/documents/{theirs.id}/signed", data=PDF, content_type="application/pdf"),
        client.get(f"/api/documents/{theirs.id}/signed"),
        client.get(f"/api/documents/{theirs.id}"),
    ):
        assert answer.status_code == 404, answer.json
        assert str(theirs.id) in answer.json["error"]
    assert services(app).store.document(OTHER_TENANT, str(theirs.id)).status == "sent"
    assert services(app).lifecycle.signed_copy(OTHER_TENANT, str(theirs.id))[1] == PDF


@pytest.mark.parametrize("document_id", ["1b4e28ba-2fa1-4d2b-883f-0016d3cca427", "not-an-id"])
def test_an_unknown_contract_is_not_found(client, document_id):
    assert _change(client, document_id, "sent").status_code == 404
    assert (
        client.put(f"/api/documents/{document_id}/signed", data=PDF, content_type="application/pdf").status_code == 404
    )
    assert client.get(f"/api/documents/{document_id}/signed").status_code == 404


@pytest.fixture
def short_sqlite_lock_wait(app) -> Iterator[None]:
    """On SQLite, wait a second for a lock instead of the app's 30 (a wait that cannot end fails sooner)."""
    engine = services(app).store.engine

    def shorten(connection, _record, _proxy) -> None:
        connection.execute("PRAGMA busy_timeout = 1000")

    if engine.dialect.name == "sqlite":
        event.listen(engine, "checkout", shorten)
    yield
    if engine.dialect.name == "sqlite":
        event.remove(engine, "checkout", shorten)


@pytest.mark.usefixtures("short_sqlite_lock_wait")
def test_two_contracts_change_status_in_one_transaction(app, client, sow_data):
    first = _generate(client, "sow", sow_data)
    second = _generate(client, "sow", sow_data | {"sow_number": "SOW-2027-002"})
    with services(app).store.writing() as session:
        for record in (first, second):
            services(app).lifecycle.change(session, TENANT, record["id"], "sent", None, "local")
    assert [client.get(f"/api/documents/{r['id']}").json["status"] for r in (first, second)] == ["sent", "sent"]


# -- the signed copy --------------------------------------------------------------------------------


def _docx(client: FlaskClient, sow_data: dict) -> bytes:
    """A real Word document: a contract generated here (as a signed one comes back)."""
    record = _generate(client, "sow", sow_data | {"sow_number": "SOW-SIGNED-1"})
    return client.get(record["download_url"]).data


def _upload(client: FlaskClient, document_id: str, content: bytes, how: str, filename: str = "signed.pdf"):
    url = f"/api/documents/{document_id}/signed"
    if how == "multipart":
        return client.put(url, data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data")
    return client.put(url, data=content, content_type=how)


@pytest.mark.parametrize(
    "kind, how",
    [
        ("pdf", "multipart"),  # the pane's upload
        ("pdf", "application/pdf"),  # a raw body
        ("docx", "multipart"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("pdf", "application/octet-stream"),  # the type left unsaid: known by its bytes
    ],
)
def test_a_signed_pdf_or_docx_is_kept_with_its_sha256_and_downloads_byte_for_byte(client, sow_data, kind, how):
    content = PDF if kind == "pdf" else _docx(client, sow_data)
    record = _generate(client, "sow", sow_data)
    _move(client, record["id"], "sent", "signed")
    answer = _upload(client, record["id"], content, how)
    assert answer.status_code == 200, answer.json
    copy_ = answer.json
    digest = hashlib.sha256(content).hexdigest()
    assert (copy_["format"], copy_["sha256"], copy_["size"], copy_["attached_by"]) == (
        kind,
        digest,
        len(content),
        "local",
    )
    assert copy_["filename"] == f"SOW-2027-001 Zoe Angstrom (signed).{kind}"
    assert copy_["download_url"] == f"/api/documents/{record['id']}/signed"
    download = client.get(copy_["download_url"])
    assert download.status_code == 200
    assert (download.data, download.headers["X-Content-SHA256"]) == (content, digest)
    assert copy_["filename"] in download.headers["Content-Disposition"]
    assert client.get(f"/api/documents/{record['id']}").json["signed_copy"] == copy_


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content, how",
    [
        (b"Signed by both parties", "multipart"),  # plain text
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 32, "multipart"),  # a photo of the signature page
        (_xlsx(), "multipart"),  # a zip, but not a Word document
        (b"PK\x03\x04 not really a zip", "application/octet-stream"),  # a zip's first bytes, then nothing
        (b"%PDF", "application/pdf"),  # too short to be the start of a PDF
        (b"", "application/pdf"),  # nothing
    ],
)
def test_a_signed_copy_that_is_neither_pdf_nor_docx_is_refused_naming_file(client, sow_data, content, how):
    record = _generate(client, "sow", sow_data)
    answer = _upload(client, record["id"], content, how, "signed.bin")
    assert answer.status_code == 400, answer.json
    assert [problem["field"] for problem in answer.json["errors"]] == ["file"]
    assert client.get(f"/api/documents/{record['id']}").json.get("signed_copy") is None
    assert client.get(f"/api/documents/{record['id']}/signed").status_code == 404


def test_a_body_of_another_media_type_is_refused(client, sow_data):
    record = _generate(client, "sow", sow_data)
    answer = client.put(f"/api/documents/{record['id']}/signed", data=PDF, content_type="text/plain")
    assert answer.status_code == 415, answer.json
    assert "file" in answer.json["error"]


def test_attaching_again_replaces_the_signed_copy(app, client, sow_data):
    docx = _docx(client, sow_data)
    record = _generate(client, "sow", sow_data)
    assert _upload(client, record["id"], PDF, "application/pdf").status_code == 200
    replaced = _upload(client, record["id"], docx, "multipart").json
    assert (replaced["format"], replaced["sha256"]) == ("docx", hashlib.sha256(docx).hexdigest())
    assert client.get(f"/api/documents/{record['id']}/signed").data == docx
    with services(app).store.engine.connect() as connection:
        count = connection.scalar(
            select(func.count()).select_from(SignedCopy).where(SignedCopy.document_id == uuid.UUID(record["id"]))
        )
    assert count == 1


def test_a_contract_without_a_signed_copy_has_nothing_to_download(client, sow_data):
    record = _generate(client, "sow", sow_data)
    answer = client.get(f"/api/documents/{record['id']}/signed")
    assert answer.status_code == 404
    assert "no signed copy" in answer.json["error"]


# -- the audit log ----------------------------------------------------------------------------------


def test_status_changes_and_signed_copies_are_audited(app, client, sow_data):
    record = _generate(client, "sow", sow_data)
    _made_on(app, record["id"], _today() - timedelta(days=3))
    _change(client, record["id"], "sent", _today() - timedelta(days=2))
    _change(client, record["id"], "signed")
    _change(client, record["id"], "draft")  # refused: not audited
    _upload(client, record["id"], PDF, "application/pdf")
    client.get(f"/api/documents/{record['id']}/signed")
    changes = _audit(client, "document.status_changed")
    assert [(e["target_id"], e["detail"], e["actor"]) for e in changes] == [
        (record["id"], {"status": "sent", "on": (_today() - timedelta(days=2)).isoformat()}, "local"),
        (record["id"], {"status": "signed", "on": _today().isoformat()}, "local"),
    ]
    attached = _audit(client, "document.signed_copy_attached")
    assert [(e["target_id"], e["detail"]) for e in attached] == [
        (record["id"], {"sha256": hashlib.sha256(PDF).hexdigest()})
    ]
    assert [e["target_id"] for e in _audit(client, "document.signed_copy_downloaded")] == [record["id"]]


# -- an NDA in force, on the roster -----------------------------------------------------------------


def _nda_for(nda_data: dict, *, effective: date, term_years: int | None, **who: Any) -> dict:
    data = copy.deepcopy(nda_data) | {"effective_date": effective.isoformat()} | who
    if term_years is None:
        del data["term_years"]
    else:
        data["term_years"] = term_years
    if "freelancer_id" in who:
        del data["freelancer"]
    return data


def _nda_status(client: FlaskClient, freelancer: dict) -> dict:
    one = client.get(f"/api/freelancers/{freelancer['id']}").json["nda"]
    listed = next(f for f in client.get("/api/freelancers").json["items"] if f["id"] == freelancer["id"])["nda"]
    assert one == listed
    return one


NOT_IN_FORCE = {"in_force": False, "until": None, "document_id": None}


def test_a_freelancer_without_a_signed_nda_has_none_in_force(client, add, nda_data):
    zoe = add(ZOE)
    draft = _generate(
        client, "nda-mutual", _nda_for(nda_data, effective=_today(), term_years=2, freelancer_id=zoe["id"])
    )
    _move(client, draft["id"], "sent")  # sent, not signed
    assert _nda_status(client, zoe) == NOT_IN_FORCE


@pytest.mark.parametrize("status", ["signed", "active"])
def test_a_signed_nda_binds_the_freelancer_until_the_last_day_of_its_term(client, add, nda_data, status):
    zoe = add(ZOE)
    effective = date(_today().year - 1, 3, 15)
    nda = _generate(
        client, "nda-mutual", _nda_for(nda_data, effective=effective, term_years=2, freelancer_id=zoe["id"])
    )
    _move(client, nda["id"], *PATHS[status])
    until = date(effective.year + 2, 3, 14)
    assert _nda_status(client, zoe) == {"in_force": True, "until": until.isoformat(), "document_id": nda["id"]}


def test_an_nda_until_terminated_binds_with_no_last_day(client, add, nda_data):
    zoe = add(ZOE)
    nda = _generate(
        client,
        "nda-one-way",
        _nda_for(nda_data, effective=_today(), term_years=None, freelancer_id=zoe["id"], discloser="client"),
    )
    _move(client, nda["id"], "sent", "signed")
    assert _nda_status(client, zoe) == {"in_force": True, "until": None, "document_id": nda["id"]}


@pytest.mark.parametrize("days_ahead, in_force", [(1, False), (0, True)])
def test_a_signed_nda_binds_from_its_effective_date(client, add, nda_data, days_ahead, in_force):
    zoe = add(ZOE)
    effective = _today() + timedelta(days=days_ahead)
    nda = _generate(
        client, "nda-mutual", _nda_for(nda_data, effective=effective, term_years=2, freelancer_id=zoe["id"])
    )
    _move(client, nda["id"], "sent", "signed")
    status = _nda_status(client, zoe)
    assert (status["in_force"], status["document_id"]) == (in_force, nda["id"])
    assert status.get("starts_on") == (None if in_force else effective.isoformat()), "when it takes effect, if later"


def test_an_nda_in_force_counts_before_one_that_takes_effect_later(client, add, nda_data):
    zoe = add(ZOE)
    soon = _today() + timedelta(days=30)
    later = _generate(client, "nda-mutual", _nda_for(nda_data, effective=soon, term_years=5, freelancer_id=zoe["id"]))
    _move(client, later["id"], "sent", "signed")
    now = _generate(client, "nda-mutual", _nda_for(nda_data, effective=_today(), term_years=1, freelancer_id=zoe["id"]))
    _move(client, now["id"], "sent", "signed")
    status = _nda_status(client, zoe)
    assert (status["in_force"], status["document_id"], status.get("starts_on")) == (True, now["id"], None)


@pytest.mark.parametrize(
    "last_day, in_force",
    [
        (-1, False),  # its term's last day was yesterday
        (0, True),  # today is its last day
        (1, True),  # tomorrow is
    ],
)
def test_an_nda_binds_up_to_the_last_day_of_its_term_and_no_longer(client, add, nda_data, last_day, in_force):
    zoe = add(ZOE)
    until = _today() + timedelta(days=last_day)
    data = _nda_for(nda_data, effective=effective_for(until, 1), term_years=1, freelancer_id=zoe["id"])
    nda = _generate(client, "nda-mutual", data)
    _move(client, nda["id"], "sent", "signed")
    expected = {"in_force": True, "until": until.isoformat(), "document_id": nda["id"]} if in_force else NOT_IN_FORCE
    assert _nda_status(client, zoe) == expected


@pytest.mark.parametrize("last", ["cancelled", "expired"])
def test_a_cancelled_or_expired_nda_no_longer_binds(client, add, nda_data, last):
    zoe = add(ZOE)
    nda = _generate(client, "nda-mutual", _nda_for(nda_data, effective=_today(), term_years=2, freelancer_id=zoe["id"]))
    _move(client, nda["id"], "sent", "signed", last)
    assert _nda_status(client, zoe) == NOT_IN_FORCE


@pytest.mark.parametrize(
    "email",
    [
        "zoe@angstrom.example",  # as the roster has it
        "Zoe@Angstrom.example",  # typed with capitals
    ],
)
def test_an_nda_made_with_typed_details_binds_the_freelancer_of_that_email(client, add, nda_data, email):
    zoe = add(ZOE)
    typed = nda_data["freelancer"] | {"email": email}
    nda = _generate(client, "nda-mutual", _nda_for(nda_data, effective=_today(), term_years=3, freelancer=typed))
    _move(client, nda["id"], "sent", "signed")
    assert _nda_status(client, zoe)["document_id"] == nda["id"]
    assert _nda_status(client, add(ZOE | {"email": "someone.else@angstrom.example"})) == NOT_IN_FORCE


def test_the_nda_that_binds_longest_is_the_one_shown(client, add, nda_data):
    zoe = add(ZOE)
    shorter = _generate(
        client, "nda-mutual", _nda_for(nda_data, effective=_today(), term_years=1, freelancer_id=zoe["id"])
    )
    longer = _generate(
        client, "nda-mutual", _nda_for(nda_data, effective=_today(), term_years=5, freelancer_id=zoe["id"])
    )
    for nda in (shorter, longer):
        _move(client, nda["id"], "sent", "signed")
    assert _nda_status(client, zoe)["document_id"] == longer["id"]


def test_another_tenants_nda_never_binds_our_freelancer(app, client, add, nda_data):
    zoe = add(ZOE)
    theirs = services(app).generator.generate(OTHER_TENANT, "nda-mutual", nda_data).record
    for status in ("sent", "signed"):
        with services(app).store.writing() as session:
            services(app).lifecycle.change(session, OTHER_TENANT, str(theirs.id), status, None, "oid-theirs")
    assert _nda_status(client, zoe) == NOT_IN_FORCE

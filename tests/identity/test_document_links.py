"""POST /api/documents/<id>/link: a five-minute URL that downloads the document without a token, for the
pane in Office on Mac and iPad (WKWebView ignores <a download>; a system anonymous has no bearer token)."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient

from freelance.links import sign, verify
from freelance.web.services import services
from tests.identity.microsoft import ALICE, CONTOSO, FABRIKAM, FakeMicrosoft

UNKNOWN = "0d1f6c2e-5b7a-4c3d-9e8f-a1b2c3d4e5f6"
EXPIRED = {"error": "This download link has expired: download the document again from the pane.", "errors": []}
UNKNOWN_LINK = {"error": "There is no such download link.", "errors": []}
FILE_HEADERS = ("Content-Type", "Content-Disposition", "Content-Length", "ETag", "X-Content-SHA256", "Cache-Control")


def _document(client: FlaskClient, sow_data: dict) -> dict:
    response = client.post("/api/documents", json={"template": "sow", "data": sow_data})
    assert response.status_code == 201, response.json
    return response.json


def _link(client: FlaskClient, document_id: str) -> dict:
    response = client.post(f"/api/documents/{document_id}/link")
    assert response.status_code == 201, response.json
    return response.json


def _path(url: str) -> str:
    return urlsplit(url).path


def test_a_link_downloads_the_document_in_a_browser_without_a_token(alice, anonymous, sow_data):
    document = _document(alice, sow_data)
    before = datetime.now(UTC).replace(microsecond=0)
    link = _link(alice, document["id"])
    assert set(link) == {"url", "expires_at"}
    assert link["url"].startswith("https://freelance.contoso.com/api/documents/links/")
    expires_at = datetime.fromisoformat(link["expires_at"])
    assert link["expires_at"].endswith("Z") and before + timedelta(minutes=5) <= expires_at
    assert expires_at <= datetime.now(UTC) + timedelta(minutes=5)

    response = anonymous.get(_path(link["url"]))
    assert response.status_code == 200
    downloaded = alice.get(f"/api/documents/{document['id']}/file")
    assert response.data == downloaded.data and len(response.data) == document["size"]
    assert {h: response.headers.get(h) for h in FILE_HEADERS} == {h: downloaded.headers.get(h) for h in FILE_HEADERS}
    assert response.headers["X-Content-SHA256"] == document["sha256"]
    assert response.headers["Content-Disposition"] == 'attachment; filename="SOW-2027-001 Zoe Angstrom.docx"'


def test_a_link_can_be_opened_more_than_once_while_it_lives(alice, anonymous, sow_data):
    path = _path(_link(alice, _document(alice, sow_data)["id"])["url"])
    assert anonymous.get(path).status_code == anonymous.get(path).status_code == 200


def test_a_link_works_in_local_mode_too(client, sow_data):
    document = _document(client, sow_data)
    link = _link(client, document["id"])
    assert link["url"].startswith("https://localhost:3000/api/documents/links/")
    response = client.get(_path(link["url"]))
    assert response.status_code == 200
    assert response.headers["X-Content-SHA256"] == document["sha256"]


def test_only_a_signed_in_user_can_make_a_link(alice, anonymous, sow_data):
    document = _document(alice, sow_data)
    response = anonymous.post(f"/api/documents/{document['id']}/link")
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


def test_another_tenant_cannot_make_a_link_to_a_document(alice, bruno, sow_data):
    document = _document(alice, sow_data)
    response = bruno.post(f"/api/documents/{document['id']}/link")
    assert response.status_code == 404
    never = bruno.post(f"/api/documents/{UNKNOWN}/link")  # indistinguishable from an id that never existed
    assert never.status_code == 404
    assert response.json["error"].replace(document["id"], "<id>") == never.json["error"].replace(UNKNOWN, "<id>")


def test_an_expired_link_is_410_saying_what_to_do(entra_app, alice, anonymous, sow_data):
    document = _document(alice, sow_data)
    links = services(entra_app).links
    token, _ = links.sign(CONTOSO, document["id"], now=datetime.now(UTC) - timedelta(minutes=5, seconds=1))
    response = anonymous.get(f"/api/documents/links/{token}")
    assert response.status_code == 410
    assert response.json == EXPIRED
    assert "X-Content-SHA256" not in response.headers


def test_a_link_still_alive_a_moment_before_it_expires_downloads(entra_app, alice, anonymous, sow_data):
    document = _document(alice, sow_data)
    token, _ = services(entra_app).links.sign(CONTOSO, document["id"], now=datetime.now(UTC) - timedelta(minutes=4))
    assert anonymous.get(f"/api/documents/links/{token}").status_code == 200


def test_a_tampered_or_unknown_link_is_404_revealing_nothing(alice, anonymous, sow_data, tmp_path):
    document = _document(alice, sow_data)
    path = _path(_link(alice, document["id"])["url"])
    prefix, token = path.rsplit("/", 1)
    payload, timestamp, signature = token.rsplit(".", 2)
    bruno_token, _ = sign((tmp_path / "secret.key").read_text(), FABRIKAM, document["id"])
    forged, _ = sign("a secret of the attacker's", CONTOSO, document["id"])
    for tampered in (
        f"{bruno_token.rsplit('.', 2)[0]}.{timestamp}.{signature}",  # another payload under its signature
        f"{payload}.{timestamp}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}",  # a changed signature
        token[:-4],  # cut short
        forged,  # signed with another key
        "hello",
    ):
        response = anonymous.get(f"{prefix}/{tampered}")
        assert response.status_code == 404, tampered
        assert response.json == UNKNOWN_LINK
    # a good signature for another tenant's id: that tenant has no such document
    response = anonymous.get(f"{prefix}/{bruno_token}")
    assert response.status_code == 404 and "X-Content-SHA256" not in response.headers


def test_a_link_does_not_open_other_routes_without_a_token(alice, anonymous, sow_data):
    document = _document(alice, sow_data)
    link = _path(_link(alice, document["id"])["url"])
    assert anonymous.post(link).status_code in (401, 405)  # no other method goes without a token
    assert anonymous.get(f"/api/documents/{document['id']}/file").status_code == 401
    assert anonymous.get(f"{link}/../../{document['id']}/file").status_code in (401, 404)


def _alice_of(app: Flask, microsoft: FakeMicrosoft) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {microsoft.token(CONTOSO, ALICE)}"
    return client


def test_the_key_file_is_made_once_with_mode_0600_and_shared_by_workers_and_restarts(
    make_entra_app, microsoft, sow_data, tmp_path
):
    key_file = tmp_path / "secret.key"
    first = make_entra_app()
    assert not key_file.exists()  # made when the first link is signed, not at start
    alice = _alice_of(first, microsoft)
    path = _path(_link(alice, _document(alice, sow_data)["id"])["url"])
    key = key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    second = make_entra_app()  # another worker process, or the server after a restart
    assert second.test_client().get(path).status_code == 200
    assert _link(_alice_of(second, microsoft), _document(alice, sow_data)["id"])
    assert key_file.read_text() == key


def test_the_secret_key_setting_wins_over_the_key_file(make_entra_app, microsoft, sow_data, tmp_path):
    app = make_entra_app(SECRET_KEY="the-secret-key-of-the-setting")
    alice = _alice_of(app, microsoft)
    document = _document(alice, sow_data)
    token = _path(_link(alice, document["id"])["url"]).rsplit("/", 1)[1]
    assert not (tmp_path / "secret.key").exists()
    assert verify("the-secret-key-of-the-setting", token).document_id == document["id"]
    from_file = make_entra_app()  # no SECRET_KEY: its own key cannot read the setting's links
    assert from_file.test_client().get(f"/api/documents/links/{token}").status_code == 404
    assert "the-secret-key-of-the-setting" not in repr(services(app).settings)


def test_only_the_link_route_goes_without_a_token(anonymous):
    # Paths under /links/ that are other routes (a document id of "links") still need a token.
    for path in ("/api/documents/links/link", "/api/documents/links/onedrive"):
        response = anonymous.post(path)
        assert response.status_code == 401, (path, response.json)

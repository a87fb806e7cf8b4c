"""POST /api/documents/<id>/link: a five-minute URL that downloads the document without a token, for the
pane in Office on Mac and iPad (WKWebView ignores <a download>; a system browser has no bearer token)."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from freelance.database import Base
from freelance.links import sign, verify
from freelance.web import create_app
from freelance.web.services import services
from tests.identity.microsoft import ALICE, BRUNO, CONTOSO, ENTRA_CONFIG, FABRIKAM, FakeMicrosoft

UNKNOWN = "0d1f6c2e-5b7a-4c3d-9e8f-a1b2c3d4e5f6"
EXPIRED = {"error": "This download link has expired: download the document again from the pane.", "errors": []}
UNKNOWN_LINK = {"error": "There is no such download link.", "errors": []}
FILE_HEADERS = ("Content-Type", "Content-Disposition", "Content-Length", "ETag", "X-Content-SHA256", "Cache-Control")


@pytest.fixture
def microsoft() -> Iterator[FakeMicrosoft]:
    fake = FakeMicrosoft()
    yield fake
    assert fake.complaints == []


@pytest.fixture
def make_app(database_url, microsoft, tmp_path) -> Iterator[Callable[..., Flask]]:
    """``make_app(entra=True, **settings)`` returns an app (another worker or a restart when called again)
    with its key file in tmp_path; in Entra ID mode it talks to the fake Microsoft. Tables are emptied after."""
    made: list[tuple[Flask, httpx.Client]] = []

    def make(entra: bool = True, **settings: str) -> Flask:
        http = httpx.Client(transport=httpx.MockTransport(microsoft))
        config = {"DATABASE_URL": database_url, "SECRET_KEY_FILE": str(tmp_path / "secret.key")}
        app = create_app(config | (ENTRA_CONFIG if entra else {}) | settings, http=http)
        made.append((app, http))
        return app

    yield make
    for app, http in made:
        engine = services(app).store.engine
        with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
        engine.dispose()
        http.close()


@pytest.fixture
def entra_app(make_app) -> Flask:
    return make_app()


def _signed_in(app: Flask, microsoft: FakeMicrosoft, tenant: str, oid: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {microsoft.token(tenant, oid)}"
    return client


@pytest.fixture
def alice(entra_app, microsoft) -> FlaskClient:
    """Alice, of Contoso, signed in."""
    return _signed_in(entra_app, microsoft, CONTOSO, ALICE)


@pytest.fixture
def bruno(entra_app, microsoft) -> FlaskClient:
    """Bruno, of Fabrikam (another tenant), signed in."""
    return _signed_in(entra_app, microsoft, FABRIKAM, BRUNO)


@pytest.fixture
def browser(entra_app) -> FlaskClient:
    """A system browser: no Authorization header, no cookies."""
    return entra_app.test_client()


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


def test_a_link_downloads_the_document_in_a_browser_without_a_token(alice, browser, sow_data):
    document = _document(alice, sow_data)
    before = datetime.now(UTC).replace(microsecond=0)
    link = _link(alice, document["id"])
    assert set(link) == {"url", "expires_at"}
    assert link["url"].startswith("https://freelance.contoso.com/api/documents/links/")
    expires_at = datetime.fromisoformat(link["expires_at"])
    assert link["expires_at"].endswith("Z") and before + timedelta(minutes=5) <= expires_at
    assert expires_at <= datetime.now(UTC) + timedelta(minutes=5)

    response = browser.get(_path(link["url"]))
    assert response.status_code == 200
    downloaded = alice.get(f"/api/documents/{document['id']}/file")
    assert response.data == downloaded.data and len(response.data) == document["size"]
    assert {h: response.headers.get(h) for h in FILE_HEADERS} == {h: downloaded.headers.get(h) for h in FILE_HEADERS}
    assert response.headers["X-Content-SHA256"] == document["sha256"]
    assert response.headers["Content-Disposition"] == 'attachment; filename="SOW-2027-001 Zoe Angstrom.docx"'


def test_a_link_can_be_opened_more_than_once_while_it_lives(alice, browser, sow_data):
    path = _path(_link(alice, _document(alice, sow_data)["id"])["url"])
    assert browser.get(path).status_code == browser.get(path).status_code == 200


def test_a_link_works_in_local_mode_too(client, sow_data):
    document = _document(client, sow_data)
    link = _link(client, document["id"])
    assert link["url"].startswith("https://localhost:3000/api/documents/links/")
    response = client.get(_path(link["url"]))
    assert response.status_code == 200
    assert response.headers["X-Content-SHA256"] == document["sha256"]


def test_only_a_signed_in_user_can_make_a_link(alice, browser, sow_data):
    document = _document(alice, sow_data)
    response = browser.post(f"/api/documents/{document['id']}/link")
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


def test_another_tenant_cannot_make_a_link_to_a_document(alice, bruno, sow_data):
    document = _document(alice, sow_data)
    response = bruno.post(f"/api/documents/{document['id']}/link")
    assert response.status_code == 404
    never = bruno.post(f"/api/documents/{UNKNOWN}/link")  # indistinguishable from an id that never existed
    assert never.status_code == 404
    assert response.json["error"].replace(document["id"], "<id>") == never.json["error"].replace(UNKNOWN, "<id>")


def test_an_expired_link_is_410_saying_what_to_do(entra_app, alice, browser, sow_data):
    document = _document(alice, sow_data)
    links = services(entra_app).links
    token, _ = links.sign(CONTOSO, document["id"], now=datetime.now(UTC) - timedelta(minutes=5, seconds=1))
    response = browser.get(f"/api/documents/links/{token}")
    assert response.status_code == 410
    assert response.json == EXPIRED
    assert "X-Content-SHA256" not in response.headers


def test_a_link_still_alive_a_moment_before_it_expires_downloads(entra_app, alice, browser, sow_data):
    document = _document(alice, sow_data)
    token, _ = services(entra_app).links.sign(CONTOSO, document["id"], now=datetime.now(UTC) - timedelta(minutes=4))
    assert browser.get(f"/api/documents/links/{token}").status_code == 200


def test_a_tampered_or_unknown_link_is_404_revealing_nothing(alice, browser, sow_data, tmp_path):
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
        response = browser.get(f"{prefix}/{tampered}")
        assert response.status_code == 404, tampered
        assert response.json == UNKNOWN_LINK
    # a good signature for another tenant's id: that tenant has no such document
    response = browser.get(f"{prefix}/{bruno_token}")
    assert response.status_code == 404 and "X-Content-SHA256" not in response.headers


def test_a_link_does_not_open_other_routes_without_a_token(alice, browser, sow_data):
    document = _document(alice, sow_data)
    link = _path(_link(alice, document["id"])["url"])
    assert browser.post(link).status_code == 405
    assert browser.get(f"/api/documents/{document['id']}/file").status_code == 401
    assert browser.get(f"{link}/../../{document['id']}/file").status_code in (401, 404)


def test_the_key_file_is_made_once_with_mode_0600_and_shared_by_workers_and_restarts(
    make_app, microsoft, sow_data, tmp_path
):
    key_file = tmp_path / "secret.key"
    first = make_app()
    assert not key_file.exists()  # made when the first link is signed, not at start
    alice = _signed_in(first, microsoft, CONTOSO, ALICE)
    path = _path(_link(alice, _document(alice, sow_data)["id"])["url"])
    key = key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    second = make_app()  # another worker process, or the server after a restart
    assert second.test_client().get(path).status_code == 200
    assert _link(_signed_in(second, microsoft, CONTOSO, ALICE), _document(alice, sow_data)["id"])
    assert key_file.read_text() == key


def test_the_secret_key_setting_wins_over_the_key_file(make_app, microsoft, sow_data, tmp_path):
    app = make_app(SECRET_KEY="the-secret-key-of-the-setting")
    alice = _signed_in(app, microsoft, CONTOSO, ALICE)
    document = _document(alice, sow_data)
    token = _path(_link(alice, document["id"])["url"]).rsplit("/", 1)[1]
    assert not (tmp_path / "secret.key").exists()
    assert verify("the-secret-key-of-the-setting", token).document_id == document["id"]
    from_file = make_app()  # no SECRET_KEY: its own key cannot read the setting's links
    assert from_file.test_client().get(f"/api/documents/links/{token}").status_code == 404
    assert "the-secret-key-of-the-setting" not in repr(services(app).settings)

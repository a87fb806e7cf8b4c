"""Strict-Transport-Security: browsers keep to HTTPS once the server has answered over it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from freelance.web import create_app
from tests.helpers import discard
from tests.identity.microsoft import ENTRA_CONFIG

HSTS = "Strict-Transport-Security"
A_YEAR = "max-age=31536000"


@pytest.fixture
def make_app(database_url, tmp_path) -> Iterator[Callable[..., Flask]]:
    """``make_app(**settings)``: the app with these settings (its tables emptied afterwards)."""
    made: list[Flask] = []

    def make(**settings: str) -> Flask:
        made.append(create_app({"DATABASE_URL": database_url, "SECRET_KEY_FILE": str(tmp_path / "key"), **settings}))
        return made[-1]

    yield make
    for app in made:
        discard(app)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:3000",  # over HTTPS (browsers ignore it for IP addresses: harmless)
        "https://freelance.test:3000",  # a name PUBLIC_URL may give the server
    ],
)
def test_every_response_over_https_tells_the_browser_to_keep_to_https(make_app, url):
    client = make_app(PUBLIC_URL=url).test_client()
    for path in ("/api/templates", "/taskpane.html", "/api/nothing-here"):
        assert client.get(path, base_url=url).headers.get(HSTS) == A_YEAR, path


def test_a_response_over_plain_http_in_local_mode_has_no_hsts(client):
    assert HSTS not in client.get("/api/templates").headers


def test_localhost_gets_no_hsts_which_would_lock_every_other_local_server_out_of_plain_http(client):
    assert HSTS not in client.get("/api/templates", base_url="https://localhost:3000").headers


def test_with_sign_in_behind_a_proxy_that_ends_tls_the_response_has_hsts(make_app):
    # The proxy speaks plain HTTP to the server; browsers reach it at PUBLIC_URL, which is https.
    response = make_app(**ENTRA_CONFIG).test_client().get("/api/config", base_url="http://freelance.contoso.com")
    assert response.headers.get(HSTS) == A_YEAR

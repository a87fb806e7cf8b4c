"""A fake Microsoft for the sign-in tests, faked only at the HTTP boundary (an httpx MockTransport).

It plays Entra ID (each tenant's signing keys, its OpenID configuration and an on-behalf-of token
endpoint that checks what it is sent) and Microsoft Graph (an upload into OneDrive), records every
request it answers, and can be switched to answer the way Microsoft does when things go wrong.
The app under test is the real one, in Entra ID mode, on the real test database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from freelance.web import create_app
from tests.helpers import discard
from tests.identity.microsoft import (
    ALICE,
    BRUNO,
    CAROL,
    CONTOSO,
    ENTRA_CONFIG,
    FABRIKAM,
    FakeMicrosoft,
)


@pytest.fixture
def microsoft() -> Iterator[FakeMicrosoft]:
    """The fake Microsoft; a test fails if the app sent it anything it had to refuse."""
    fake = FakeMicrosoft()
    yield fake
    assert fake.complaints == []


@pytest.fixture
def make_entra_app(database_url, microsoft, tmp_path) -> Iterator[Callable[..., Flask]]:
    """``make_entra_app(**settings)`` returns the app in Entra ID mode (Contoso and Fabrikam admitted, unless
    ``settings`` say otherwise), talking to the fake Microsoft, its link key kept in tmp_path (each app made
    is another worker, or the server after a restart); its tables are emptied afterwards."""
    made: list[tuple[Flask, httpx.Client]] = []
    key_file = {"SECRET_KEY_FILE": str(tmp_path / "secret.key")}

    def make(**settings: str) -> Flask:
        http = httpx.Client(transport=httpx.MockTransport(microsoft))
        made.append(
            (create_app({"DATABASE_URL": database_url, **ENTRA_CONFIG, **key_file, **settings}, http=http), http)
        )
        return made[-1][0]

    yield make
    for app, http in made:
        discard(app)
        http.close()


@pytest.fixture
def entra_app(make_entra_app) -> Flask:
    """The app in Entra ID mode: Contoso and Fabrikam admitted, the fake Microsoft behind it."""
    return make_entra_app()


@pytest.fixture
def anonymous(entra_app) -> FlaskClient:
    """A client of the Entra ID app that sends no token."""
    return entra_app.test_client()


@pytest.fixture
def sign_in(entra_app, microsoft) -> Callable[..., FlaskClient]:
    """``sign_in(tenant, oid, **claims)`` returns a client that sends a fresh token of that user on every request."""

    def client(tenant: str = CONTOSO, oid: str = ALICE, **changes) -> FlaskClient:
        signed_in = entra_app.test_client()
        signed_in.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {microsoft.token(tenant, oid, **changes)}"
        return signed_in

    return client


@pytest.fixture
def alice(sign_in) -> FlaskClient:
    """Alice, of Contoso."""
    return sign_in(CONTOSO, ALICE, name="Alice Martin")


@pytest.fixture
def carol(sign_in) -> FlaskClient:
    """Carol, Alice's colleague at Contoso."""
    return sign_in(CONTOSO, CAROL, name="Carol Chen")


@pytest.fixture
def bruno(sign_in) -> FlaskClient:
    """Bruno, of Fabrikam: another tenant."""
    return sign_in(FABRIKAM, BRUNO, name="Bruno Costa")

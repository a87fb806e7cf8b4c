"""Shared fixtures: the app on a real database (SQLite, or PostgreSQL when TEST_DATABASE_URL says so),
its test client, the shipped template catalog, valid data for each template, and the roster through
the API (an upload helper, and a snapshot to prove that a refused request changed nothing)."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from dataclasses import fields
from typing import Any

import pytest

from freelance.catalog import Catalog
from freelance.roster.service import Roster
from freelance.web import create_app
from freelance.web.config import Settings
from freelance.web.services import services
from tests.budget.workbooks import BUDGET
from tests.helpers import NDA, SOW, TEMPLATES, TEST_DATABASE_URL, discard, fresh_postgresql_database
from tests.roster.files import TENANT, multipart

# The server's settings a user exported (DATABASE_URL, REDIS_URL, ENTRA_..., SECRET_KEY) never reach the
# apps and processes the tests start: each test gives its own.
for _setting in fields(Settings):
    os.environ.pop(_setting.name, None)


@pytest.fixture
def sow_data() -> dict:
    """Valid SOW data (a fresh copy: change it freely)."""
    return copy.deepcopy(SOW)


@pytest.fixture
def nda_data() -> dict:
    """Valid mutual NDA data; add ``discloser`` for the one-way NDA."""
    return copy.deepcopy(NDA)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog(TEMPLATES)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """A database of this test session's own: a fresh SQLite file, or, when TEST_DATABASE_URL names a
    PostgreSQL server, a new database on it, dropped at the end (each xdist worker makes its own,
    so runs and workers never share one, and the server's own databases are never touched)."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    with fresh_postgresql_database(TEST_DATABASE_URL) as url:
        yield url


@pytest.fixture
def app(database_url, tmp_path):
    # The key file for signed links goes to tmp_path, never into the project's instance/ directory.
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY_FILE": str(tmp_path / "secret.key")})
    yield app
    discard(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def budget_data() -> dict:
    """Valid budget tracker data (a fresh copy: change it freely)."""
    return copy.deepcopy(BUDGET)


@pytest.fixture
def roster(app) -> Roster:
    """The app's roster store (the same object the routes use)."""
    return services(app).roster


@pytest.fixture
def upload(client) -> Callable[..., Any]:
    """``upload(content, filename, query="")`` posts a file to the import as a multipart upload."""

    def post(content: bytes, filename: str = "roster.csv", query: str = ""):
        body, content_type = multipart(content, filename)
        return client.post(f"/api/freelancers/import{query}", data=body, content_type=content_type)

    return post


@pytest.fixture
def add(client) -> Callable[[dict], dict]:
    """``add(details)`` creates a freelancer through the API and returns its record (asserting 201)."""

    def post(details: dict) -> dict:
        response = client.post("/api/freelancers", json=details)
        assert response.status_code == 201, response.json
        return response.json

    return post


@pytest.fixture
def roster_state(roster) -> Callable[[], list[tuple]]:
    """``roster_state()`` returns every record of the tenant, all fields and timestamps, to compare before and after."""

    def state() -> list[tuple]:
        return sorted(
            (str(r.id), r.details().model_dump(mode="json"), r.created_at, r.updated_at) for r in roster.each(TENANT)
        )

    return state

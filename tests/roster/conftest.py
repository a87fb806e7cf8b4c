"""Fixtures of the roster's tests: the store itself, an upload helper, and a snapshot of the roster
to prove that a refused request changed nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from freelance.roster.service import Roster
from freelance.web.services import services
from tests.roster.files import multipart

TENANT = "local"
"""The tenant every request acts for until sign-in is configured."""


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

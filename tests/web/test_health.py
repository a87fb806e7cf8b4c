"""Health checks: /healthz says the process answers; /readyz whether it can serve, check by check, telling nothing
else (no versions, addresses or error text)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from freelance.database import upgrade
from freelance.web import create_app
from freelance.web.services import services
from tests.network import free_port

PDF_UNAVAILABLE = "unavailable: PDF needs LibreOffice on the server"


@pytest.fixture
def make_app(tmp_path) -> Iterator[Callable[..., Flask]]:
    """``make_app(**settings)``: the app on a SQLite file of its own, with ``settings``."""
    made: list[Flask] = []

    def make(**settings: str) -> Flask:
        database = f"sqlite:///{tmp_path / f'app-{len(made)}.db'}"
        made.append(create_app({"DATABASE_URL": database, "SECRET_KEY_FILE": str(tmp_path / "secret.key")} | settings))
        return made[-1]

    yield make
    for app in made:
        services(app).batches.runner.close()
        services(app).store.engine.dispose()


def test_healthz_answers_that_the_process_is_alive(client):
    answer = client.get("/healthz")
    assert (answer.status_code, answer.json) == (200, {"status": "ok"})


def test_readyz_is_ok_on_a_migrated_database_and_says_only_how_each_check_went(app, client):
    answer = client.get("/readyz")
    pdf = PDF_UNAVAILABLE if services(app).pdf.missing else "ok"
    assert answer.status_code == 200
    assert answer.json == {
        "status": "ok" if pdf == "ok" else "degraded",
        "checks": {"database": "ok", "pdf": pdf},
    }


def test_without_libreoffice_the_server_is_ready_but_degraded_since_all_but_pdf_works(make_app):
    answer = make_app(PDF_SOFFICE="/nonexistent/soffice").test_client().get("/readyz")
    assert answer.status_code == 200
    assert answer.json == {"status": "degraded", "checks": {"database": "ok", "pdf": PDF_UNAVAILABLE}}


def test_a_database_behind_its_migrations_is_not_ready_until_they_run(make_app):
    app = make_app(MIGRATE_ON_START="false")
    client = app.test_client()

    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json["status"] == "unavailable"
    assert answer.json["checks"]["database"] == "behind: run migrations"
    assert answer.json["errors"] == [{"field": "database", "message": "behind: run migrations"}]

    upgrade(services(app).store.engine)
    assert client.get("/readyz").status_code == 200


@pytest.mark.parametrize(
    "check, settings",
    [
        # a PostgreSQL server that is not there (nothing listens on the port)
        ("database", {"DATABASE_URL": "postgresql+psycopg://freelance:secret@127.0.0.1:{port}/freelance"}),
        # batches on a Redis that is not there
        ("redis", {"REDIS_URL": "redis://:secret@127.0.0.1:{port}/0"}),
    ],
)
def test_a_service_that_cannot_be_reached_makes_the_server_not_ready(make_app, check, settings):
    port = free_port()
    app = make_app(MIGRATE_ON_START="false", **{name: value.format(port=port) for name, value in settings.items()})
    if check != "database":
        upgrade(services(app).store.engine)
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json["checks"][check] == "unreachable"
    assert answer.json["errors"] == [{"field": check, "message": "unreachable"}]
    assert str(port) not in answer.text and "secret" not in answer.text


def test_health_checks_are_documented_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert set(paths["/readyz"]["get"]["responses"]) >= {"200", "503"}
    assert "200" in paths["/healthz"]["get"]["responses"]

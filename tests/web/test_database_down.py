"""The database going away is an outage to wait out, not a fault: 503 with Retry-After while it is gone, and the
server serves again as soon as it is back, without a restart. On a real PostgreSQL server, reached through a
proxy the test can cut (the shared server itself is never stopped)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from freelance.web import create_app
from tests.helpers import discard, fresh_postgresql_database
from tests.network import TcpProxy
from tests.postgresql import SERVER, needs_postgresql
from tests.roster.files import person

pytestmark = needs_postgresql


@pytest.fixture
def database() -> Iterator[str]:
    """A new database on the PostgreSQL server: its URL."""
    with fresh_postgresql_database(SERVER) as url:
        yield url


@pytest.fixture
def proxy(database) -> Iterator[TcpProxy]:
    """The way to the database server, open."""
    address = make_url(database)
    proxy = TcpProxy((address.host or "127.0.0.1", address.port or 5432))
    proxy.restore()
    yield proxy
    proxy.cut()


@pytest.fixture
def app(database, proxy, tmp_path) -> Iterator[Flask]:
    """The app on the new database, through the proxy."""
    through_proxy = make_url(database).set(host="127.0.0.1", port=proxy.port)
    app = create_app(
        {
            "DATABASE_URL": through_proxy.render_as_string(hide_password=False),
            "SECRET_KEY_FILE": str(tmp_path / "secret.key"),
        }
    )
    yield app
    if not proxy.open:
        proxy.restore()
    discard(app)


def test_while_the_database_is_gone_requests_get_503_with_retry_after_and_then_are_served_again(
    client, proxy, sow_data
):
    assert client.post("/api/freelancers", json=person(1)).status_code == 201

    proxy.cut()
    for answer in (
        client.get("/api/freelancers"),  # a read
        client.post("/api/freelancers", json=person(2)),  # a write
        client.post("/api/documents", json={"template": "sow", "data": sow_data}),  # generate and store
    ):
        assert answer.status_code == 503, answer.json
        assert answer.headers["Retry-After"].isdigit()
        assert answer.json == {
            "error": "The database cannot be reached just now: try again in a few seconds.",
            "errors": [],
        }
    assert client.get("/readyz").json["checks"]["database"] == "unreachable"

    proxy.restore()
    assert client.get("/readyz").status_code == 200
    assert client.post("/api/freelancers", json=person(2)).status_code == 201
    assert client.get("/api/freelancers").json["total"] == 2


def test_connections_the_database_ended_are_replaced_without_the_next_request_noticing(client, database):
    assert client.post("/api/freelancers", json=person(1)).status_code == 201
    # As a database restart or failover does: every connection of the app's database is ended.
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            ended = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": make_url(database).database},
            ).scalar()
    finally:
        admin.dispose()
    assert ended >= 1

    assert client.get("/api/freelancers").json["total"] == 1
    assert client.post("/api/freelancers", json=person(2)).status_code == 201

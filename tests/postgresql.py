"""For tests that need PostgreSQL itself, whichever database the suite runs on: the server TEST_DATABASE_URL
names, else the one on 127.0.0.1. Each test makes a database of its own on it (``fresh_postgresql_database``).
Where no server answers they skip, except in CI (CI=true), where they fail."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from tests.helpers import ON_POSTGRESQL, TEST_DATABASE_URL

SERVER = TEST_DATABASE_URL if TEST_DATABASE_URL and ON_POSTGRESQL else "postgresql+psycopg://root@127.0.0.1:5432/test"


def _reachable() -> bool:
    engine = create_engine(SERVER, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


needs_postgresql = pytest.mark.skipif(
    not os.environ.get("CI") and not _reachable(), reason=f"no PostgreSQL server answers at {SERVER}"
)

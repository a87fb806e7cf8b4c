"""Shared fixtures: the app on a real database (SQLite, or PostgreSQL when DATABASE_URL says so),
its test client, the shipped template catalog and valid data for each template."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from freelance.catalog import Catalog
from freelance.database import Base, connect
from freelance.web import create_app
from freelance.web.services import services

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
DATABASE_URL = os.environ.get("DATABASE_URL")
SCHEMAS = ROOT.parent / "shared" / "office-addin-schemas"
needs_schemas = pytest.mark.skipif(
    not SCHEMAS.is_dir() and not os.environ.get("CI"),
    reason=f"the manifest schemas are not beside the project ({SCHEMAS})",
)
"""For tests that validate the manifest with Microsoft's XSDs; in CI they never skip."""

SOW = json.loads((ROOT / "tests" / "examples" / "sow.json").read_text("utf-8"))["data"]
"""A valid SOW: the README's example request."""

NDA = {
    "effective_date": "2027-01-04",
    "client": SOW["client"],
    "freelancer": SOW["freelancer"],
    "purpose": "Evaluating a brand refresh engagement",
    "term_years": 2,
    "confidentiality_years": 3,
    "governing_law": "the State of Washington",
    "jurisdiction": "the state and federal courts located in King County, Washington",
}


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
def database_url(tmp_path_factory) -> str:
    """PostgreSQL when DATABASE_URL is set (its tables dropped first), else a fresh SQLite file."""
    if not DATABASE_URL:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    engine = connect(DATABASE_URL)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    return DATABASE_URL


@pytest.fixture
def app(database_url):
    app = create_app({"DATABASE_URL": database_url})
    yield app
    store = services(app).store
    with store.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    store.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()

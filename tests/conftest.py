"""Shared fixtures: the app on a real database (SQLite, or PostgreSQL when DATABASE_URL says so),
its test client, the shipped template catalog and valid data for each template."""
from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from freelance.catalog import Catalog
from freelance.store import Base, connect
from freelance.web import create_app

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
DATABASE_URL = os.environ.get("DATABASE_URL")

SOW = {
    "sow_number": "SOW-2027-001",
    "effective_date": "2027-01-04",
    "client": {"name": "Contoso Ltd", "address": "1 Microsoft Way\nRedmond, WA 98052\nUnited States",
               "signatory_name": "Megan Bowen", "signatory_title": "Head of Procurement", "email": "megan@contoso.com"},
    "freelancer": {"name": "Zoe Angstrom", "business_name": "Angstrom Design LLC", "email": "zoe@angstrom.example",
                   "phone": "+1 206 555 0134", "address": "12 Pike Street\nSeattle, WA 98101", "country": "US",
                   "tax_id": "98-7654321", "profile_url": "https://www.upwork.com/freelancers/~01zoe"},
    "project": {"title": "Brand refresh", "summary": "Refresh the Contoso brand for the 2027 product line.",
                "start_date": "2027-01-11", "end_date": "2027-03-31", "location": "Remote"},
    "in_scope": ["Logo redesign", "Colour palette and typography"],
    "out_of_scope": ["Printed collateral"],
    "deliverables": [
        {"name": "Logo", "description": "Primary and secondary logo", "due_date": "2027-02-01",
         "acceptance_criteria": "Approved in writing by the CMO"},
        {"name": "Brand guide", "description": "A 30-page brand guide", "due_date": "2027-03-15",
         "acceptance_criteria": "Covers logo, colour and type usage"},
        {"name": "Templates", "description": "Slide and document templates", "due_date": "2027-03-31",
         "acceptance_criteria": "Open in PowerPoint and Word"},
    ],
    "milestones": [
        {"name": "Kick-off", "due_date": "2027-01-15", "amount": "3000.00"},
        {"name": "Logo approved", "due_date": "2027-02-05", "amount": "4500.00"},
        {"name": "Final delivery", "due_date": "2027-03-31", "amount": "4750.50"},
    ],
    "fee": {"model": "fixed", "currency": "USD", "amount": "12250.50"},
    "payment_terms_days": 30,
    "po_number": "PO-7781",
    "governing_law": "the State of Washington",
}

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
    store = app.extensions["store"]
    with store.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    store.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()

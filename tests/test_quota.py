"""The storage quota: a tenant's documents, PDFs and template versions are counted, and past the quota
nothing more is kept (507 with a message), while other tenants are not affected."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from freelance.quota import TenantStorage
from freelance.web import create_app
from freelance.web.services import services
from tests.company import CUSTOM, publish
from tests.helpers import discard


@pytest.fixture
def small(database_url, tmp_path):
    """An app whose tenants may each keep 40 KB."""
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY_FILE": str(tmp_path / "key"), "STORAGE_QUOTA": str(40 * 1024)}
    )
    yield app
    discard(app)


def used(app, tenant: str = "local") -> int:
    with services(app).store.engine.connect() as connection:
        return connection.scalar(select(func.sum(TenantStorage.bytes)).where(TenantStorage.tenant == tenant)) or 0


def test_each_document_kept_is_counted_and_past_the_quota_nothing_is_kept(small, sow_data):
    client = small.test_client()
    made = []
    while (response := client.post("/api/documents", json={"template": "sow", "data": sow_data})).status_code == 201:
        made.append(response.json)
    assert response.status_code == 507, response.json
    assert response.json["error"].startswith("Your organisation's storage is full:")
    assert "STORAGE_QUOTA" in response.json["error"]
    assert made and used(small) == sum(d["size"] for d in made) <= 40 * 1024
    assert client.get("/api/documents").json["total"] == len(made)  # the refused one left no record


def test_template_versions_count_too_and_are_refused_past_the_quota(small):
    client = small.test_client()
    assert publish(client, CUSTOM).status_code == 201
    assert used(small) == len(CUSTOM)
    while (response := publish(client, CUSTOM, new_version=True)).status_code == 200:
        pass
    assert response.status_code == 507, response.json
    assert used(small) <= 40 * 1024


def test_another_tenant_has_its_own_room(small, sow_data):
    client = small.test_client()
    while client.post("/api/documents", json={"template": "sow", "data": sow_data}).status_code == 201:
        pass
    with services(small).store.engine.begin() as connection:
        connection.execute(TenantStorage.__table__.update().values(tenant="another"))
    assert client.post("/api/documents", json={"template": "sow", "data": sow_data}).status_code == 201


def test_no_quota_counts_without_refusing(database_url, tmp_path, sow_data):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY_FILE": str(tmp_path / "k"), "STORAGE_QUOTA": "0"})
    try:
        document = app.test_client().post("/api/documents", json={"template": "sow", "data": sow_data}).json
        assert used(app) == document["size"]
    finally:
        discard(app)


def test_documents_made_at_once_are_all_counted(database_url, tmp_path, sow_data):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY_FILE": str(tmp_path / "k")})
    try:

        def make(_) -> dict:
            return app.test_client().post("/api/documents", json={"template": "sow", "data": sow_data}).json

        with ThreadPoolExecutor(8) as pool:
            made = list(pool.map(make, range(40)))
        assert used(app) == sum(document["size"] for document in made)
    finally:
        discard(app)

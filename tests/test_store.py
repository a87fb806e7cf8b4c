"""The store: a record and its bytes are written together; migrations keep data."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from freelance.database import Base, upgrade
from freelance.web import create_app
from freelance.web.services import services

_FAILING_FILE_WRITE = {
    "sqlite": [
        "CREATE TRIGGER refuse_files BEFORE INSERT ON document_files BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_files() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse_files BEFORE INSERT ON document_files FOR EACH ROW EXECUTE FUNCTION refuse_files()",
    ],
}
_DROP_FAILING_FILE_WRITE = {
    "sqlite": ["DROP TRIGGER refuse_files"],
    "postgresql": ["DROP TRIGGER refuse_files ON document_files", "DROP FUNCTION refuse_files()"],
}


@pytest.fixture
def refusing_file_writes(app):
    engine = services(app).store.engine
    with engine.begin() as connection:
        for statement in _FAILING_FILE_WRITE[engine.dialect.name]:
            connection.execute(text(statement))
    yield
    with engine.begin() as connection:
        for statement in _DROP_FAILING_FILE_WRITE[engine.dialect.name]:
            connection.execute(text(statement))


def test_a_record_whose_bytes_cannot_be_written_is_not_kept(app, catalog, sow_data, refusing_file_writes):
    template = catalog["sow"]
    generated = template.generate(template.validate(sow_data))
    with pytest.raises(Exception, match="disk full"):
        services(app).store.add_document("local", generated)
    with services(app).store.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM documents")) == 0


def test_a_record_keeps_the_data_the_template_version_and_the_hash(app, catalog, sow_data):
    template = catalog["sow"]
    generated = template.generate(template.validate(sow_data))
    store = services(app).store
    record, content = store.content("local", str(store.add_document("local", generated).id))
    assert (record.template_version, record.sha256, content) == (template.version, generated.sha256, generated.content)
    assert record.data["milestones"][2]["amount"] == "4750.50"
    assert record.data["freelancer"]["name"] == "Zoe Angstrom"


def test_another_tenants_document_is_not_found(app, client, sow_data):
    record = client.post("/api/documents", json={"template": "sow", "data": sow_data}).json
    with pytest.raises(Exception, match="no document"):
        services(app).store.document("another-tenant", record["id"])


def test_restarting_on_an_existing_database_keeps_its_documents(app, client, sow_data, database_url):
    made = client.post("/api/documents", json={"template": "sow", "data": sow_data}).json
    restarted = create_app({"DATABASE_URL": database_url})
    try:
        assert restarted.test_client().get(f"/api/documents/{made['id']}").json == made
    finally:
        services(restarted).store.engine.dispose()


def test_the_migrations_build_the_schema_the_models_describe(app):
    engine = services(app).store.engine
    upgrade(engine)  # a second upgrade is harmless
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "the migrations and the models differ: add a migration"
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)

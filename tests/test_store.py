"""The store: a record and its bytes are written together; migrations keep data."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import column, insert, inspect, table, text

from freelance.database import Base, connect, upgrade
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


def test_the_lifecycle_migration_gives_existing_records_their_kind_status_and_facts(
    tmp_path, catalog, sow_data, nda_data
):
    """Records made before contracts had a lifecycle become drafts made on their day, with the facts of their data."""
    engine = connect(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, to="0009")
    made = {
        "sow": catalog["sow"].generate(catalog["sow"].validate(sow_data | {"category": "design"})),
        "nda-mutual": catalog["nda-mutual"].generate(catalog["nda-mutual"].validate(nda_data)),
    }
    old = table(
        "documents",
        *(column(name) for name in ("id", "tenant", "template", "template_version")),
        *(column(name) for name in ("filename", "format", "sha256", "size", "data", "created_at")),
    )
    with engine.begin() as connection:
        for id, (template, generated) in enumerate(made.items(), start=1):
            connection.execute(
                insert(old).values(
                    id=f"{id:032x}",
                    tenant="local",
                    template=template,
                    template_version=generated.template_version,
                    filename=generated.filename,
                    format="docx",
                    sha256=generated.sha256,
                    size=1,
                    data=json.dumps(generated.data),
                    created_at="2026-03-05 10:00:00.000000",
                )
            )
    upgrade(engine)
    with engine.connect() as connection:
        rows = {
            row.template: row
            for row in connection.execute(
                text(
                    "SELECT template, kind, status, status_on, category, currency, value, duration_days, expires_on, "
                    "freelancer_email FROM documents"
                )
            )
        }
    engine.dispose()
    sow, nda = rows["sow"], rows["nda-mutual"]
    assert (sow.kind, sow.status, sow.status_on, sow.category, sow.currency) == (
        "sow",
        "draft",
        "2026-03-05",
        "design",
        "USD",
    )
    assert (Decimal(str(sow.value)), sow.duration_days) == (Decimal("12250.50"), 80)
    assert (nda.kind, nda.status, nda.expires_on) == ("nda-mutual", "draft", "2029-01-03")  # two years from 2027-01-04
    assert nda.freelancer_email == sow_data["freelancer"]["email"].lower()


def test_an_nda_recorded_before_it_bound_from_its_effective_date_gets_that_date(tmp_path, catalog, nda_data):
    """NDAs stored when only their expiry was a fact get their effective date as their start."""
    engine = connect(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, to="0011")
    generated = catalog["nda-mutual"].generate(catalog["nda-mutual"].validate(nda_data))
    old = table(
        "documents",
        *(column(name) for name in ("id", "tenant", "template", "template_version", "kind", "status")),
        *(column(name) for name in ("filename", "format", "sha256", "size", "data", "created_at")),
    )
    with engine.begin() as connection:
        connection.execute(
            insert(old).values(
                id=f"{1:032x}",
                tenant="local",
                template="nda-mutual",
                template_version=generated.template_version,
                kind="nda-mutual",
                status="signed",
                filename=generated.filename,
                format="docx",
                sha256=generated.sha256,
                size=1,
                data=json.dumps(generated.data),
                created_at="2026-03-05 10:00:00.000000",
            )
        )
    upgrade(engine)
    with engine.connect() as connection:
        start = connection.execute(text("SELECT start_on FROM documents")).scalar_one()
    engine.dispose()
    assert start == nda_data["effective_date"]

"""Contract lifecycle, programme insight and the documents library: each document's kind, status and
facts, what it is found by, the document it revises; its status changes, and the signed copy attached
to it. Existing records get their facts from their data.

Revision ID: 0010
Revises: 0009
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

from freelance.programme.facts import facts_of

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_SHIPPED = {"sow": "sow", "nda-mutual": "nda-mutual", "nda-one-way": "nda-one-way", "budget": "budget"}
_CHUNK = 1000
_COMMITTED_SOWS = "kind = 'sow' AND status IN ('signed', 'active', 'completed') AND signed_on IS NOT NULL"
_COMMITTED_SOW_FACTS = [
    "id", "currency", "value", "duration_days", "days_to_engage", "status", "category", "team", "cost_center",
    "country", "freelancer_email", "freelancer_name", "skills",
]  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("documents") as table:
        table.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="custom"))
        table.add_column(
            sa.Column(
                "predecessor_id",
                sa.Uuid(),
                sa.ForeignKey("documents.id", name="fk_documents_predecessor", ondelete="SET NULL"),
            )
        )
        table.add_column(sa.Column("client_name", sa.String(200)))
        table.add_column(sa.Column("project_title", sa.String(200)))
        table.add_column(sa.Column("search_text", sa.String(4000)))
        table.add_column(sa.Column("status", sa.String(16)))
        table.add_column(sa.Column("status_on", sa.Date()))
        table.add_column(sa.Column("signed_on", sa.Date()))
        table.add_column(sa.Column("days_to_engage", sa.Integer()))
        table.add_column(sa.Column("freelancer_id", sa.String(36)))
        table.add_column(sa.Column("freelancer_email", sa.String(254)))
        table.add_column(sa.Column("freelancer_name", sa.String(200)))
        table.add_column(sa.Column("country", sa.String(2)))
        table.add_column(sa.Column("skills", sa.JSON()))
        table.add_column(sa.Column("engagement", sa.String(64)))
        table.add_column(sa.Column("category", sa.String(60)))
        table.add_column(sa.Column("team", sa.String(120)))
        table.add_column(sa.Column("cost_center", sa.String(60)))
        table.add_column(sa.Column("currency", sa.String(3)))
        table.add_column(sa.Column("value", sa.Numeric(18, 3)))
        table.add_column(sa.Column("start_on", sa.Date()))
        table.add_column(sa.Column("end_on", sa.Date()))
        table.add_column(sa.Column("duration_days", sa.Integer()))
        table.add_column(sa.Column("expires_on", sa.Date()))
    _fill_facts()
    op.create_index("ix_documents_tenant_kind_signed", "documents", ["tenant", "kind", "signed_on"])
    op.create_index("ix_documents_tenant_engagement", "documents", ["tenant", "engagement"])
    op.create_index("ix_documents_tenant_freelancer_email", "documents", ["tenant", "freelancer_email"])
    op.create_index("ix_documents_tenant_sha256", "documents", ["tenant", "sha256"])
    op.create_index(
        "ix_documents_committed_sows",
        "documents",
        ["tenant", "signed_on"],
        postgresql_include=_COMMITTED_SOW_FACTS,
        postgresql_where=sa.text(_COMMITTED_SOWS),
        sqlite_where=sa.text(_COMMITTED_SOWS),
    )
    op.create_table(
        "document_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("document_id", sa.Uuid(), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(64), nullable=False),
    )
    op.create_index("ix_document_events_document", "document_events", ["document_id", "id"])
    op.create_table(
        "signed_copies",
        sa.Column("document_id", sa.Uuid(), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attached_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_signed_copies_sha256", "signed_copies", ["sha256"])
    op.create_index("ix_document_renditions_sha256", "document_renditions", ["sha256"])


def _fill_facts() -> None:
    """Each existing record's kind and facts, from its template and data (a draft made on its creation day)."""
    bind = op.get_bind()
    documents = sa.table(
        "documents",
        sa.column("id", sa.Uuid()),
        sa.column("tenant", sa.String()),
        sa.column("template", sa.String()),
        sa.column("data", sa.JSON()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        *(sa.column(name) for name in ("kind", "status", "status_on", "freelancer_id", "freelancer_email")),
        *(sa.column(name) for name in ("client_name", "project_title", "search_text")),
        *(sa.column(name) for name in ("freelancer_name", "country", "engagement", "category", "team")),
        *(sa.column(name) for name in ("cost_center", "currency", "start_on", "end_on", "duration_days")),
        sa.column("skills", sa.JSON()),
        sa.column("value", sa.Numeric(18, 3)),
        sa.column("expires_on", sa.Date()),
    )
    kinds = {
        (tenant, template): kind
        for tenant, template, kind in bind.execute(
            sa.text("SELECT DISTINCT tenant, template_id, kind FROM template_versions")
        )
    }
    last = None
    while True:
        query = sa.select(
            documents.c.id, documents.c.tenant, documents.c.template, documents.c.data, documents.c.created_at
        )
        if last is not None:
            query = query.where(documents.c.id > last)
        rows = bind.execute(query.order_by(documents.c.id).limit(_CHUNK)).all()
        if not rows:
            return
        for id, tenant, template, data, created_at in rows:
            kind = _SHIPPED.get(template) or kinds.get((tenant, template), "custom")
            made_on = created_at.date() if created_at is not None else date.today()
            facts = facts_of(kind, data if isinstance(data, dict) else {}, made_on)
            bind.execute(documents.update().where(documents.c.id == id).values(**facts))
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_document_renditions_sha256", table_name="document_renditions")
    op.drop_index("ix_signed_copies_sha256", table_name="signed_copies")
    op.drop_table("signed_copies")
    op.drop_index("ix_document_events_document", table_name="document_events")
    op.drop_table("document_events")
    op.drop_index("ix_documents_committed_sows", table_name="documents")
    op.drop_index("ix_documents_tenant_sha256", table_name="documents")
    op.drop_index("ix_documents_tenant_freelancer_email", table_name="documents")
    op.drop_index("ix_documents_tenant_engagement", table_name="documents")
    op.drop_index("ix_documents_tenant_kind_signed", table_name="documents")
    with op.batch_alter_table("documents") as table:
        for name in (
            "expires_on",
            "duration_days",
            "end_on",
            "start_on",
            "value",
            "currency",
            "cost_center",
            "team",
            "category",
            "engagement",
            "skills",
            "country",
            "freelancer_name",
            "freelancer_email",
            "freelancer_id",
            "days_to_engage",
            "signed_on",
            "status_on",
            "status",
            "kind",
        ):
            table.drop_column(name)

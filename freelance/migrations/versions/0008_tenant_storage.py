"""Tenant storage: the bytes each tenant keeps (documents, their PDFs, template versions), under a quota, in
a few rows per tenant (shards) so that writes at once seldom wait for each other.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant_storage",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("shard", sa.Integer(), primary_key=True),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
    )
    # What tenants keep already, in their first shard.
    op.execute(
        """
        INSERT INTO tenant_storage (tenant, shard, bytes)
        SELECT tenant, 0, SUM(size) FROM (
            SELECT d.tenant AS tenant, d.size AS size FROM documents d
            UNION ALL
            SELECT d.tenant, LENGTH(r.content) FROM document_renditions r JOIN documents d ON d.id = r.document_id
            UNION ALL
            SELECT v.tenant, LENGTH(v.content) FROM template_versions v
        ) kept
        GROUP BY tenant
        """
    )


def downgrade() -> None:
    op.drop_table("tenant_storage")

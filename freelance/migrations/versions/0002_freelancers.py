"""The freelancer roster.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "freelancers",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("business_name", sa.String(200)),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("phone", sa.String(40)),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("tax_id", sa.String(50)),
        sa.Column("rate", sa.Numeric(18, 3)),
        sa.Column("rate_unit", sa.String(8)),
        sa.Column("currency", sa.String(3)),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("profile_url", sa.String(2000)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("email_key", sa.String(254), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("skill_keys", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant", "email_key", name="uq_freelancers_tenant_email"),
    )
    op.create_index("ix_freelancers_tenant_name", "freelancers", ["tenant", "name"])


def downgrade() -> None:
    op.drop_index("ix_freelancers_tenant_name", table_name="freelancers")
    op.drop_table("freelancers")

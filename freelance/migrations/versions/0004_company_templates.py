"""Company templates and their versions.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "company_templates",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True)),
        sa.Column("retired_by", sa.String(64)),
    )
    op.create_table(
        "template_versions",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("template_id", sa.String(64), primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("shipped_fields", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "template_id"], ["company_templates.tenant", "company_templates.id"], ondelete="CASCADE"
        ),
    )
    op.create_index("ix_template_versions_sha", "template_versions", ["tenant", "template_id", "sha256"])


def downgrade() -> None:
    op.drop_index("ix_template_versions_sha", table_name="template_versions")
    op.drop_table("template_versions")
    op.drop_table("company_templates")

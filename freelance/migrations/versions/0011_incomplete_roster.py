"""Freelancers: a roster record may be incomplete (name and email suffice), so address and country may
be empty; a removed freelancer is kept, restorable, for 30 days.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("freelancers") as table:
        table.alter_column("address", existing_type=sa.Text(), nullable=True)
        table.alter_column("country", existing_type=sa.String(2), nullable=True)
        table.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("removed_by", sa.String(64), nullable=True))
        table.drop_constraint("uq_freelancers_tenant_email", type_="unique")
    op.create_index(
        "uq_freelancers_tenant_email",
        "freelancers",
        ["tenant", "email_key"],
        unique=True,
        sqlite_where=sa.text("removed_at IS NULL"),
        postgresql_where=sa.text("removed_at IS NULL"),
    )


def downgrade() -> None:
    op.execute("DELETE FROM freelancers WHERE removed_at IS NOT NULL")
    op.drop_index("uq_freelancers_tenant_email", table_name="freelancers")
    with op.batch_alter_table("freelancers") as table:
        table.create_unique_constraint("uq_freelancers_tenant_email", ["tenant", "email_key"])
        table.drop_column("removed_by")
        table.drop_column("removed_at")
    op.execute("UPDATE freelancers SET address = '' WHERE address IS NULL")
    op.execute("UPDATE freelancers SET country = '' WHERE country IS NULL")
    with op.batch_alter_table("freelancers") as table:
        table.alter_column("address", existing_type=sa.Text(), nullable=False)
        table.alter_column("country", existing_type=sa.String(2), nullable=False)

"""Users, and who made each record.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("oid", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(256)),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("documents") as table:
        table.add_column(sa.Column("created_by", sa.String(64), nullable=False, server_default="local"))
    with op.batch_alter_table("freelancers") as table:
        table.add_column(sa.Column("created_by", sa.String(64), nullable=False, server_default="local"))
        table.add_column(sa.Column("updated_by", sa.String(64), nullable=False, server_default="local"))


def downgrade() -> None:
    with op.batch_alter_table("freelancers") as table:
        table.drop_column("updated_by")
        table.drop_column("created_by")
    with op.batch_alter_table("documents") as table:
        table.drop_column("created_by")
    op.drop_table("users")

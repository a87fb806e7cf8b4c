"""Freelancers: the title a freelancer trading as a company signs with (e.g. "Director").

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("freelancers") as table:
        table.add_column(sa.Column("signatory_title", sa.String(120)))


def downgrade() -> None:
    with op.batch_alter_table("freelancers") as table:
        table.drop_column("signatory_title")

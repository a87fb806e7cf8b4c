"""Freelancers: a roster record may be incomplete (name and email suffice), so address and country may
be empty.

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


def downgrade() -> None:
    op.execute("UPDATE freelancers SET address = '' WHERE address IS NULL")
    op.execute("UPDATE freelancers SET country = '' WHERE country IS NULL")
    with op.batch_alter_table("freelancers") as table:
        table.alter_column("address", existing_type=sa.Text(), nullable=False)
        table.alter_column("country", existing_type=sa.String(2), nullable=False)

"""An NDA binds from its effective date: existing NDA records get it as their start, from their data.

Revision ID: 0012
Revises: 0011
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

from freelance.programme.facts import NDA_KINDS, facts_of

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_CHUNK = 1000


def upgrade() -> None:
    bind = op.get_bind()
    documents = sa.table(
        "documents",
        sa.column("id", sa.Uuid),
        sa.column("kind"),
        sa.column("data", sa.JSON),
        sa.column("start_on", sa.Date),
    )
    last = None
    while True:
        query = sa.select(documents.c.id, documents.c.kind, documents.c.data).where(documents.c.kind.in_(NDA_KINDS))
        if last is not None:
            query = query.where(documents.c.id > last)
        rows = bind.execute(query.order_by(documents.c.id).limit(_CHUNK)).all()
        if not rows:
            return
        for id, kind, data in rows:
            start = facts_of(kind, data if isinstance(data, dict) else {}, date.today())["start_on"]
            bind.execute(documents.update().where(documents.c.id == id).values(start_on=start))
        last = rows[-1][0]


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE documents SET start_on = NULL WHERE kind IN ('nda-mutual', 'nda-one-way')"))

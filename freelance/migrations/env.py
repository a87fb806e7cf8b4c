"""Alembic environment: runs on the connection the application hands over (see database.upgrade)."""

from alembic import context
from sqlalchemy import text

from freelance import audit, store, users  # noqa: F401  (their tables join the metadata)
from freelance.batches import records as batch_records  # noqa: F401
from freelance.database import Base
from freelance.roster import records  # noqa: F401

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
if connection.dialect.name == "postgresql":
    # Several web workers may start at once: one migrates while the others wait.
    connection.execute(text("SELECT pg_advisory_xact_lock(7306142)"))
with context.begin_transaction():
    context.run_migrations()

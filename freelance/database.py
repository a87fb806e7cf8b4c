"""The database: engine, declarative base, and Alembic migrations (``migrations/``).

SQLite by default, PostgreSQL when the URL says so. On SQLite every transaction takes the write
lock when it begins (BEGIN IMMEDIATE), so a read-modify-write cannot lose a concurrent update.
"""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, Numeric, Table, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

MIGRATIONS = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    @classmethod
    def table(cls) -> Table:
        """The model's table, for Core statements (cheaper than the ORM's for bulk writes)."""
        return cls.metadata.tables[cls.__tablename__]


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and read back as UTC, also on SQLite (which forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class PlainDecimal(TypeDecorator):
    """An amount read back with two decimals, or three where it has them (95.50, not 95.500)."""

    impl = Numeric(18, 3)
    cache_ok = True

    @staticmethod
    def plain(value: Decimal | None) -> Decimal | None:
        """Return ``value`` as the column reads it back."""
        if value is None:
            return None
        return value.quantize(Decimal("0.01")) if value == value.quantize(Decimal("0.01")) else value.normalize()

    def process_result_value(self, value, dialect):
        return self.plain(value)


def connect(url: str) -> Engine:
    """Return an engine for ``url``; a SQLite file's folder is created, its foreign keys enforced.

    Each connection taken from the pool is tested first (pre-ping), so connections a restarted or
    failed-over database dropped are replaced instead of failing the next request."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connection)
        event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN IMMEDIATE"))
    return engine


def _sqlite_connection(connection, _record) -> None:
    connection.isolation_level = None  # SQLAlchemy's "begin" event emits BEGIN itself
    for pragma in ("foreign_keys = ON", "journal_mode = WAL", "busy_timeout = 30000"):
        connection.execute(f"PRAGMA {pragma}")


def upgrade(engine: Engine, to: str = "head") -> None:
    """Bring the schema to the newest migration (or revision ``to``), keeping the data."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, to)


def schema_state(engine: Engine) -> str:
    """Return "current" (at the newest migration), "behind" (migrations to run) or "ahead" (migrated by a
    newer version of the server); raise SQLAlchemyError when the database cannot be reached."""
    with engine.connect() as connection:
        found = set(MigrationContext.configure(connection).get_current_heads())
    heads, known = _revisions()
    if found == heads:
        return "current"
    return "behind" if found <= known else "ahead"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@lru_cache(maxsize=1)
def _revisions() -> tuple[frozenset[str], frozenset[str]]:
    """The newest migrations and every one, read from ``migrations/`` once."""
    script = ScriptDirectory.from_config(_config())
    return frozenset(script.get_heads()), frozenset(r.revision for r in script.walk_revisions())

"""What the tests share besides fixtures: where things are, valid data for each template, the database to use."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
"""A PostgreSQL server to test on (``postgresql+psycopg://USER@HOST:PORT/DB``): each test process creates a
database of its own there and drops it at the end, the named database only serving to connect. Unset: SQLite.
The suite never reads DATABASE_URL (nor any other server setting): a server's database is never touched."""
ON_POSTGRESQL = (TEST_DATABASE_URL or "").startswith("postgresql")
SCHEMAS = ROOT.parent / "shared" / "office-addin-schemas"


needs_schemas = pytest.mark.skipif(
    not SCHEMAS.is_dir() and not os.environ.get("CI"),
    reason=f"the manifest schemas are not beside the project ({SCHEMAS})",
)
"""For tests that validate the manifest with Microsoft's XSDs; in CI they never skip."""


SOW = json.loads((ROOT / "examples" / "sow-fixed.json").read_text("utf-8"))["data"]
"""A valid SOW: the README's example request."""


NDA = {
    "effective_date": "2027-01-04",
    "client": SOW["client"],
    "freelancer": SOW["freelancer"],
    "purpose": "Evaluating a brand refresh engagement",
    "term_years": 2,
    "confidentiality_years": 3,
    "governing_law": "the State of Washington",
    "jurisdiction": "the state and federal courts located in King County, Washington",
}


@contextmanager
def fresh_postgresql_database(server_url: str) -> Iterator[str]:
    """Create a new, empty database on the PostgreSQL server of ``server_url``; yield its URL; drop it."""
    name = f"freelance_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# In CI (CI=true) these never skip: a missing LibreOffice there fails the run instead.
_ABSENT_LOCALLY = not os.environ.get("CI")
needs_libreoffice = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        _ABSENT_LOCALLY and not shutil.which("soffice"),
        reason="LibreOffice (soffice) is not installed: apt-get install -y libreoffice-writer-nogui",
    ),
    pytest.mark.skipif(
        _ABSENT_LOCALLY and not shutil.which("pdftotext"),
        reason="pdftotext is not installed: apt-get install -y poppler-utils",
    ),
]
"""For tests that open documents in LibreOffice and read its PDF back; in CI they never skip."""


def convert_in_libreoffice(folder: Path, files: list[Path], to: str, outdir: Path | None = None) -> None:
    """Convert ``files`` with headless LibreOffice (a profile of its own in ``folder``) to ``to``
    (a format or "format:filter"), written into ``outdir`` (default ``folder``)."""
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(outdir or folder),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )


def discard(app) -> None:
    """Stop ``app``'s batch threads (no item writes after this), empty every table, close its database pool."""
    from freelance.database import Base
    from freelance.web.services import services

    services(app).batches.runner.close()
    engine = services(app).store.engine
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # where the audit log refuses DELETE
            connection.execute(text(f"TRUNCATE {', '.join(t.name for t in Base.metadata.sorted_tables)}"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
    engine.dispose()

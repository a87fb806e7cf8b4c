"""The load test's baseline: a minimal Flask + docxtpl service making and storing statements of work.

What a docxtpl user would write: ``POST /sow`` with the SOW's JSON validates it into the same model and context
our engine uses (``freelance.catalog``, as ``bench.render`` does), renders ``templates/sow.docx`` with
``DocxTemplate(...).render(context, jinja_env=WORDML)`` (docxtpl re-parses the package for every document),
saves it to bytes and inserts them with the record into a PostgreSQL table of its own (SQLAlchemy core, a pooled
engine with pre-ping, as ours), answering 201 with the id. ``GET /readyz`` answers 200 once the database does.

It runs under gunicorn with the production settings (``bench.load`` starts it); the database comes from
``DATABASE_URL``. It never touches our tables: :func:`create_table` makes its own, ``docxtpl_sow_documents``.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from docxtpl import DocxTemplate
from flask import Flask, jsonify, request
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
    create_engine,
    insert,
    text,
)
from sqlalchemy.engine import Engine

from freelance.catalog import Catalog
from freelance.documents.environment import WORDML
from freelance.errors import InvalidData

ROOT = Path(__file__).resolve().parent.parent
TABLE = "docxtpl_sow_documents"

metadata = MetaData()
documents = Table(
    TABLE,
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("filename", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("content", LargeBinary, nullable=False),
)


def create_table(engine: Engine) -> None:
    """Make the service's table (once, before its workers start: two workers creating it at once would race)."""
    metadata.create_all(engine)


def create_app(database_url: str | None = None) -> Flask:
    """Return the service, storing into ``database_url`` (default: ``DATABASE_URL``)."""
    app = Flask(__name__)
    engine = create_engine(database_url or os.environ["DATABASE_URL"], pool_pre_ping=True)
    sow = Catalog(ROOT / "templates")["sow"]  # for its model and context only; docxtpl does the rendering
    template = (ROOT / "templates" / "sow.docx").read_bytes()  # read once: no disk I/O per request

    @app.post("/sow")
    def generate():
        try:
            model = sow.validate(request.get_json())
        except InvalidData as exc:
            return jsonify(error=str(exc), errors=[vars(problem) for problem in exc.problems]), 400
        context = model.context()
        document = DocxTemplate(BytesIO(template))
        document.render(context, jinja_env=WORDML)
        out = BytesIO()
        document.save(out)
        content = out.getvalue()
        record = {
            "id": uuid.uuid4(),
            "filename": f"{context['sow_number']} {context['freelancer']['name']}.docx",
            "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content),
            "data": model.model_dump(mode="json"),
            "created_at": datetime.now(UTC),
        }
        with engine.begin() as connection:
            connection.execute(insert(documents).values(content=content, **record))
        return jsonify(id=str(record["id"]), sha256=record["sha256"], size=record["size"]), 201

    @app.get("/readyz")
    def ready():
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return jsonify(status="ok")

    return app

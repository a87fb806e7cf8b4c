"""Health checks for load balancers and orchestrators, open without sign-in and telling nothing else:
``/healthz`` (the process answers) and ``/readyz`` (it can serve: database reachable and migrated, Redis
reachable when batches use it; PDF reported, but a server without LibreOffice serves all else)."""

from __future__ import annotations

from typing import Literal

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from ..batches.runners import QueueRunner
from ..database import schema_state
from .openapi import documented
from .schemas import Problem
from .services import services

bp = Blueprint("health", __name__)
OK, UNREACHABLE = "ok", "unreachable"
_SCHEMA = {"current": OK, "behind": "behind: run migrations", "ahead": "ahead: migrated by a newer server"}
_PDF_UNAVAILABLE = "unavailable: PDF needs LibreOffice on the server"


class Alive(BaseModel):
    """The process answers."""

    status: Literal["ok"]


class Readiness(BaseModel):
    """Whether the server can serve ("degraded": all but PDF), and each check: "ok" or what is wrong."""

    status: Literal["ok", "degraded", "unavailable"]
    checks: dict[str, str]


class NotReady(Readiness):
    """The server cannot serve: each failed check is named in errors."""

    error: str
    errors: list[Problem]


@bp.get("/healthz")
@documented("Liveness", responses={200: Alive})
def alive() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
@documented("Readiness", responses={200: Readiness, 503: NotReady})
def ready() -> Response:
    checks = {"database": _database()}
    if isinstance(runner := services().batches.runner, QueueRunner):
        checks["redis"] = _redis(runner)
    failed = [Problem(field=name, message=state) for name, state in checks.items() if state != OK]
    checks["pdf"] = _PDF_UNAVAILABLE if services().pdf.missing else OK
    if failed:
        response = jsonify(
            NotReady(status="unavailable", checks=checks, error="The server is not ready.", errors=failed).model_dump()
        )
        response.status_code = 503
        return response
    return jsonify(Readiness(status="ok" if checks["pdf"] == OK else "degraded", checks=checks).model_dump())


def _database() -> str:
    try:
        return _SCHEMA[schema_state(services().store.engine)]
    except SQLAlchemyError:
        return UNREACHABLE


def _redis(runner: QueueRunner) -> str:
    try:
        runner.redis.ping()
    except RedisError:
        return UNREACHABLE
    return OK

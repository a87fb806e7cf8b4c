"""The Flask application: create_app() reads like the table of contents of the HTTP API."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from flask import Flask

from . import (
    audit_api,
    auth,
    batches_api,
    budgets_api,
    cli,
    documents_api,
    errors,
    freelancers_api,
    headers,
    health,
    insights_api,
    limits,
    openapi,
    pane,
    services,
    templates_api,
    worker,
)
from .config import Settings


def create_app(config: Mapping[str, str] | None = None, *, http: httpx.Client | None = None) -> Flask:
    """Return the app configured from ``config`` (default: the environment).

    ``http`` carries every call to Microsoft (Entra ID, Graph); tests pass one with a fake transport.
    """
    settings = Settings.load(config)
    app = Flask(__name__, static_folder=None)
    app.config.update(MAX_CONTENT_LENGTH=settings.MAX_CONTENT_LENGTH)
    app.json.sort_keys = False  # type: ignore[attr-defined]

    services.init_app(app, services.build(settings, http))
    errors.register(app)
    headers.register(app)
    auth.register(app)
    app.register_blueprint(templates_api.bp)
    app.register_blueprint(documents_api.bp)
    app.register_blueprint(freelancers_api.bp)
    app.register_blueprint(budgets_api.bp)
    app.register_blueprint(batches_api.bp)
    app.register_blueprint(audit_api.bp)
    app.register_blueprint(insights_api.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(pane.bp)
    limits.register(app, settings)  # after the routes it limits, and after sign-in (it counts per user)
    app.cli.add_command(cli.freelancers)
    app.cli.add_command(cli.documents)
    app.cli.add_command(worker.worker)
    return app

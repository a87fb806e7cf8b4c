"""The services the app factory builds once, and the one way routes and commands reach them."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from flask import Flask, current_app

from ..audit import AuditLog
from ..batches.runners import QueueRunner, ThreadRunner
from ..batches.service import Batches, Runner
from ..catalog import Catalog
from ..company.library import Templates
from ..company.store import TemplateStore
from ..database import connect, upgrade
from ..generation import Generator
from ..identity import OnBehalfOf, TokenVerifier
from ..links import Links
from ..onedrive import OneDrive
from ..pdf import PdfConverter, converter_for
from ..programme.insights import Insights
from ..programme.lifecycle import Lifecycle
from ..quota import Quota
from ..roster.service import Roster
from ..store import Store
from ..users import Users
from .config import Settings

_KEY = "freelance"


@dataclass(frozen=True)
class Services:
    """Everything a request or a command works with. ``token_verifier`` and ``onedrive`` are None
    in local mode (no sign-in)."""

    settings: Settings
    catalog: Catalog
    templates: Templates
    store: Store
    roster: Roster
    users: Users
    generator: Generator
    token_verifier: TokenVerifier | None
    onedrive: OneDrive | None
    links: Links
    pdf: PdfConverter
    batches: Batches
    audit: AuditLog
    lifecycle: Lifecycle
    insights: Insights


def build(settings: Settings, http: httpx.Client | None) -> Services:
    """Return the services for ``settings``: the database migrated (when asked), the templates compiled.

    ``http`` carries every call to Microsoft; in Entra ID mode without one, a client is made.
    """
    engine = connect(settings.DATABASE_URL)
    if settings.MIGRATE_ON_START:
        upgrade(engine)
    quota = Quota(settings.STORAGE_QUOTA)
    catalog, store, roster = Catalog(settings.TEMPLATES_DIR), Store(engine, quota), Roster(engine)
    templates = Templates(catalog, TemplateStore(engine, quota))
    verifier: TokenVerifier | None = None
    onedrive: OneDrive | None = None
    if identity := settings.identity:
        http = http or httpx.Client(follow_redirects=False)
        verifier, onedrive = TokenVerifier(identity, http), OneDrive(OnBehalfOf(identity, http), http)
    links = Links(settings.SECRET_KEY, settings.SECRET_KEY_FILE)
    pdf = converter_for(settings.pdf)  # no LibreOffice starts until a PDF is asked for
    generator = Generator(templates, roster, store, pdf)
    runner: Runner = (
        QueueRunner(settings.REDIS_URL, settings.BATCH_QUEUE, settings.BATCH_ITEM_TIMEOUT)
        if settings.REDIS_URL
        else ThreadRunner(settings.BATCH_WORKERS)  # no thread starts until a batch does
    )
    return Services(
        settings,
        catalog,
        templates,
        store,
        roster,
        Users(engine),
        generator,
        verifier,
        onedrive,
        links,
        pdf,
        Batches(engine, generator, roster, store, runner),
        AuditLog(engine),
        Lifecycle(store, quota),
        Insights(engine),
    )


def init_app(app: Flask, services: Services) -> None:
    """Make ``services`` the app's."""
    app.extensions[_KEY] = services


def resume_batches(app: Flask) -> int:
    """In a serving process with no queue (batches on the server's threads), hand the threads the batch items a
    stopped server left unfinished; return how many. With REDIS_URL, RQ keeps and retries them itself."""
    batches = services(app).batches
    return batches.resume() if isinstance(batches.runner, ThreadRunner) else 0


def services(app: Flask | None = None) -> Services:
    """Return the services of ``app`` (default: the current app)."""
    found: Services = (app or current_app).extensions[_KEY]
    return found

"""Settings from the environment: one object, safe defaults; tests pass a mapping instead."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

from ..identity import EntraSettings
from ..pdf import PdfSettings

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Settings:
    """Everything the server reads from its environment, each with a default that runs locally."""

    DATABASE_URL: str = f"sqlite:///{ROOT / 'instance' / 'freelance.db'}"
    TEMPLATES_DIR: Path = ROOT / "templates"
    MAX_CONTENT_LENGTH: int = 1024 * 1024
    MAX_UPLOAD_LENGTH: int = 20 * 1024 * 1024
    MIGRATE_ON_START: bool = True
    HOST: str = "127.0.0.1"
    PORT: int = 3000
    HTTPS: bool = True
    CERT_DIR: Path = ROOT / "instance" / "certs"
    PUBLIC_URL: str = "https://localhost:3000"
    """Where Office finds the add-in; unset, it follows PORT (https://localhost:<PORT>)."""
    ADDIN_DIR: Path = ROOT / "addin"
    MANIFEST: Path = ROOT / "manifest.xml"
    OFFICE_JS_URL: str = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js"
    ENTRA_CLIENT_ID: str = ""
    ENTRA_TENANT_ID: str = ""
    ENTRA_TENANTS: str = ""
    ENTRA_CLIENT_SECRET: str = field(default="", repr=False)
    ENTRA_API_URI: str = ""
    SECRET_KEY: str = field(default="", repr=False)
    SECRET_KEY_FILE: Path = ROOT / "instance" / "secret.key"
    PDF_CONVERTERS: int = 2
    PDF_TIMEOUT: float = 60.0
    PDF_QUEUE: int = 8
    PDF_SOFFICE: str = "soffice"
    PDF_PYTHON: str = "/usr/bin/python3"
    REDIS_URL: str = ""
    """Set (redis://host:6379/0): batch items go to an RQ queue that ``flask worker`` processes run.
    Empty: they run on BATCH_WORKERS threads of the server."""
    BATCH_WORKERS: int = 2
    BATCH_QUEUE: str = "batches"
    BATCH_ITEM_TIMEOUT: int = 180
    """Seconds one queued item may take; a worker silent that long (plus a minute) is presumed dead and its
    item retried by another."""
    RATE_LIMIT_GENERATION: str = "120 per minute"
    """Documents one user may generate, regenerate or preview (Flask-Limiter notation; empty: no limit)."""
    RATE_LIMIT_UPLOADS: str = "30 per minute"
    """Roster imports, tracker summaries and template publications one user may send."""
    RATE_LIMIT_BATCHES: str = "10 per minute"
    """Batches one user may start."""
    RATE_LIMIT_PREFIX: str = "freelance-limits"
    """Where in Redis the counts are kept: deployments sharing one Redis each take their own."""
    STORAGE_QUOTA: int = 10 * 1024**3
    """Bytes of documents, PDFs and template versions one tenant may keep (0: no quota)."""

    @property
    def pdf(self) -> PdfSettings:
        """The PDF converters' settings."""
        return PdfSettings(self.PDF_CONVERTERS, self.PDF_TIMEOUT, self.PDF_QUEUE, self.PDF_SOFFICE, self.PDF_PYTHON)

    @property
    def identity(self) -> EntraSettings | None:
        """Sign-in settings when ENTRA_CLIENT_ID is set (Entra ID mode), else None (local mode)."""
        if not self.ENTRA_CLIENT_ID:
            return None
        # Entra ID writes ids in lower case in tokens (aud, tid); settings may not.
        client_id = self.ENTRA_CLIENT_ID.strip().lower()
        tenants = {t.strip().lower() for t in f"{self.ENTRA_TENANT_ID},{self.ENTRA_TENANTS}".split(",") if t.strip()}
        api_uri = self.ENTRA_API_URI or f"api://{urlsplit(self.PUBLIC_URL).netloc}/{client_id}"
        return EntraSettings(client_id, frozenset(tenants), api_uri, self.ENTRA_CLIENT_SECRET)

    @classmethod
    def load(cls, values: Mapping[str, str] | None = None) -> Settings:
        """Return settings from ``values`` (default: ``os.environ``), converting each to its type."""
        values = os.environ if values is None else values
        found = {}
        for spec in fields(cls):
            if spec.name in values:
                found[spec.name] = _convert(spec.type, values[spec.name], spec.name)
        if "PUBLIC_URL" not in found and "PORT" in found:
            found["PUBLIC_URL"] = f"https://localhost:{found['PORT']}"
        settings = cls(**found)
        settings._check()
        return settings

    def _check(self) -> None:
        if not self.PUBLIC_URL.startswith("https://"):
            raise ValueError(
                f"PUBLIC_URL must be an https:// address (Office loads add-ins over HTTPS only), not {self.PUBLIC_URL!r}"
            )
        identity = self.identity
        if identity is None and self.HOST not in LOOPBACK:
            raise ValueError(
                f"HOST={self.HOST} is refused: without sign-in every request acts as the one local user, "
                "so the server listens on 127.0.0.1 only; set ENTRA_CLIENT_ID and ENTRA_TENANT_ID to serve "
                "other machines (README.md, 'Sign-in with Microsoft Entra ID')."
            )
        if identity is not None and not _is_uuid(identity.client_id):
            raise ValueError(
                f"ENTRA_CLIENT_ID must be the app registration's Application (client) ID, a GUID, not {identity.client_id!r}."
            )
        if identity is not None and not identity.tenants:
            raise ValueError("ENTRA_CLIENT_ID is set but no tenant is allowed: set ENTRA_TENANT_ID or ENTRA_TENANTS.")
        if identity is not None and not identity.client_secret:
            raise ValueError(
                "ENTRA_CLIENT_ID is set but ENTRA_CLIENT_SECRET is not: the server needs the app's "
                "client secret to act on the user's behalf (saving to OneDrive)."
            )


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _convert(kind: object, raw, name: str):
    if not isinstance(raw, str):
        return raw
    if kind == "bool":
        if raw.lower() not in {"1", "0", "true", "false", "yes", "no"}:
            raise ValueError(f"{name} must be true or false, not {raw!r}")
        return raw.lower() in {"1", "true", "yes"}
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "Path":
        return Path(raw)
    return raw

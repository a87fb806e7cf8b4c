"""Settings from the environment: one object, safe defaults; tests pass a mapping instead."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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
    ADDIN_DIR: Path = ROOT / "addin"
    MANIFEST: Path = ROOT / "manifest.xml"
    OFFICE_JS_URL: str = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js"

    @classmethod
    def load(cls, values: Mapping[str, str] | None = None) -> "Settings":
        """Return settings from ``values`` (default: ``os.environ``), converting each to its type."""
        values = os.environ if values is None else values
        found = {}
        for spec in fields(cls):
            if spec.name in values:
                found[spec.name] = _convert(spec.type, values[spec.name], spec.name)
        settings = cls(**found)
        if not settings.PUBLIC_URL.startswith("https://"):
            raise ValueError(f"PUBLIC_URL must be an https:// address (Office loads add-ins over HTTPS only), not {settings.PUBLIC_URL!r}")
        return settings


def _convert(kind: str, raw, name: str):
    if not isinstance(raw, str):
        return raw
    if kind == "bool":
        if raw.lower() not in {"1", "0", "true", "false", "yes", "no"}:
            raise ValueError(f"{name} must be true or false, not {raw!r}")
        return raw.lower() in {"1", "true", "yes"}
    if kind == "int":
        return int(raw)
    if kind == "Path":
        return Path(raw)
    return raw

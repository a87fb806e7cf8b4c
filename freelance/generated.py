"""A document just generated: its bytes and what its record says of it (template, version, data)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
"""The media type of each format a template makes."""


@dataclass(frozen=True)
class Generated:
    """A document just rendered: its bytes and what its record says of it."""

    content: bytes
    filename: str
    template: str
    template_version: str
    format: str
    data: dict[str, Any]
    kind: str
    """Which model its data follows: sow, nda-mutual, nda-one-way, budget, or custom (a company's own)."""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

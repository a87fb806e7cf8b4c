"""Short-lived signed links to a generated document (or a batch's zip), for a browser that carries no access token.

A token names one tenant's document and the moment it was signed, under an HMAC of the server's secret
(itsdangerous); it is good for ``LIFETIME``. A token is signed for one purpose (``DOCUMENT`` or ``BATCH``) and
is no good for another. The web layer puts the token in a URL; this module knows no Flask.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from .errors import LinkExpired, NotFound

LIFETIME = timedelta(minutes=5)
"""How long a link downloads its document: long enough to open a browser, short enough to leak little."""

DOCUMENT, BATCH = "document", "batch"
"""What a link downloads: a document's file, or a batch's zip."""

_EXPIRED = "This download link has expired: download the document again from the pane."
_UNKNOWN = "There is no such download link."


@dataclass(frozen=True)
class Link:
    """What a valid token grants: one document (or batch, for a batch link) of one tenant."""

    tenant: str
    document_id: str


def sign(
    secret: str, tenant: str, document_id: str, now: datetime | None = None, purpose: str = DOCUMENT
) -> tuple[str, datetime]:
    """Return a token for the tenant's document, signed with ``secret`` at ``now`` (default: the clock),
    and the moment (UTC, whole seconds) from which ``verify`` calls it expired."""
    signed_at = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    token = _serializer(secret, purpose, signed_at).dumps([tenant, document_id])
    return token, signed_at + LIFETIME


def verify(secret: str, token: str, now: datetime | None = None, purpose: str = DOCUMENT) -> Link:
    """Return the Link a token signed with ``secret`` for ``purpose`` grants.

    Raise LinkExpired once ``LIFETIME`` has passed since it was signed (at ``now``, default: the clock),
    NotFound for anything else: tampered, cut short, signed with another secret or for another purpose.
    """
    try:
        payload, signed_at = _serializer(secret, purpose).loads(token, return_timestamp=True)
    except BadData:
        raise NotFound(_UNKNOWN) from None
    match payload:
        case [str(tenant), str(document_id)]:
            pass
        case _:
            raise NotFound(_UNKNOWN)
    if (now or datetime.now(UTC)) >= signed_at + LIFETIME:
        raise LinkExpired(_EXPIRED)
    return Link(tenant, document_id)


def key_from_file(path: Path) -> str:
    """Return the secret kept in ``path``, first writing a new random one there (mode 0600) if it has none.

    The file appears whole or not at all (written beside it, then hard-linked into place), so processes
    that start together agree on one secret; the first to link it wins.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
        try:
            with os.fdopen(handle, "w", encoding="ascii") as file:
                file.write(secrets.token_urlsafe(32))
            with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    key = path.read_text("ascii").strip()
    if not key:
        raise ValueError(f"The secret key file {path} is empty: delete it and a new key is made.")
    return key


class Links:
    """Signs and checks links with the server's one secret: ``secret`` when set, else the key kept in
    ``key_file``, read (or made) when the first link is signed or checked, then kept."""

    def __init__(self, secret: str, key_file: Path):
        self._secret, self._key_file = secret, key_file

    def sign(
        self, tenant: str, document_id: str, now: datetime | None = None, purpose: str = DOCUMENT
    ) -> tuple[str, datetime]:
        """Return a token for the tenant's document (or batch) and when it expires, as ``sign`` does."""
        return sign(self._key(), tenant, document_id, now, purpose)

    def verify(self, token: str, now: datetime | None = None, purpose: str = DOCUMENT) -> Link:
        """Return the Link the token grants; raise LinkExpired or NotFound, as ``verify`` does."""
        return verify(self._key(), token, now, purpose)

    def _key(self) -> str:
        # Read on first use, not at start: an app that never signs a link (a CLI command, a test)
        # leaves no key file behind.
        if not self._secret:
            self._secret = key_from_file(self._key_file)
        return self._secret


def _serializer(secret: str, purpose: str, signed_at: datetime | None = None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        secret, salt=f"{purpose}-link", signer=_ClockedSigner, signer_kwargs={"signed_at": signed_at}
    )


class _ClockedSigner(TimestampSigner):
    """itsdangerous' timestamp signer, stamping ``signed_at`` instead of the clock's time when given."""

    def __init__(self, *args: Any, signed_at: datetime | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._signed_at = signed_at

    def get_timestamp(self) -> int:
        return super().get_timestamp() if self._signed_at is None else int(self._signed_at.timestamp())

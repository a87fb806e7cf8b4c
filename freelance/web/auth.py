"""Who each API request acts for: the local user (local mode) or the Entra ID user of its bearer token.

In local mode the server answers this machine only: its own loopback addresses, no proxy, and only
requests addressed to it by a loopback name (a DNS-rebinding page addresses its own host name).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, g, jsonify, request

from ..errors import NotAllowed, NotSignedIn
from ..identity import LOCAL_USER, SCOPE, User
from .openapi import documented
from .schemas import ClientConfig, SignIn
from .services import services

bp = Blueprint("auth", __name__)
_PUBLIC = ("/api/config", "/api/openapi.json")
_SEND_TOKEN = "Sign in: send your access token as 'Authorization: Bearer <token>'."
_BY_LINK = ("documents.download_by_link", "batches.download_by_link")  # signed links: their own credential
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP", "True-Client-IP", "CF-Connecting-IP", "X-Client-IP")
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
_HOST = re.compile(r"(\[[0-9a-f:.]+\]|[^:\[\]@]+)(?::([0-9]{1,5}))?", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def current_user() -> User:
    """Return the user the current request acts for: tenant, object id, name (``LOCAL_USER`` in local mode)."""
    user: User | None = g.get("user")
    if user is None:
        raise NotSignedIn(_SEND_TOKEN, error="")
    return user


@bp.get("/api/config")
@documented("Client configuration", responses={200: ClientConfig})
def client_config() -> Response:
    """What the pane needs to know before its first call: whether to sign in, and for which API."""
    identity = services().settings.identity
    sign_in = None if identity is None else SignIn(client_id=identity.client_id, scopes=[f"{identity.api_uri}/{SCOPE}"])
    return jsonify(ClientConfig(identity=sign_in).model_dump())


def _addressed_to_this_machine() -> None:
    if services().token_verifier is None and not _local_host(request.host):
        raise NotAllowed(
            "This server runs in local mode (no sign-in) and answers only requests addressed to this machine "
            f"(localhost, 127.0.0.1 or [::1] on its port), not to {request.host[:100]!r}: "
            f"open {services().settings.PUBLIC_URL}."
        )


def _local_host(host: str) -> bool:
    match = _HOST.fullmatch(host)
    if match is None:
        return False
    name, port = match[1].lower().strip("[]"), int(match[2] or _DEFAULT_PORTS.get(request.scheme, 0))
    settings = services().settings
    public = urlsplit(settings.PUBLIC_URL)
    listening = str(request.environ.get("SERVER_PORT", ""))
    served = (settings.PORT, int(listening) if listening.isdigit() else None)  # configured, and where it listens
    return (name in _LOOPBACK_NAMES and port in served) or (name, port) == (public.hostname, public.port or 443)


def _identify() -> None:
    if not request.path.startswith("/api/") or request.path in _PUBLIC:
        return
    if request.method not in _SAFE_METHODS and _from_another_site():
        raise NotAllowed("Changes are accepted only from this server's own pages, not from another site.")
    verifier = services().token_verifier
    if verifier is None:
        if not _from_this_machine(request.remote_addr) or any(h in request.headers for h in _PROXY_HEADERS):
            raise NotAllowed(
                "This server runs in local mode (no sign-in) and answers this machine only; "
                "behind a proxy, turn sign-in on."
            )
        g.user = LOCAL_USER
        return
    if request.endpoint in _BY_LINK:
        return  # opened in a system browser, which has no token to send
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotSignedIn(_SEND_TOKEN, error="")
    g.user = verifier.verify(token.strip())
    services().users.seen(g.user)


def _from_another_site() -> bool:
    # A page on any other site can send a "simple" POST (a form, no preflight) to this server; the
    # browser says where it came from. Clients that are not browsers send neither header.
    if request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
        return True
    origin = request.headers.get("Origin")
    return origin is not None and urlsplit(origin).netloc != request.host


def _from_this_machine(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def register(app: Flask) -> None:
    """Identify every API request: the local user, or the Entra ID user of its bearer token; in local mode, refuse
    every request not addressed to this machine."""
    app.before_request(_addressed_to_this_machine)
    app.before_request(_identify)
    app.register_blueprint(bp)

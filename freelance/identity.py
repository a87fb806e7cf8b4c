"""Who is asking: Entra ID access tokens validated, and Microsoft Graph tokens got on the user's behalf.

The only module that imports msal. All HTTP to Entra ID goes through an injected ``httpx.Client``,
so tests fake Microsoft at the HTTP boundary.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import jwt
import msal
import msal.exceptions

from .errors import MicrosoftFailed, MicrosoftUnavailable, NotAllowed, NotSignedIn

AUTHORITY = "https://login.microsoftonline.com"
SCOPE = "access_as_user"
GRAPH_FILES_SCOPE = "https://graph.microsoft.com/Files.ReadWrite"
_FETCH_TIMEOUT = httpx.Timeout(5.0, connect=3.0)
_WAIT_FOR_FETCH = 10.0
"""Seconds a request waits for another one's fetch of the same tenant's keys before it answers 503."""
_KEYS_UNAVAILABLE = (
    "Entra ID did not give this server the signing keys to check your sign-in: try again in a minute. "
    "If it persists, the server's administrator will find the reason in the server log."
)
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class User:
    """The person behind a request: keyed by tenant id and object id, never by email."""

    tenant: str
    oid: str
    name: str | None = None
    token: str = field(default="", repr=False)


LOCAL_USER = User("local", "local", "Local user")


@dataclass(frozen=True)
class EntraSettings:
    """The app registration: its client id, the tenants allowed in, the API's URI and its secret."""

    client_id: str
    tenants: frozenset[str]
    api_uri: str
    client_secret: str = field(default="", repr=False)


class TokenVerifier:
    """Validates access tokens for this API: RS256 only, signed by the tenant's current keys.

    Keys come from each tenant's JWKS, cached. A token with an unknown ``kid`` refetches them at most once
    per ``cooldown`` seconds (keys roll over, but a forged kid must not make us hammer Entra ID); a failed
    fetch is remembered for ``failure_cooldown`` seconds, during which tokens that need it are answered 503
    without asking again. Each tenant's keys are fetched under its own lock: a slow tenant stalls no other.
    """

    def __init__(
        self,
        settings: EntraSettings,
        http: httpx.Client,
        clock: Callable[[], float] = time.time,
        cooldown: float = 300.0,
        failure_cooldown: float = 30.0,
    ):
        self._settings, self._http, self._clock = settings, http, clock
        self._cooldown, self._failure_cooldown = cooldown, failure_cooldown
        self._tenants = {tenant: _TenantKeys() for tenant in settings.tenants}

    def verify(self, token: str) -> User:
        """Return the user the token is for; raise NotSignedIn or NotAllowed saying why, MicrosoftUnavailable
        when the tenant's keys cannot be read."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise NotSignedIn(f"The access token is malformed: {exc}.") from None
        if header.get("alg") != "RS256":
            raise NotSignedIn("The access token must be signed with RS256.")
        tenant = unverified.get("tid")
        if not isinstance(tenant, str) or tenant not in self._tenants:
            raise NotSignedIn("The access token is from a tenant this server does not admit.")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise NotSignedIn("The access token does not name the key it is signed with (kid).")
        key = self._key(tenant, kid)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                leeway=60,
                audience=[self._settings.client_id, self._settings.api_uri],
                issuer=f"{AUTHORITY}/{tenant}/v2.0",
                options={"require": ["exp", "iss", "aud", "tid", "oid"]},
            )
        except jwt.PyJWTError as exc:
            raise NotSignedIn(f"The access token is not valid: {exc}.") from None
        if SCOPE not in str(claims.get("scp", "")).split():
            raise NotAllowed(f"The access token does not grant the {SCOPE} scope of this API.")
        return User(tenant, claims["oid"], claims.get("name"), token)

    def _key(self, tenant: str, kid: str) -> jwt.PyJWK:
        cached = self._tenants[tenant]
        keys = cached.keys
        if keys is None or kid not in keys:
            keys = self._refreshed(tenant, cached, kid)
        if kid not in keys:
            raise NotSignedIn("The access token is signed with a key the tenant does not publish.")
        return keys[kid]

    def _refreshed(self, tenant: str, cached: _TenantKeys, kid: str) -> dict[str, jwt.PyJWK]:
        """Return the tenant's keys, fetched (again) when they lack ``kid`` and the cool-downs allow it; raise
        MicrosoftUnavailable when they cannot be read (or could not be, a moment ago)."""
        if not cached.lock.acquire(timeout=_WAIT_FOR_FETCH):  # another request is fetching them, slowly
            raise MicrosoftUnavailable(_KEYS_UNAVAILABLE)
        try:
            now, known = self._clock(), cached.keys
            if known is not None and (kid in known or now - cached.refetched_at < self._cooldown):
                return known
            if now - cached.failed_at < self._failure_cooldown:
                raise MicrosoftUnavailable(_KEYS_UNAVAILABLE)
            keys = cached.keys = self._fetch(tenant, cached, now)
            if known is not None:
                cached.refetched_at = now
            return keys
        finally:
            cached.lock.release()

    def _fetch(self, tenant: str, cached: _TenantKeys, now: float) -> dict[str, jwt.PyJWK]:
        url = f"{AUTHORITY}/{tenant}/discovery/v2.0/keys"
        try:
            response = self._http.get(url, timeout=_FETCH_TIMEOUT)
            response.raise_for_status()
            keys = jwt.PyJWKSet.from_dict(response.json()).keys
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
            cached.failed_at = now
            _log.warning("Reading the signing keys of tenant %s from %s failed: %s", tenant, url, exc)
            raise MicrosoftUnavailable(_KEYS_UNAVAILABLE) from None
        return {key.key_id: key for key in keys if key.key_id}


@dataclass
class _TenantKeys:
    """One tenant's signing keys by kid (None until first read), and when they were last refetched or failed."""

    keys: dict[str, jwt.PyJWK] | None = None
    refetched_at: float = float("-inf")
    failed_at: float = float("-inf")
    lock: threading.Lock = field(default_factory=threading.Lock)


class OnBehalfOf:
    """Exchanges a user's token for a Microsoft Graph token (MSAL on-behalf-of), one MSAL client per tenant."""

    def __init__(self, settings: EntraSettings, http: httpx.Client):
        self._settings, self._http = settings, _MsalHttp(http)
        self._clients: dict[str, msal.ConfidentialClientApplication] = {}
        self._lock = threading.Lock()

    def graph_token(self, user: User, scopes: tuple[str, ...] = (GRAPH_FILES_SCOPE,)) -> str:
        """Return a Graph access token for ``user``.

        Raises NotSignedIn when Entra needs the user again (with the claims to ask for, after MFA
        or consent), MicrosoftUnavailable when Entra ID does not answer, MicrosoftFailed when it errs.
        """
        try:
            result = self._client(user.tenant).acquire_token_on_behalf_of(user.token, list(scopes))
        except (httpx.HTTPError, msal.exceptions.MsalError, ValueError, KeyError) as exc:
            _log.warning("The on-behalf-of token exchange for tenant %s failed: %s", user.tenant, exc)
            raise MicrosoftUnavailable(
                "Entra ID could not be reached to save to OneDrive: try again in a minute. If it persists, "
                "the server's administrator will find the reason in the server log."
            ) from None
        if "access_token" in result:
            return result["access_token"]
        if result.get("error") in ("interaction_required", "consent_required"):
            raise NotSignedIn(
                "Microsoft needs you to sign in again (or to consent) before saving to OneDrive.",
                error="insufficient_claims",
                claims=result.get("claims") or None,
            )
        if result.get("error") == "invalid_grant":
            raise NotSignedIn("Your sign-in has expired: sign in again.")
        reason = str(result.get("error_description") or result.get("error")).rstrip(".")
        raise MicrosoftFailed(f"Entra ID refused the token exchange: {reason}.")

    def _client(self, tenant: str) -> msal.ConfidentialClientApplication:
        # Created lazily: nothing is fetched from Entra ID until a user first saves to OneDrive.
        with self._lock:
            if tenant not in self._clients:
                self._clients[tenant] = msal.ConfidentialClientApplication(
                    self._settings.client_id,
                    client_credential=self._settings.client_secret,
                    authority=f"{AUTHORITY}/{tenant}",
                    http_client=self._http,
                )
            return self._clients[tenant]


class _MsalHttp:
    """The requests-like client MSAL expects, on top of httpx."""

    def __init__(self, http: httpx.Client):
        self._http = http

    def get(self, url, params=None, headers=None, **_options):
        return self._http.get(url, params=params, headers=headers, timeout=10)

    def post(self, url, params=None, data=None, headers=None, **_options):
        return self._http.post(url, params=params, data=data, headers=headers, timeout=10)

    def close(self) -> None:
        """The injected client belongs to the app, which closes it."""


def challenge(error: NotSignedIn | None, realm: str) -> str:
    """Return the WWW-Authenticate value of a 401 (RFC 6750): the error, and any claims, base64-encoded."""
    value = f'Bearer realm="{realm}"'
    if error is not None:
        value += f', error="{error.error}", error_description="{error.message.replace(chr(34), chr(39))}"'
        if error.claims:
            value += f', claims="{base64.b64encode(error.claims.encode()).decode()}"'
    return value

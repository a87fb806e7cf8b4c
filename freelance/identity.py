"""Who is asking: Entra ID access tokens validated, and Microsoft Graph tokens got on the user's behalf.

The only module that imports msal. All HTTP to Entra ID goes through an injected ``httpx.Client``,
so tests fake Microsoft at the HTTP boundary.
"""

from __future__ import annotations

import base64
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

    Keys come from the tenant's JWKS, cached; a token with an unknown ``kid`` refetches them at
    most once per ``cooldown`` seconds (keys roll over, but a forged kid must not make us hammer Entra).
    """

    def __init__(
        self,
        settings: EntraSettings,
        http: httpx.Client,
        clock: Callable[[], float] = time.time,
        cooldown: float = 300.0,
    ):
        self._settings, self._http, self._clock, self._cooldown = settings, http, clock, cooldown
        self._keys: dict[str, dict[str, jwt.PyJWK]] = {}
        self._refetched_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def verify(self, token: str) -> User:
        """Return the user the token is for; raise NotSignedIn or NotAllowed saying why."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise NotSignedIn(f"The access token is malformed: {exc}.") from None
        if header.get("alg") != "RS256":
            raise NotSignedIn("The access token must be signed with RS256.")
        tenant = unverified.get("tid")
        if not isinstance(tenant, str) or tenant not in self._settings.tenants:
            raise NotSignedIn("The access token is from a tenant this server does not admit.")
        key = self._key(tenant, header.get("kid"))
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

    def _key(self, tenant: str, kid: object) -> jwt.PyJWK:
        with self._lock:
            keys = self._keys.get(tenant)
            if keys is None:
                keys = self._keys[tenant] = self._fetch(tenant)
            elif kid not in keys and self._clock() - self._refetched_at.get(tenant, float("-inf")) >= self._cooldown:
                self._refetched_at[tenant] = self._clock()
                keys = self._keys[tenant] = self._fetch(tenant)
        if kid not in keys:
            raise NotSignedIn("The access token is signed with a key the tenant does not publish.")
        return keys[kid]

    def _fetch(self, tenant: str) -> dict[str, jwt.PyJWK]:
        try:
            response = self._http.get(f"{AUTHORITY}/{tenant}/discovery/v2.0/keys", timeout=10)
            response.raise_for_status()
            keys = jwt.PyJWKSet.from_dict(response.json()).keys
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
            raise MicrosoftUnavailable(
                f"The signing keys of Entra ID could not be read: {str(exc).rstrip('.')}."
            ) from None
        return {key.key_id: key for key in keys if key.key_id}


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
            raise MicrosoftUnavailable(f"Entra ID could not be reached: {str(exc).rstrip('.')}.") from None
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

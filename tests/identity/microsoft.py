"""A fake Microsoft (Entra ID and Graph) at the HTTP boundary, and the tenants, users and settings the identity tests use."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask.testing import FlaskClient

CLIENT_ID = "6f1c0e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
"""The app registration's client id (the API's audience)."""


API_URI = f"api://freelance.contoso.com/{CLIENT_ID}"
SECRET = "s3cret"
CONTOSO = "72f988bf-86f1-41af-91ab-2d7cd011db47"
FABRIKAM = "0b8f1b61-9a5e-4d2a-8f3e-1c2d3e4f5a6b"
"""The two tenants on the allow-list."""


NORTHWIND = "d3a1c2b4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
"""A real tenant, but not one this server admits."""


ALICE = "a11ce000-0000-4000-8000-000000000001"
CAROL = "ca201000-0000-4000-8000-000000000003"
BRUNO = "b2040000-0000-4000-8000-000000000002"
"""Object ids: Alice and Carol work at Contoso, Bruno at Fabrikam."""


LOGIN = "https://login.microsoftonline.com"
GRAPH_FILES = "https://graph.microsoft.com/Files.ReadWrite"
OBO_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
POLICY_CLAIMS = '{"access_token":{"polids":{"essential":true,"values":["9ab03e19-ed42-4168-b6b7-7001fb3e933a"]}}}'
"""What Entra ID asks for when a Conditional Access policy (MFA) needs the user again."""


CAE_CLAIMS = '{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}'
"""What Graph asks for when Continuous Access Evaluation revoked the token."""


@functools.cache
def rsa_key(n: int) -> rsa.RSAPrivateKey:
    """The n-th locally generated signing key (made once per session: RSA key generation is slow)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


UPLOAD_HOST = "contoso-my.sharepoint.com"


@dataclass
class Hold:
    """A hanging endpoint: ``arrived`` is set when a request waits on it, which answers once ``released`` is set."""

    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)


SESSION = ":/createUploadSession"


class FakeMicrosoft:
    """Entra ID and Graph as an httpx transport handler; ``requests`` holds every request it answered.

    Switches: ``entra`` ("token", "interaction_required", "server_error", "timeout", "discovery_down"),
    ``graph`` ("created", "cae", "unavailable", "throttled", "server_error", "unreachable", "timeout",
    "garbled", "fragment_fails"), ``jwks_down``, and ``hold_jwks(tenant)`` (a tenant's keys endpoint hangs until
    released). What the app sent wrong is kept in ``complaints`` (answered with a 400).
    """

    def __init__(self, tenants: tuple[str, ...] = (CONTOSO, FABRIKAM, NORTHWIND)):
        self._next_key = 0
        self.keys: dict[str, dict[str, rsa.RSAPrivateKey]] = {tenant: {} for tenant in tenants}
        for tenant in tenants:
            self.publish_key(tenant)
        self.requests: list[httpx.Request] = []
        self.complaints: list[str] = []
        self.entra = "token"
        self.graph = "created"
        self.jwks_down = False
        self.jwks_holds: dict[str, Hold] = {}
        self.graph_tokens: dict[str, dict] = {}
        self.uploads: list[dict] = []
        self.sessions: dict[str, dict] = {}  # upload sessions open, by id

    # -- keys and tokens ------------------------------------------------------------------------

    def publish_key(self, tenant: str) -> str:
        """Add a new signing key to the tenant's JWKS (tokens are signed with it from now on); return its kid."""
        kid = f"key-{self._next_key}"
        self.keys[tenant][kid] = rsa_key(self._next_key)
        self._next_key += 1
        return kid

    def hold_jwks(self, tenant: str) -> Hold:
        """Make the tenant's keys endpoint hang (a slow Entra ID) until the returned hold is released."""
        self.jwks_holds[tenant] = Hold()
        return self.jwks_holds[tenant]

    def retire_keys(self, tenant: str, keep: str) -> None:
        """Stop publishing every key of the tenant but ``keep``."""
        self.keys[tenant] = {keep: self.keys[tenant][keep]}

    def current_kid(self, tenant: str) -> str:
        return list(self.keys[tenant])[-1]

    def claims(self, tenant: str = CONTOSO, oid: str = ALICE, **changes) -> dict:
        """An access token's claims as Entra ID issues them for this API (v2.0), with ``changes``;
        a change to None drops the claim."""
        now, short = int(time.time()), (oid or "none")[:4]
        claims = {
            "aud": CLIENT_ID,
            "iss": f"{LOGIN}/{tenant}/v2.0",
            "iat": now - 10,
            "nbf": now - 10,
            "exp": now + 3600,
            "tid": tenant,
            "oid": oid,
            "sub": f"sub-{oid}",
            "name": f"User {short}",
            "preferred_username": f"{short}@example.com",
            "scp": "access_as_user",
            "ver": "2.0",
            "azp": "ea5a67f6-b6f3-4338-b240-c655ddc3cc8e",
        }
        claims.update(changes)
        return {name: value for name, value in claims.items() if value is not None}

    def token(
        self,
        tenant: str = CONTOSO,
        oid: str = ALICE,
        *,
        kid: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        algorithm: str = "RS256",
        headers: dict | None = None,
        **changes,
    ) -> str:
        """An access token signed with the tenant's current key (or ``key`` under ``kid``)."""
        kid = kid or self.current_kid(tenant)
        key = key or self.keys[tenant][kid]
        return jwt.encode(
            self.claims(tenant, oid, **changes), key, algorithm=algorithm, headers={"kid": kid, **(headers or {})}
        )

    def unsigned_token(self, **changes) -> str:
        """A token with ``alg: none`` and no signature."""
        header = b64url(json.dumps({"alg": "none", "typ": "JWT", "kid": self.current_kid(CONTOSO)}).encode())
        return f"{header}.{b64url(json.dumps(self.claims(**changes)).encode())}."

    def hmac_token_with_public_key(self, tenant: str = CONTOSO) -> str:
        """The algorithm-confusion attack: HS256 with the tenant's *public* key (which anyone can read) as the secret."""
        kid = self.current_kid(tenant)
        public_pem = (
            self.keys[tenant][kid]
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
        signing_input = (
            b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
            + "."
            + b64url(json.dumps(self.claims(tenant)).encode())
        )
        signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{b64url(signature)}"

    # -- what was asked ---------------------------------------------------------------------------

    def calls(self, method: str, path_end: str, tenant: str | None = None) -> list[httpx.Request]:
        """The requests with ``method`` whose path ends with ``path_end`` (for ``tenant``, if given)."""
        return [
            r
            for r in self.requests
            if r.method == method
            and r.url.path.endswith(path_end)
            and (tenant is None or r.url.path.startswith(f"/{tenant}/"))
        ]

    def jwks_fetches(self, tenant: str | None = None) -> int:
        return len(self.calls("GET", "/discovery/v2.0/keys", tenant))

    def discoveries(self) -> int:
        return len(self.calls("GET", "/v2.0/.well-known/openid-configuration"))

    def token_requests(self) -> list[dict[str, str]]:
        return [_form(r) for r in self.calls("POST", "/oauth2/v2.0/token")]

    def uploads_made(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "PUT" and r.url.host == "graph.microsoft.com"]

    def fragments_sent(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.host == UPLOAD_HOST and r.method == "PUT"]

    # -- the transport ----------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if request.url.host == "login.microsoftonline.com":
            return self._entra(request)
        if request.url.host == "graph.microsoft.com":
            return self._graph(request)
        if request.url.host == UPLOAD_HOST:
            return self._fragment(request)
        return self._complain(request, f"unexpected host {request.url.host}")

    def _complain(self, request: httpx.Request, problem: str) -> httpx.Response:
        self.complaints.append(f"{request.method} {request.url}: {problem}")
        return httpx.Response(400, json={"error": "invalid_request", "error_description": problem})

    def _entra(self, request: httpx.Request) -> httpx.Response:
        tenant, _, rest = request.url.path.lstrip("/").partition("/")
        if tenant not in self.keys:
            return httpx.Response(
                400, json={"error": "invalid_tenant", "error_description": f"AADSTS90002: Tenant '{tenant}' not found."}
            )
        if request.method == "GET" and rest == "discovery/v2.0/keys":
            if (hold := self.jwks_holds.get(tenant)) is not None:
                hold.arrived.set()
                hold.released.wait(timeout=60)
            if self.jwks_down:
                return httpx.Response(503, text="Service Unavailable")
            return httpx.Response(
                200, json={"keys": [_jwk(kid, key, tenant) for kid, key in self.keys[tenant].items()]}
            )
        if request.method == "GET" and rest == "v2.0/.well-known/openid-configuration":
            if self.entra == "discovery_down":
                return httpx.Response(503, text="Service Unavailable")
            return httpx.Response(200, json=_openid_configuration(tenant))
        if request.method == "POST" and rest == "oauth2/v2.0/token":
            return self._token(request, tenant)
        return self._complain(request, "no such Entra ID endpoint")

    def _token(self, request: httpx.Request, tenant: str) -> httpx.Response:
        if request.url.query:
            return self._complain(request, "the token request carries a query string")
        form = _form(request)
        problems = [
            f"{name} is {form.get(name)!r}, not {want!r}"
            for name, want in [
                ("grant_type", OBO_GRANT),
                ("requested_token_use", "on_behalf_of"),
                ("client_id", CLIENT_ID),
                ("client_secret", SECRET),
            ]
            if form.get(name) != want
        ]
        if GRAPH_FILES not in form.get("scope", "").split():
            problems.append(f"scope {form.get('scope')!r} lacks {GRAPH_FILES}")
        try:
            user = jwt.decode(form.get("assertion", ""), options={"verify_signature": False})
        except jwt.PyJWTError:
            user = {}
        if user.get("tid") != tenant:
            problems.append(f"the assertion is for tenant {user.get('tid')!r}, asked of tenant {tenant}")
        if problems:
            return self._complain(request, "; ".join(problems))
        if self.entra == "timeout":
            raise httpx.ReadTimeout("The read operation timed out", request=request)
        if self.entra == "server_error":
            return httpx.Response(
                500, json={"error": "server_error", "error_description": "AADSTS90033: A transient error has occurred."}
            )
        if self.entra == "interaction_required":
            return httpx.Response(
                400,
                json={
                    "error": "interaction_required",
                    "error_codes": [50079],
                    "suberror": "basic_action",
                    "claims": POLICY_CLAIMS,
                    "error_description": "AADSTS50079: Due to a configuration change made by your administrator, "
                    "you must enroll in multi-factor authentication.",
                },
            )
        graph_token = f"graph-{uuid.uuid4()}"
        self.graph_tokens[graph_token] = {"tid": user["tid"], "oid": user["oid"], "assertion": form["assertion"]}
        return httpx.Response(
            200,
            json={
                "token_type": "Bearer",
                "scope": f"{GRAPH_FILES} openid profile",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": graph_token,
            },
        )

    def _graph(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        prefix, suffix = "/v1.0/me/drive/root:/Freelance contracts/", ":/content"
        opening = request.method == "POST" and path.startswith(prefix) and path.endswith(SESSION)
        if opening:
            if json.loads(request.content or b"null") != {"item": {"@microsoft.graph.conflictBehavior": "rename"}}:
                return self._complain(request, "an upload session not asked with conflictBehavior=rename")
            suffix = SESSION
        elif request.method != "PUT" or not path.startswith(prefix) or not path.endswith(suffix):
            return self._complain(request, "not an upload into Freelance contracts/")
        elif dict(request.url.params) != {"@microsoft.graph.conflictBehavior": "rename"}:
            return self._complain(request, f"query {request.url.params} is not conflictBehavior=rename")
        elif len(request.content) > 4 * 1024 * 1024:
            return self._complain(request, "a single PUT of over 4 MB")
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or token not in self.graph_tokens:
            return self._complain(request, "the Bearer is not a token Entra ID issued for Graph")
        if self.graph == "unreachable":
            raise httpx.ConnectError("[Errno 101] Network is unreachable", request=request)
        if self.graph == "timeout":
            raise httpx.ReadTimeout("The read operation timed out", request=request)
        if self.graph == "cae":
            return httpx.Response(
                401,
                json={"error": {"code": "InvalidAuthenticationToken", "message": "Access token is revoked."}},
                headers={
                    "WWW-Authenticate": 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
                    'client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", '
                    f'claims="{base64.b64encode(CAE_CLAIMS.encode()).decode()}"'
                },
            )
        if self.graph in ("unavailable", "throttled", "server_error"):
            status = {"unavailable": 503, "throttled": 429, "server_error": 500}[self.graph]
            return httpx.Response(
                status,
                headers={"Retry-After": "10"},
                json={
                    "error": {
                        "code": "serviceNotAvailable" if status != 500 else "generalException",
                        "message": "The service is temporarily unavailable."
                        if status != 500
                        else "An unspecified error has occurred.",
                    }
                },
            )
        if self.graph == "garbled":
            return httpx.Response(
                200, text="<html><body>Sign in to the proxy</body></html>", headers={"Content-Type": "text/html"}
            )
        name = path[len(prefix) : -len(suffix)]
        owner = self.graph_tokens[token]
        if opening:
            session = str(uuid.uuid4())
            self.sessions[session] = {"name": name, "owner": owner, "content": b""}
            upload_url = f"https://{UPLOAD_HOST}/up/{session}"
            return httpx.Response(200, json={"uploadUrl": upload_url, "nextExpectedRanges": ["0-"]})
        return self._created(name, request.content, owner)

    def _created(self, name: str, content: bytes, owner: dict) -> httpx.Response:
        self.uploads.append({"name": name, "content": content, **owner})
        return httpx.Response(
            201,
            json={
                "id": str(uuid.uuid4()),
                "name": name,
                "size": len(content),
                "webUrl": f"https://contoso-my.sharepoint.com/personal/{owner['oid']}/Documents/Freelance%20contracts/{name}",
            },
        )

    def _fragment(self, request: httpx.Request) -> httpx.Response:
        """A PUT of a byte range to an upload session (pre-authenticated: no Authorization), or its DELETE."""
        session = self.sessions.get(request.url.path.removeprefix("/up/"))
        if session is None:
            return httpx.Response(404, json={"error": {"code": "itemNotFound", "message": "No such session."}})
        if request.method == "DELETE":
            del self.sessions[request.url.path.removeprefix("/up/")]
            return httpx.Response(204)
        if "Authorization" in request.headers:
            return self._complain(request, "an Authorization header sent to a pre-authenticated upload URL")
        if self.graph == "fragment_fails":
            return httpx.Response(500, json={"error": {"code": "generalException", "message": "Upload failed."}})
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", request.headers.get("Content-Range", ""))
        if not match:
            return self._complain(request, "a fragment without Content-Range: bytes start-end/size")
        start, end, size = map(int, match.groups())
        received = session["content"]
        if start != len(received) or end - start + 1 != len(request.content) or end >= size:
            return self._complain(request, f"range {start}-{end}/{size} after {len(received)} bytes received")
        if end + 1 < size and len(request.content) % (320 * 1024):
            return self._complain(request, "a fragment that is not a multiple of 320 KiB")
        session["content"] = received + request.content
        if end + 1 < size:
            return httpx.Response(202, json={"nextExpectedRanges": [f"{end + 1}-"]})
        del self.sessions[request.url.path.removeprefix("/up/")]
        return self._created(session["name"], session["content"], session["owner"])


def _form(request: httpx.Request) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(request.content.decode()).items()}


def _jwk(kid: str, key: rsa.RSAPrivateKey, tenant: str) -> dict:
    return jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True) | {
        "kid": kid,
        "use": "sig",
        "issuer": f"{LOGIN}/{tenant}/v2.0",
    }


def _openid_configuration(tenant: str) -> dict:
    base = f"{LOGIN}/{tenant}"
    return {
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": f"{base}/v2.0",
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "tid", "oid"],
        "kerberos_endpoint": f"{base}/kerberos",
        "tenant_region_scope": "NA",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    }


ENTRA_CONFIG = {
    "ENTRA_CLIENT_ID": CLIENT_ID,
    "ENTRA_TENANT_ID": "",
    "ENTRA_TENANTS": f"{CONTOSO},{FABRIKAM}",
    "ENTRA_CLIENT_SECRET": SECRET,
    "PUBLIC_URL": "https://freelance.contoso.com",
}


def token_of(client: FlaskClient) -> str:
    """The access token a signed-in client sends."""
    return client.environ_base["HTTP_AUTHORIZATION"].removeprefix("Bearer ")

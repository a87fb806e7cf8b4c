"""Entra ID mode: every /api request needs a valid access token for this API, in the Authorization header."""

from __future__ import annotations

import json
import re
import threading
import time

import httpx
import jwt
import pytest

from freelance.errors import MicrosoftUnavailable, NotSignedIn
from freelance.identity import EntraSettings, TokenVerifier
from tests.identity.microsoft import ALICE, API_URI, BRUNO, CLIENT_ID, CONTOSO, FABRIKAM, LOGIN, NORTHWIND, rsa_key

CHALLENGE = re.compile(r'Bearer realm="Freelance Toolkit"((, \w+="[^"]*")*)')


def challenge_params(response) -> dict[str, str]:
    """The auth-params of the response's WWW-Authenticate, asserting it is one well-formed Bearer challenge."""
    header = response.headers.get("WWW-Authenticate", "")
    match = CHALLENGE.fullmatch(header)
    assert match, f"not a well-formed Bearer challenge: {header!r}"
    return dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))


def get(client, token: str, path: str = "/api/freelancers"):
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(
    "audience",
    [
        CLIENT_ID,  # v2.0 tokens name the app by its client id
        API_URI,  # and some clients ask for the Application ID URI
    ],
)
def test_a_valid_token_for_either_form_of_the_apis_audience_is_accepted(anonymous, microsoft, audience):
    response = get(anonymous, microsoft.token(aud=audience))
    assert response.status_code == 200, response.json


@pytest.mark.parametrize(
    "path",
    [
        "/api/freelancers",  # the roster
        "/api/documents",  # the documents
        "/api/templates",  # the catalog
        "/api/freelancers/export",  # the whole roster at once
    ],
)
def test_a_request_without_a_token_is_refused_with_a_bearer_challenge(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 401
    assert challenge_params(response) == {}  # no error: nothing was sent (RFC 6750 section 3.1)
    assert "Authorization: Bearer" in response.json["error"]


def now(offset: int = 0) -> int:
    return int(time.time()) + offset


OTHER_CLIENT = "11111111-2222-4333-8444-555555555555"


@pytest.mark.parametrize(
    "make",
    [
        lambda ms: ms.token(exp=now(-3600)),  # expired an hour ago
        lambda ms: ms.token(exp=None),  # never expires: exp is required
        lambda ms: ms.token(nbf=now(3600)),  # not valid for another hour
        lambda ms: ms.token(aud=OTHER_CLIENT),  # for another app
        lambda ms: ms.token(aud=f"api://freelance.contoso.com/{OTHER_CLIENT}"),  # for another app's URI
        lambda ms: ms.token(aud="00000003-0000-0000-c000-000000000000"),  # a Microsoft Graph token
        lambda ms: ms.token(aud=None),  # for no one
        lambda ms: ms.token(iss=f"{LOGIN}/{FABRIKAM}/v2.0"),  # Contoso's tid, Fabrikam's issuer
        lambda ms: ms.token(iss=f"https://sts.windows.net/{CONTOSO}/"),  # a v1.0 issuer
        lambda ms: ms.token(iss=f"{LOGIN}/common/v2.0"),  # the multi-tenant placeholder
        lambda ms: ms.token(iss=None),  # no issuer
        lambda ms: ms.token(oid=None),  # no user
        lambda ms: ms.token(tid=None),  # no tenant
        lambda ms: ms.token(kid=ms.current_kid(CONTOSO), key=rsa_key(99)),  # Contoso's kid, someone else's key
        lambda ms: ms.token(
            kid=ms.current_kid(FABRIKAM), key=ms.keys[FABRIKAM][ms.current_kid(FABRIKAM)]
        ),  # Fabrikam's key
        lambda ms: ms.token(algorithm="RS512"),  # RS256 only, even with the right key
        lambda ms: ms.token(algorithm="PS256"),  # nor RSA-PSS
        lambda ms: ms.hmac_token_with_public_key(),  # HS256, the public key as secret
        lambda ms: ms.unsigned_token(),  # alg none
        lambda ms: _with_payload(ms.token(), ms.claims(oid="a11ce000-0000-4000-8000-0000000000ff")),  # payload swapped
        lambda ms: ms.token()[:-4] + "AAAA",  # signature damaged
        lambda ms: ms.token(
            kid="evil", key=rsa_key(99), headers={"jku": "https://evil.example/keys"}
        ),  # keys from elsewhere
        lambda ms: "not-a-jwt",  # garbage
        lambda ms: "a.b.c",  # garbage in three parts
    ],
    ids=[
        "expired",
        "no-exp",
        "not-yet-valid",
        "other-aud",
        "other-aud-uri",
        "graph-aud",
        "no-aud",
        "other-tenants-iss",
        "v1-iss",
        "common-iss",
        "no-iss",
        "no-oid",
        "no-tid",
        "unknown-key",
        "other-tenants-key",
        "RS512",
        "PS256",
        "HS256-confusion",
        "alg-none",
        "tampered",
        "bad-signature",
        "jku",
        "garbage",
        "three-garbage-parts",
    ],
)
def test_an_invalid_token_is_refused_with_invalid_token(anonymous, microsoft, make):
    response = get(anonymous, make(microsoft))
    assert response.status_code == 401, response.json
    assert challenge_params(response)["error"] == "invalid_token"
    assert response.json["error"]


def _with_payload(token: str, claims: dict) -> str:
    header, _, signature = token.split(".")
    payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    return f"{header}.{payload}.{signature}"


def test_a_token_expired_within_the_clock_skew_allowance_is_still_accepted(anonymous, microsoft):
    assert get(anonymous, microsoft.token(exp=now(-30))).status_code == 200


def test_a_tenant_not_on_the_allow_list_is_refused_without_fetching_its_keys(anonymous, microsoft):
    response = get(anonymous, microsoft.token(NORTHWIND))
    assert response.status_code == 401
    assert challenge_params(response)["error"] == "invalid_token"
    assert microsoft.jwks_fetches(NORTHWIND) == 0 and microsoft.requests == []


@pytest.mark.parametrize(
    "scopes",
    [
        None,  # no scp at all
        "",  # an empty one
        "User.Read",  # a token for other permissions
        "access_as_user_admin",  # a scope that merely starts the same
        "Access_As_User",  # scopes are case-sensitive
    ],
)
def test_a_valid_token_without_the_access_as_user_scope_is_forbidden(anonymous, microsoft, scopes):
    response = get(anonymous, microsoft.token(scp=scopes))
    assert response.status_code == 403
    assert "access_as_user" in response.json["error"]


def test_an_app_only_token_with_roles_and_no_scope_is_forbidden(anonymous, microsoft):
    assert (
        get(anonymous, microsoft.token(scp=None, roles=["Freelancers.ReadWrite.All"], idtyp="app")).status_code == 403
    )


@pytest.mark.parametrize(
    "settings",
    [
        {"ENTRA_CLIENT_ID": CLIENT_ID.upper()},  # the client id pasted in capitals
        {"ENTRA_TENANTS": f"{CONTOSO.upper()},{FABRIKAM}"},  # a tenant id in capitals
    ],
)
def test_ids_written_in_capitals_still_admit_their_tokens(make_entra_app, microsoft, settings):
    response = get(make_entra_app(**settings).test_client(), microsoft.token())
    assert response.status_code == 200, response.json


def test_access_as_user_among_other_scopes_is_enough(anonymous, microsoft):
    assert get(anonymous, microsoft.token(scp="User.Read access_as_user Files.Read")).status_code == 200


@pytest.mark.parametrize(
    "send",
    [
        lambda client, token: client.get(f"/api/freelancers?access_token={token}"),  # in the query string
        lambda client, token: client.get(f"/api/documents?page=1&access_token={token}"),  # among other parameters
        lambda client, token: (client.set_cookie("access_token", token), client.get("/api/freelancers"))[
            1
        ],  # in a cookie
        lambda client, token: (client.set_cookie("token", token), client.get("/api/freelancers"))[1],  # any cookie
        lambda client, token: client.post(
            "/api/freelancers", data={"access_token": token}
        ),  # in a form body (RFC 6750 2.2)
        lambda client, token: client.get("/api/freelancers", headers={"X-Access-Token": token}),  # in a made-up header
        lambda client, token: client.get("/api/freelancers", headers={"Authorization": token}),  # without its scheme
        lambda client, token: client.get(
            "/api/freelancers", headers={"Authorization": f"Basic {token}"}
        ),  # another scheme
        lambda client, token: client.get("/api/freelancers", headers={"Authorization": "Bearer "}),  # an empty Bearer
    ],
    ids=[
        "query",
        "query-among-others",
        "cookie",
        "other-cookie",
        "form-body",
        "other-header",
        "no-scheme",
        "basic",
        "empty-bearer",
    ],
)
def test_a_token_is_accepted_from_the_authorization_header_only(anonymous, microsoft, send):
    response = send(anonymous, microsoft.token())
    assert response.status_code == 401
    assert challenge_params(response) is not None


def test_the_bearer_scheme_is_case_insensitive(anonymous, microsoft):
    assert (
        anonymous.get("/api/freelancers", headers={"Authorization": f"bearer {microsoft.token()}"}).status_code == 200
    )


def test_the_config_and_the_api_description_need_no_token(anonymous):
    assert anonymous.get("/api/config").status_code == 200
    assert anonymous.get("/api/openapi.json").status_code == 200


# -- the tenant's signing keys ----------------------------------------------------------------------


def test_the_keys_of_a_tenant_are_fetched_once_for_many_requests(sign_in, alice, carol, microsoft):
    for client in (alice, carol, alice, carol, alice, sign_in(CONTOSO, "a11ce000-0000-4000-8000-00000000000e")):
        assert client.get("/api/freelancers").status_code == 200
    assert microsoft.jwks_fetches(CONTOSO) == 1


def test_each_tenant_has_its_own_keys(alice, bruno, microsoft):
    for _ in range(3):
        assert alice.get("/api/documents").status_code == 200
        assert bruno.get("/api/documents").status_code == 200
    assert (microsoft.jwks_fetches(CONTOSO), microsoft.jwks_fetches(FABRIKAM)) == (1, 1)
    assert [r.url.path for r in microsoft.requests] == [
        f"/{CONTOSO}/discovery/v2.0/keys",
        f"/{FABRIKAM}/discovery/v2.0/keys",
    ]


def test_a_key_rollover_is_followed_by_fetching_the_keys_once_more(anonymous, microsoft):
    assert get(anonymous, microsoft.token()).status_code == 200
    microsoft.publish_key(CONTOSO)  # Entra ID signs with a new key from now on
    assert get(anonymous, microsoft.token()).status_code == 200
    assert get(anonymous, microsoft.token()).status_code == 200
    assert microsoft.jwks_fetches(CONTOSO) == 2


def test_a_burst_of_unknown_kids_fetches_the_keys_at_most_once_more(anonymous, microsoft):
    assert get(anonymous, microsoft.token()).status_code == 200
    for n in range(20):
        forged = microsoft.token(kid=f"forged-{n}", key=rsa_key(99))
        assert get(anonymous, forged).status_code == 401
    assert microsoft.jwks_fetches(CONTOSO) <= 2
    assert get(anonymous, microsoft.token()).status_code == 200  # the real key still works


def test_a_burst_of_unknown_kids_as_the_first_requests_costs_at_most_one_refetch(anonymous, microsoft):
    for n in range(20):
        assert get(anonymous, microsoft.token(kid=f"forged-{n}", key=rsa_key(99))).status_code == 401
    assert microsoft.jwks_fetches(CONTOSO) == 2  # the first fetch, then one refetch per cool-down


def test_when_entra_id_cannot_give_the_keys_the_answer_is_503_saying_what_to_do_and_not_why(anonymous, microsoft):
    microsoft.jwks_down = True
    response = get(anonymous, microsoft.token())
    assert response.status_code == 503
    assert "signing keys" in response.json["error"] and "try again" in response.json["error"]
    for detail in ("login.microsoftonline.com", "Service Unavailable", "503", CONTOSO):
        assert detail not in response.get_data(as_text=True)  # the server log has it, not the client


def test_while_the_keys_cannot_be_read_no_token_fetches_them_again(anonymous, microsoft):
    microsoft.jwks_down = True
    tokens = [microsoft.token(kid=f"forged-{n}", key=rsa_key(99)) for n in range(10)] + [microsoft.token()] * 5
    assert [get(anonymous, token).status_code for token in tokens] == [503] * 15
    assert microsoft.jwks_fetches(CONTOSO) == 1  # the failure is remembered for its cool-down


def test_a_tenant_whose_keys_cannot_be_read_does_not_stop_another_from_signing_in(anonymous, microsoft):
    microsoft.jwks_down = True
    assert get(anonymous, microsoft.token(CONTOSO)).status_code == 503
    microsoft.jwks_down = False
    assert get(anonymous, microsoft.token(FABRIKAM, BRUNO)).status_code == 200


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def verifier_and_clock(microsoft):
    """A TokenVerifier on its own, with a clock the test moves (cool-down 300 s)."""
    clock = Clock()
    with httpx.Client(transport=httpx.MockTransport(microsoft)) as http:
        settings = EntraSettings(CLIENT_ID, frozenset({CONTOSO, FABRIKAM}), API_URI)
        yield TokenVerifier(settings, http, clock=clock, cooldown=300), clock


def test_after_the_cool_down_an_unknown_kid_fetches_the_keys_once_and_a_rolled_over_key_is_accepted(
    verifier_and_clock, microsoft
):
    verifier, clock = verifier_and_clock
    assert verifier.verify(microsoft.token()).oid == ALICE
    clock.now += 301
    microsoft.publish_key(CONTOSO)
    for _ in range(3):
        assert verifier.verify(microsoft.token()).oid == ALICE
    assert microsoft.jwks_fetches(CONTOSO) == 2


def test_within_the_cool_down_forged_kids_fetch_nothing_and_after_it_one_fetch(verifier_and_clock, microsoft):
    verifier, clock = verifier_and_clock
    verifier.verify(microsoft.token())
    clock.now += 301
    for n in range(10):
        with pytest.raises(NotSignedIn):
            verifier.verify(microsoft.token(kid=f"forged-{n}", key=rsa_key(99)))
    assert microsoft.jwks_fetches(CONTOSO) == 2
    clock.now += 299
    with pytest.raises(NotSignedIn):
        verifier.verify(microsoft.token(kid="forged-again", key=rsa_key(99)))
    assert microsoft.jwks_fetches(CONTOSO) == 2


def test_a_key_the_tenant_stopped_publishing_is_refused_after_the_keys_are_fetched_again(verifier_and_clock, microsoft):
    verifier, clock = verifier_and_clock
    old_kid = microsoft.current_kid(CONTOSO)
    old_token = microsoft.token()
    verifier.verify(old_token)
    clock.now += 301
    new_kid = microsoft.publish_key(CONTOSO)
    microsoft.retire_keys(CONTOSO, keep=new_kid)
    verifier.verify(microsoft.token())  # the new kid makes it fetch again
    with pytest.raises(NotSignedIn):
        verifier.verify(microsoft.token(kid=old_kid, key=rsa_key(0)))
    with pytest.raises(NotSignedIn):
        verifier.verify(old_token)


def test_after_a_failed_fetch_the_keys_are_asked_for_again_only_after_the_failure_cool_down(
    verifier_and_clock, microsoft
):
    verifier, clock = verifier_and_clock
    microsoft.jwks_down = True
    with pytest.raises(MicrosoftUnavailable):
        verifier.verify(microsoft.token())
    microsoft.jwks_down = False  # Entra ID is back, but the failure is remembered for 30 s
    clock.now += 29
    with pytest.raises(MicrosoftUnavailable):
        verifier.verify(microsoft.token())
    assert microsoft.jwks_fetches(CONTOSO) == 1
    clock.now += 2
    assert verifier.verify(microsoft.token()).oid == ALICE
    assert microsoft.jwks_fetches(CONTOSO) == 2


def test_when_a_refetch_fails_the_keys_already_read_still_verify_and_forged_kids_wait_out_the_cool_down(
    verifier_and_clock, microsoft
):
    verifier, clock = verifier_and_clock
    verifier.verify(microsoft.token())
    clock.now += 301
    microsoft.jwks_down = True
    forged = [microsoft.token(kid=f"forged-{n}", key=rsa_key(99)) for n in range(10)]
    for token in forged:
        with pytest.raises(MicrosoftUnavailable):  # the keys could not be checked: try again, not "forged"
            verifier.verify(token)
    assert microsoft.jwks_fetches(CONTOSO) == 2  # one refetch, failed and remembered
    assert verifier.verify(microsoft.token()).oid == ALICE  # the key it knows needs no fetch
    clock.now += 31
    with pytest.raises(MicrosoftUnavailable):
        verifier.verify(forged[0])
    assert microsoft.jwks_fetches(CONTOSO) == 3


def test_a_valid_token_of_one_tenant_is_verified_while_another_tenants_keys_hang(verifier_and_clock, microsoft):
    verifier, _ = verifier_and_clock
    hold = microsoft.hold_jwks(CONTOSO)
    outcome: dict[str, object] = {}

    def contoso_request() -> None:
        try:
            outcome["contoso"] = verifier.verify(microsoft.token(CONTOSO)).oid
        except Exception as exc:  # reported below, in the test's own thread
            outcome["contoso"] = exc

    contoso = threading.Thread(target=contoso_request)
    contoso.start()
    try:
        assert hold.arrived.wait(timeout=30), "Contoso's keys were never asked for"
        assert verifier.verify(microsoft.token(FABRIKAM, BRUNO)).oid == BRUNO  # while Contoso's fetch hangs
        assert "contoso" not in outcome
    finally:
        hold.released.set()
        contoso.join(timeout=30)
    assert outcome["contoso"] == ALICE

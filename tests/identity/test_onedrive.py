"""POST /api/documents/<id>/onedrive: the user's token exchanged on their behalf, the file put in their OneDrive."""

from __future__ import annotations

import base64
import json
import re

import pytest

from tests.identity.microsoft import (
    CAE_CLAIMS,
    CLIENT_ID,
    CONTOSO,
    FABRIKAM,
    GRAPH_FILES,
    OBO_GRANT,
    POLICY_CLAIMS,
    SECRET,
    token_of,
)


def generate(client, data, template="sow") -> dict:
    response = client.post("/api/documents", json={"template": template, "data": data})
    assert response.status_code == 201, response.json
    return response.json


def save(client, document: dict):
    return client.post(f"/api/documents/{document['id']}/onedrive")


def challenge_claims(response) -> str:
    """The claims of the response's WWW-Authenticate, base64-decoded."""
    header = response.headers["WWW-Authenticate"]
    assert header.startswith('Bearer realm="Freelance Toolkit"') and 'error="insufficient_claims"' in header, header
    return base64.b64decode(re.search(r'claims="([^"]+)"', header).group(1)).decode()


def test_saving_uploads_the_document_into_freelance_contracts_and_answers_its_web_url(alice, microsoft, sow_data):
    document = generate(alice, sow_data)
    response = save(alice, document)
    assert response.status_code == 200, response.json
    assert set(response.json) == {"web_url"}
    assert response.json["web_url"].endswith("/Freelance%20contracts/SOW-2027-001 Zoe Angstrom.docx")
    [exchange] = microsoft.token_requests()
    assert exchange["grant_type"] == OBO_GRANT and exchange["requested_token_use"] == "on_behalf_of"
    assert exchange["assertion"] == token_of(alice)
    assert (exchange["client_id"], exchange["client_secret"]) == (CLIENT_ID, SECRET)
    assert GRAPH_FILES in exchange["scope"].split()
    [upload] = microsoft.uploads_made()
    assert upload.url.raw_path.startswith(
        b"/v1.0/me/drive/root:/Freelance%20contracts/SOW-2027-001%20Zoe%20Angstrom.docx:/content?"
    )
    assert upload.url.params["@microsoft.graph.conflictBehavior"] == "rename"
    assert upload.content == alice.get(document["download_url"]).data
    assert (
        microsoft.graph_tokens[upload.headers["Authorization"].removeprefix("Bearer ")]["oid"] == document["created_by"]
    )


def test_no_token_or_secret_ever_travels_in_an_address(alice, microsoft, sow_data):
    assert save(alice, generate(alice, sow_data)).status_code == 200
    secrets = [token_of(alice), SECRET, *microsoft.graph_tokens]
    assert not [str(r.url) for r in microsoft.requests if any(s in str(r.url) for s in secrets)]


def test_each_user_saves_with_their_own_tenant_and_their_own_token(alice, bruno, microsoft, sow_data):
    assert save(alice, generate(alice, sow_data)).status_code == 200
    assert save(bruno, generate(bruno, sow_data)).status_code == 200
    exchanges = microsoft.calls("POST", "/oauth2/v2.0/token")
    assert [r.url.path for r in exchanges] == [f"/{CONTOSO}/oauth2/v2.0/token", f"/{FABRIKAM}/oauth2/v2.0/token"]
    assert [u["tid"] for u in microsoft.uploads] == [CONTOSO, FABRIKAM]


def test_a_file_name_with_characters_special_in_addresses_keeps_its_name_in_onedrive(alice, microsoft, sow_data):
    sow_data["freelancer"]["name"] = "Zoë #1 O'Brien & Co 100% +plus; ~x"
    document = generate(alice, sow_data)
    assert "#1 O'Brien & Co 100% +plus; ~x" in document["filename"]
    assert save(alice, document).status_code == 200
    assert [u["name"] for u in microsoft.uploads] == [document["filename"]]


def test_entra_id_is_asked_nothing_but_the_keys_until_the_first_save(entra_app, alice, carol, microsoft, sow_data):
    document = generate(alice, sow_data)
    for client in (alice, carol, alice):
        assert client.get("/api/documents").status_code == 200
    assert (microsoft.discoveries(), microsoft.token_requests()) == (0, [])
    assert {r.url.path for r in microsoft.requests} == {f"/{CONTOSO}/discovery/v2.0/keys"}
    assert save(alice, document).status_code == 200
    assert save(carol, document).status_code == 200
    assert (microsoft.discoveries(), len(microsoft.token_requests())) == (1, 2)  # one MSAL client per tenant, kept


def test_a_claims_challenge_from_entra_id_comes_back_to_the_pane_as_401_with_the_claims(alice, microsoft, sow_data):
    document = generate(alice, sow_data)
    microsoft.entra = "interaction_required"  # Conditional Access wants MFA
    response = save(alice, document)
    assert response.status_code == 401
    assert response.json["claims"] == POLICY_CLAIMS
    assert json.loads(challenge_claims(response)) == json.loads(POLICY_CLAIMS)
    assert microsoft.uploads_made() == []


def test_a_continuous_access_evaluation_challenge_from_graph_comes_back_as_401_with_the_claims(
    alice, microsoft, sow_data
):
    document = generate(alice, sow_data)
    microsoft.graph = "cae"  # Graph revoked the token (user disabled, location changed)
    response = save(alice, document)
    assert response.status_code == 401
    assert json.loads(response.json["claims"]) == json.loads(CAE_CLAIMS)
    assert json.loads(challenge_claims(response)) == json.loads(CAE_CLAIMS)


@pytest.mark.parametrize(
    "side, mode, status, says",
    [
        ("entra", "server_error", (502, 503), "Entra ID"),  # token endpoint answers 500
        ("entra", "discovery_down", (502, 503), "Entra ID"),  # OpenID configuration 503
        ("entra", "timeout", (503,), "Entra ID"),  # the token exchange times out
        ("graph", "unavailable", (503,), "OneDrive"),  # Graph 503
        ("graph", "throttled", (503,), "OneDrive"),  # Graph 429 Too Many Requests
        ("graph", "server_error", (502,), "OneDrive"),  # Graph 500
        ("graph", "unreachable", (503,), "OneDrive"),  # no connection at all
        ("graph", "timeout", (503,), "OneDrive"),  # the upload times out
        ("graph", "garbled", (502,), "OneDrive"),  # a 200 that is not Graph's JSON (a proxy's page)
    ],
    ids=[
        "entra-500",
        "entra-discovery-503",
        "entra-timeout",
        "graph-503",
        "graph-429",
        "graph-500",
        "graph-unreachable",
        "graph-timeout",
        "graph-garbled",
    ],
)
def test_a_microsoft_outage_is_a_502_or_503_with_a_message_never_a_500(
    alice, microsoft, sow_data, side, mode, status, says
):
    document = generate(alice, sow_data)
    setattr(microsoft, side, mode)
    response = save(alice, document)
    assert response.status_code in status, response.json
    assert says in response.json["error"]


def test_when_entra_id_cannot_be_reached_the_client_is_told_what_to_do_and_not_the_error(alice, microsoft, sow_data):
    document = generate(alice, sow_data)
    microsoft.entra = "timeout"
    response = save(alice, document)
    assert response.status_code == 503
    assert "try again" in response.json["error"]
    assert "timed out" not in response.get_data(as_text=True)  # the server log has it


def test_saving_in_local_mode_says_sign_in_is_needed(client, sow_data):
    response = save(client, generate(client, sow_data))
    assert response.status_code == 400
    assert "sign-in" in response.json["error"]


def test_saving_without_a_token_is_401(anonymous, alice, microsoft, sow_data):
    document = generate(alice, sow_data)
    assert save(anonymous, document).status_code == 401
    assert microsoft.token_requests() == []


def test_saving_another_tenants_document_is_404_and_asks_microsoft_nothing(alice, bruno, microsoft, sow_data):
    document = generate(alice, sow_data)
    assert save(bruno, document).status_code == 404
    assert (microsoft.token_requests(), microsoft.uploads_made()) == ([], [])


def test_saving_an_unknown_document_is_404(alice):
    assert alice.post("/api/documents/not-a-uuid/onedrive").status_code == 404
    assert alice.post("/api/documents/00000000-0000-4000-8000-000000000000/onedrive").status_code == 404

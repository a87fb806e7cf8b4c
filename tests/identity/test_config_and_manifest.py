"""What the pane and Office learn before sign-in: GET /api/config and the served manifest."""

from __future__ import annotations

import pytest
from lxml import etree

from freelance.web.config import Settings
from tests.helpers import SCHEMAS, needs_schemas
from tests.identity.microsoft import API_URI, CLIENT_ID, CONTOSO, ENTRA_CONFIG

OV = {"ov": "http://schemas.microsoft.com/office/taskpaneappversionoverrides"}


def test_config_has_no_identity_in_local_mode(client):
    assert client.get("/api/config").json == {"identity": None}


def test_config_tells_the_pane_the_client_id_and_scope_without_a_token(anonymous, microsoft):
    response = anonymous.get("/api/config")
    assert response.status_code == 200
    assert response.json == {"identity": {"client_id": CLIENT_ID, "scopes": [f"{API_URI}/access_as_user"]}}
    assert microsoft.requests == []  # answered without asking Entra ID anything


def test_an_explicit_application_id_uri_is_the_one_the_pane_asks_for(make_entra_app):
    app = make_entra_app(ENTRA_API_URI=f"api://contoso.com/{CLIENT_ID}")
    scopes = app.test_client().get("/api/config").json["identity"]["scopes"]
    assert scopes == [f"api://contoso.com/{CLIENT_ID}/access_as_user"]


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"ENTRA_CLIENT_ID": "freelance-toolkit"}, "GUID"),  # a name, not the client id
        ({"ENTRA_CLIENT_ID": "{" + CLIENT_ID + "}"}, "GUID"),  # a GUID in braces
        ({"ENTRA_CLIENT_ID": CLIENT_ID.replace("-", "")}, "GUID"),  # without its hyphens
        ({"ENTRA_TENANT_ID": "", "ENTRA_TENANTS": ""}, "no tenant is allowed"),  # nobody could sign in
        ({"ENTRA_TENANT_ID": "", "ENTRA_TENANTS": " , "}, "no tenant is allowed"),  # blanks only
    ],
)
def test_entra_settings_that_cannot_work_are_refused_at_start(changes, problem):
    with pytest.raises(ValueError, match=problem):
        Settings.load({**ENTRA_CONFIG, **changes})


def test_the_tenant_id_and_the_tenant_list_are_both_admitted():
    identity = Settings.load({**ENTRA_CONFIG, "ENTRA_TENANT_ID": CONTOSO, "ENTRA_TENANTS": " a , b "}).identity
    assert identity.tenants == {CONTOSO, "a", "b"}


def _web_application_info(client) -> etree._Element | None:
    response = client.get("/manifest.xml")
    assert response.status_code == 200
    return etree.fromstring(response.data).find(".//ov:VersionOverrides/ov:WebApplicationInfo", OV)


def test_the_entra_manifest_carries_web_application_info_for_single_sign_on(anonymous):
    info = _web_application_info(anonymous)
    assert info is not None
    assert info.findtext("ov:Id", namespaces=OV) == CLIENT_ID
    assert info.findtext("ov:Resource", namespaces=OV) == API_URI
    scopes = [s.text for s in info.iterfind("ov:Scopes/ov:Scope", OV)]
    assert "Files.ReadWrite" in scopes and "openid" in scopes and "profile" in scopes


def test_the_entra_manifest_points_at_the_public_url(anonymous):
    served = anonymous.get("/manifest.xml").data.decode()
    assert "https://localhost:3000" not in served and "https://freelance.contoso.com/taskpane.html" in served


def test_the_local_manifest_has_no_web_application_info(client):
    assert _web_application_info(client) is None


@needs_schemas
def test_the_entra_manifest_is_valid_against_the_office_schemas(anonymous):
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "OfficeAppManifestV1_1.xsd")))
    assert schema.validate(etree.fromstring(anonymous.get("/manifest.xml").data).getroottree()), schema.error_log

"""The sign-in dialog's page (the fallback where Office's single sign-on is not available) and the
MSAL.js it runs, served by this server: its CDN is gone."""

from __future__ import annotations

import os

import pytest

from tests.helpers import ROOT

MSAL = ROOT / "node_modules" / "@azure" / "msal-browser" / "lib" / "msal-browser.min.js"


def test_the_sign_in_page_loads_office_msal_and_its_script_from_this_server(client):
    response = client.get("/sign-in.html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    scripts = ["/vendor/msal-browser.min.js", "/addin/sign-in.js"]
    assert all(f'src="{script}"' in page for script in scripts)
    assert page.index("/vendor/msal-browser.min.js") < page.index("/addin/sign-in.js"), "MSAL first: the page uses it"
    policy = response.headers["Content-Security-Policy"]
    assert "connect-src 'self' https://login.microsoftonline.com" in policy, "MSAL redeems its code with Entra ID"


@pytest.mark.skipif(
    not MSAL.exists() and not os.environ.get("CI"), reason="npm ci has not installed @azure/msal-browser"
)
def test_msal_js_is_served_from_the_npm_package(client):
    with client.get("/vendor/msal-browser.min.js") as response:
        assert response.status_code == 200 and response.mimetype == "text/javascript"
        assert response.data == MSAL.read_bytes()
        assert b"createStandardPublicClientApplication" in response.data

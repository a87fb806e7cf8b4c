"""The task pane against the server in Entra ID mode, in a real browser. Microsoft is faked on both
sides: behind the server, the fake Entra ID and Graph of tests/identity (at the HTTP boundary); in
the page, a stand-in office.js for Word whose ``Office.auth.getAccessToken`` hands out tokens that
fake signs, as Office would after single sign-on. The server and the pane run unchanged."""

from __future__ import annotations

import base64
import json
import re
import urllib.request
import uuid

import pytest

from tests.e2e.conftest import REQUIRES_BROWSER, EntraServer, expect
from tests.e2e.steps import CLIENT, FAKE_WORD, ZOE, choose_roster_freelancer, fill, fill_sow
from tests.identity.microsoft import ALICE, CONTOSO, POLICY_CLAIMS
from tests.reading import text_of

pytestmark = REQUIRES_BROWSER

SIGN_IN_OPTIONS = {"allowSignInPrompt": True, "allowConsentPrompt": True}
GRAPH_OPTIONS = SIGN_IN_OPTIONS | {"forMSGraphAccess": True}  # only for the call the server turns into a Graph call

# Word, signed in: getAccessToken asks the test (window.issueToken, exposed by Playwright) for a token,
# and records the options the pane passed.
FAKE_WORD_SIGNED_IN = (
    FAKE_WORD
    + """
window.tokenRequests = [];
window.Office.auth = {
  getAccessToken: async (options) => {
    window.tokenRequests.push(options);
    return await window.issueToken(options);
  },
};
"""
)


class Office:
    """Office's single sign-on, as the test plays it: Alice of Contoso is signed in. ``issued`` holds every
    token handed out; a request carrying ``authChallenge`` stands for Alice completing the MFA asked for."""

    def __init__(self, microsoft):
        self.microsoft, self.issued = microsoft, []

    def issue(self, options: dict) -> str:
        if options.get("authChallenge"):
            self.microsoft.entra = "token"
        # "uti" makes each token unique, as Entra ID's are.
        self.issued.append(self.microsoft.token(CONTOSO, ALICE, name="Alice Martin", uti=str(uuid.uuid4())))
        return self.issued[-1]


@pytest.fixture(scope="module")
def contoso_roster(entra_server: EntraServer) -> dict:
    """Zoe Angstrom, on Contoso's roster (added through the API with Alice's token)."""
    request = urllib.request.Request(
        f"{entra_server.url}/api/freelancers",
        data=json.dumps(ZOE).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {entra_server.microsoft.token(CONTOSO, ALICE)}",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.load(response)


@pytest.fixture
def signed_in(open_page, entra_server, contoso_roster):
    """``signed_in(view, **options)`` opens the pane in Word, signed in as Alice; returns ``(page, office, api_requests)``,
    ``api_requests`` being each /api request the page sends, with its headers."""
    microsoft = entra_server.microsoft
    microsoft.entra, microsoft.graph = "token", "created"

    def open_signed_in(view: str, **options):
        office = Office(microsoft)
        api_requests = []

        def before(page):
            page.expose_function("issueToken", office.issue)
            page.on("request", lambda request: api_requests.append(request) if "/api/" in request.url else None)

        page = open_page(
            f"{entra_server.url}/taskpane.html?view={view}", office_js=FAKE_WORD_SIGNED_IN, before=before, **options
        )
        return page, office, api_requests

    return open_signed_in


def test_in_word_a_signed_in_hiring_manager_saves_the_generated_sow_to_onedrive(signed_in, entra_server, artifacts):
    page, office, api_requests = signed_in("sow")
    expect(page.locator("#host-badge")).to_have_text("Word")
    expect(page.locator("#sign-in-banner")).to_be_hidden()
    form = page.locator("#sow-form")
    expect(form.get_by_role("button", name="Save to OneDrive")).to_be_hidden()  # nothing generated yet
    choose_roster_freelancer(form, "zoe", "Zoe Angstrom")  # Contoso's roster: the search carried Alice's token
    fill_sow(form, second_milestone_amount="5000")
    form.get_by_role("button", name="Open in Word").click()
    expect(form.locator("[data-status]")).to_contain_text("Opened “SOW-2027-014 Zoe Angstrom.docx” as a new document.")

    form.get_by_role("button", name="Save to OneDrive").click()
    link = form.get_by_role("link", name="Open in OneDrive")
    expect(link).to_be_visible()
    [upload] = entra_server.microsoft.uploads[-1:]
    assert upload["name"] == "SOW-2027-014 Zoe Angstrom.docx" and upload["oid"] == ALICE
    assert link.get_attribute("href") == (
        f"https://contoso-my.sharepoint.com/personal/{ALICE}/Documents/Freelance%20contracts/SOW-2027-014 Zoe Angstrom.docx"
    )
    expect(form.locator("[data-onedrive-status]")).to_contain_text(
        "Saved “SOW-2027-014 Zoe Angstrom.docx” in your OneDrive."
    )
    page.screenshot(path=artifacts / "taskpane-word-onedrive-saved-360.png")
    page.set_viewport_size({"width": 320, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "the pane scrolls sideways at 320 px"
    [created] = page.evaluate("window.Word.created")
    assert base64.b64decode(created) == upload["content"], "OneDrive got the document Word got"

    link.click()
    assert page.evaluate("window.Office.opened") == [link.get_attribute("href")], (
        "opened in the default browser, through Office"
    )

    # Every API call but the public configuration carried one of the tokens Office handed out.
    sent = [(r.method, r.url.split("/api/", 1)[1], r.all_headers().get("authorization")) for r in api_requests]
    assert sent[0] == ("GET", "config", None)
    assert [path for _, path, _ in sent[1:]] and all(
        auth and auth.removeprefix("Bearer ") in office.issued for _, _, auth in sent[1:]
    ), sent
    assert sent[-1][0] == "POST" and re.fullmatch(r"documents/[0-9a-f-]{36}/onedrive", sent[-1][1]), sent[-1]
    assert page.evaluate("window.tokenRequests") == [SIGN_IN_OPTIONS] * (len(office.issued) - 1) + [GRAPH_OPTIONS]
    kept = page.evaluate("JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage}) + document.cookie")
    assert not [token for token in office.issued if token in kept], "a token was stored"


def test_in_word_a_download_opens_a_signed_link_that_works_in_a_browser_without_a_token(signed_in, entra_server):
    page, _, api_requests = signed_in("sow")
    form = page.locator("#sow-form")
    choose_roster_freelancer(form, "zoe", "Zoe Angstrom")
    fill_sow(form, second_milestone_amount="5000")
    form.get_by_role("button", name="Download .docx").click()
    expect(form.locator("[data-status]")).to_contain_text("“SOW-2027-014 Zoe Angstrom.docx” is ready.")
    [link] = page.evaluate("window.Office.opened")
    public_url, _, token = link.partition("/api/documents/links/")
    assert public_url == "https://freelance.contoso.com" and token, "an address under the server's PUBLIC_URL"
    url = f"{entra_server.url}/api/documents/links/{token}"
    assert not [r for r in api_requests if r.url.endswith("/file")], "the pane did not fetch the bytes itself"

    # The browser Office opens has no token: the signed link is enough, and only for this document.
    response = page.request.get(url, headers={"Authorization": ""})
    assert response.status == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert "Zoe Angstrom" in text_of(response.body())
    assert page.request.get(url.replace("/links/", "/links/x")).status == 404


def test_when_microsoft_asks_for_mfa_the_pane_asks_office_with_the_claims_and_saves(signed_in, entra_server, artifacts):
    page, office, _ = signed_in("nda", allowed=("status of 401", "status of 503"))
    form = page.locator("#nda-form")
    form.get_by_label("Purpose").fill("Evaluating a brand refresh engagement")
    form.get_by_label("Governing law").fill("the State of Washington")
    form.get_by_label("Jurisdiction").fill("the courts of King County, Washington")
    choose_roster_freelancer(form, "angst", "Zoe Angstrom")
    fill(form, CLIENT)
    form.get_by_role("button", name="Open in Word").click()
    expect(form.locator("[data-status]")).to_contain_text("as a new document")

    entra_server.microsoft.graph = "unavailable"  # Graph answers 503: the server says 503, the pane says so plainly
    form.get_by_role("button", name="Save to OneDrive").click()
    expect(form.locator("[data-onedrive-status]")).to_have_text(
        "OneDrive is not answering right now, try again in a minute."
    )
    page.screenshot(path=artifacts / "taskpane-word-onedrive-unavailable-360.png")

    entra_server.microsoft.graph = "created"
    entra_server.microsoft.entra = "interaction_required"  # Conditional Access now wants MFA
    asked = len(office.issued)
    form.get_by_role("button", name="Save to OneDrive").click()
    expect(form.get_by_role("link", name="Open in OneDrive")).to_be_visible()
    requests = page.evaluate("window.tokenRequests")
    assert requests[asked:] == [GRAPH_OPTIONS, {**GRAPH_OPTIONS, "authChallenge": POLICY_CLAIMS}]


def test_in_a_browser_the_pane_says_sign_in_needs_word_or_excel_and_asks_nothing(open_page, entra_server, artifacts):
    api_requests = []
    page = open_page(
        f"{entra_server.url}/taskpane.html?view=sow",
        before=lambda p: p.on("request", lambda r: api_requests.append(r.url) if "/api/" in r.url else None),
    )
    expect(page.locator("#host-badge")).to_have_text("Browser")
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("Sign-in needs Word or Excel.")
    expect(page.locator("#browser-banner")).to_be_hidden()
    form = page.locator("#sow-form")
    form.get_by_role("combobox", name="Search the roster").press_sequentially("zoe", delay=40)
    expect(form.locator(".picker-status")).to_contain_text("signs you in through Word or Excel only")
    form.get_by_text("Not on the roster? Enter their details").click()
    form.get_by_label("Legal name").fill("Zoë Ångström")
    form.get_by_role("button", name="Download .docx").click()
    expect(form.locator("[data-status]")).to_contain_text("Open Word or Excel and choose the Freelance tab.")
    expect(form.get_by_role("button", name="Save to OneDrive")).to_have_count(0)
    page.screenshot(path=artifacts / "taskpane-browser-sign-in-needed-360.png")
    page.wait_for_timeout(500)
    assert [url.split("/api/", 1)[1] for url in api_requests] == ["config"], "the API was asked what it would refuse"

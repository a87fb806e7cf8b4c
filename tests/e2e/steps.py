"""What a person does in the pane, as Playwright steps, and the stand-in for office.js inside Word."""

from __future__ import annotations

import json
import re
import urllib.request

from tests.e2e.conftest import expect
from tests.roster.files import ZOE as ROSTER_ZOE

ZOE = {key: value for key, value in ROSTER_ZOE.items() if key not in ("tax_id", "profile_url")} | {
    "rate": "85.00",
    "skills": ["Branding", "Illustration"],
}
CLIENT = {
    "client.name": "Contoso Ltd",
    "client.address": "1 Microsoft Way\nRedmond, WA 98052",
    "client.signatory_name": "Megan Bowen",
    "client.signatory_title": "Head of Procurement",
    "client.email": "megan@contoso.com",
}


def add_to_roster(server_url: str, details: dict) -> dict:
    """Add a freelancer to the roster through the API; return its record."""
    request = urllib.request.Request(
        f"{server_url}/api/freelancers",
        data=json.dumps(details).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.load(response)


def fill(form, values: dict[str, str]) -> None:
    """Type each value into the control named by its field path."""
    for name, value in values.items():
        form.locator(f'[name="{name}"]').fill(value)


def choose_roster_freelancer(form, typed: str, name: str) -> None:
    """Search the roster as a person types, then choose with the keyboard (arrow down, Enter)."""
    search = form.get_by_role("combobox", name="Search the roster")
    search.press_sequentially(typed, delay=40)
    expect(form.get_by_role("option", name=re.compile(name))).to_be_visible()
    search.press("ArrowDown")
    search.press("Enter")
    expect(form.locator(".picked-name")).to_have_text(name)


def fill_sow(form, second_milestone_amount: str) -> None:
    fill(form, CLIENT)
    form.get_by_label("Project title").fill("Brand refresh")
    form.get_by_label("Summary").fill("Refresh the Contoso brand for the 2027 product line.")
    form.get_by_label("Start date").fill("2027-01-11")
    form.get_by_label("End date").fill("2027-03-31")
    form.get_by_label("SOW number").fill("SOW-2027-014")
    form.get_by_label("Effective date").fill("2027-01-04")
    form.get_by_label("In scope").fill("Logo redesign\nColour palette and typography")
    fill(
        form,
        {
            "deliverables[0].name": "Logo",
            "deliverables[0].description": "Primary and secondary logo",
            "deliverables[0].acceptance_criteria": "Approved in writing by the CMO",
            "deliverables[0].due_date": "2027-02-01",
        },
    )
    form.get_by_label("Fee model").select_option("fixed")
    form.get_by_label("Fixed fee").fill("7500.00")
    fill(
        form,
        {"milestones[0].name": "Kick-off", "milestones[0].due_date": "2027-01-15", "milestones[0].amount": "2500.00"},
    )
    form.get_by_role("button", name="Add milestone").click()
    fill(
        form,
        {
            "milestones[1].name": "Final delivery",
            "milestones[1].due_date": "2027-03-31",
            "milestones[1].amount": second_milestone_amount,
        },
    )
    form.get_by_label("Governing law").fill("the State of Washington")


def fake_office(host: str, sets: dict[str, str], setup: str) -> str:
    """A stand-in for office.js: Office says the host is ``host`` with requirement sets ``sets``, and
    ``setup`` (JavaScript, given ``fakes``, the pane's documented fakes in addin/tests/office-fakes.mjs)
    makes ``window.Word`` or ``window.Excel``. The pane's own code runs unchanged."""
    return f"""
window.Office = {{
  HostType: {{ Word: "Word", Excel: "Excel" }},
  onReady: async () => {{
    const fakes = await import("/e2e/office-fakes.mjs");
    const office = fakes.officeNamespace({{ host: "{host}", sets: {json.dumps(sets)} }});
    Object.assign(window.Office, {{ ...office, auth: window.Office.auth }});
    {setup}
    return {{ host: "{host}", platform: "PC" }};
  }},
}};
"""


# Inside Word: records what the pane asks Word to do (window.Word.created, .inserted, .controls).
FAKE_WORD = fake_office(
    "Word",
    {"WordApi": "1.5", "OpenBrowserWindowApi": "1.1"},
    """window.Word = fakes.fakeWord({ sets: { WordApi: "1.5" }, controls: {
      "freelancer.name": ["Zoe A.", "Zoe A."], "freelancer.address": ["1 Old Road"],
      "freelancer.phone": ["+1 000"], "freelancer.tax_id": ["98-7654321"] } });""",
)

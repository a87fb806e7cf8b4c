"""The roster in a real browser: find a freelancer, add one with a name and an email only (the form is
drawn from the API's schema), fill in a missing address, preview and import a vendor list, remove one."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import REQUIRES_BROWSER, expect
from tests.e2e.steps import choose_roster_freelancer, fill_sow
from tests.roster.files import csv_bytes

pytestmark = REQUIRES_BROWSER


@pytest.fixture
def roster_page(open_page, server_url):
    """The Roster tab; ``refused=True`` when the test provokes the API's 400 (which the browser logs)."""
    return lambda refused=False: open_page(
        f"{server_url}/taskpane.html?view=roster", allowed=("400 (BAD REQUEST)",) if refused else ()
    )


def test_a_freelancer_is_added_with_a_name_and_an_email_then_given_an_address(roster_page, server_url, artifacts):
    page = roster_page()
    page.get_by_role("button", name="Add a freelancer").click()
    editor = page.locator("[data-editor]")
    expect(editor.locator("[data-editor-title]")).to_have_text("Add a freelancer")
    editor.get_by_label("Name", exact=True).fill("Ana Costa")
    editor.get_by_label("Email").fill("ana.costa@example.org")
    editor.get_by_role("button", name="Save").click()
    expect(editor).to_be_hidden()
    entry = page.locator("[data-results] li.document", has_text="Ana Costa")
    expect(entry).to_contain_text("ana.costa@example.org · no NDA in force · no address or country")

    entry.get_by_role("button", name="Edit").click()
    expect(editor.locator("[data-editor-title]")).to_have_text("Change Ana Costa")
    expect(editor.get_by_label("Email")).to_have_value("ana.costa@example.org")
    editor.get_by_label("Address").fill("Rua Augusta 1\nLisbon")
    editor.get_by_label("Country").fill("PT")
    editor.get_by_role("button", name="Save").click()
    expect(page.locator("[data-results] li.document", has_text="Ana Costa")).not_to_contain_text("no address")
    page.screenshot(path=artifacts / "taskpane-roster-360.png", full_page=True)
    found = httpx.get(f"{server_url}/api/freelancers?q=ana.costa").json()["items"][0]
    assert (found["address"], found["country"]) == ("Rua Augusta 1\nLisbon", "PT")


def test_a_mistake_in_the_details_is_shown_at_its_field(roster_page):
    page = roster_page(refused=True)
    page.get_by_role("button", name="Add a freelancer").click()
    editor = page.locator("[data-editor]")
    editor.get_by_label("Name", exact=True).fill("Bad Email")
    editor.get_by_label("Email").fill("not-an-email")
    editor.get_by_role("button", name="Save").click()
    expect(editor.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    expect(editor.locator("[data-editor-status]")).to_contain_text("Fix the problem marked in red")


def test_a_vendor_list_is_previewed_then_imported(roster_page, tmp_path):
    vendors = tmp_path / "vendors.csv"
    vendors.write_bytes(
        csv_bytes(
            [
                ["Vendor name", "Contact email", "Rate (USD)"],
                ["Bo Li", "bo.li@example.org", "80"],
                ["Cy Ode", "cy@example.org", "90"],
            ]
        )
    )
    page = roster_page(refused=True)
    importing = page.locator("[data-import-form]")
    importing.get_by_label("Roster file").set_input_files(vendors)
    importing.get_by_role("button", name="Preview").click()
    expect(importing.locator("[data-import-status]")).to_have_text("2 problems in the roster; nothing was imported.")
    expect(importing.locator("[data-import-problems] li")).to_have_count(2)  # no unit for either rate
    expect(importing.locator("[data-import-problems] li").first).to_have_text(
        "Row 2, Rate (USD): says no unit: name it in the header (Day rate) or the cell (80/day), or choose one"
    )
    importing.get_by_label("A rate without a unit is").select_option("day")
    importing.get_by_role("button", name="Preview").click()
    expect(importing.locator("[data-import-status]")).to_have_text(
        "This file would make 2 new, 0 changed, 0 unchanged: import it to do so."
    )
    importing.get_by_role("button", name="Import").click()
    expect(importing.locator("[data-import-status]")).to_have_text("Imported: 2 new, 0 changed, 0 unchanged.")
    expect(page.locator("[data-results] li.document", has_text="Bo Li")).to_contain_text("/day")


def test_a_freelancer_is_removed_once_confirmed_and_the_removal_undone(roster_page, server_url):
    httpx.post(f"{server_url}/api/freelancers", json={"name": "Dee Parting", "email": "dee.parting@example.org"})
    page = roster_page()
    entry = page.locator("[data-results] li.document", has_text="Dee Parting")
    entry.get_by_role("button", name="Remove").click()
    page.locator("[data-confirm=yes]").click()
    expect(page.locator("[data-results] li.document", has_text="Dee Parting")).to_have_count(0)
    assert httpx.get(f"{server_url}/api/freelancers?q=dee.parting").json()["total"] == 0
    page.locator("#roster-form [data-status]").get_by_role("link", name="Undo").click()
    expect(page.locator("[data-results] li.document", has_text="Dee Parting")).to_have_count(1)
    assert httpx.get(f"{server_url}/api/freelancers?q=dee.parting").json()["total"] == 1


def test_a_contract_for_a_record_without_an_address_asks_for_it_in_place(open_page, server_url):
    httpx.post(
        f"{server_url}/api/freelancers",
        json={
            "name": "Eli Nomad",
            "email": "eli.nomad@example.org",
            "rate": "90",
            "rate_unit": "hour",
            "currency": "USD",
        },
    )
    page = open_page(f"{server_url}/taskpane.html?view=sow", allowed=("400 (BAD REQUEST)",))
    form = page.locator("#sow-form")
    choose_roster_freelancer(form, "eli.nomad", "Eli Nomad")
    fill_sow(form, second_milestone_amount="5000.00")
    with page.expect_download() as download:
        form.get_by_role("button", name="Download .docx").click()
        missing = form.locator("[data-missing]")
        expect(missing).to_be_visible()
        expect(form.locator("[data-error-summary]")).not_to_contain_text("freelancer_id")
        missing.get_by_label("Address").fill("1 Harbour Road\nCork")
        missing.get_by_label("Country").fill("IE")
        missing.get_by_role("button", name="Save to the roster and try again").click()
    assert download.value.suggested_filename == "SOW-2027-014 Eli Nomad.docx"
    record = httpx.get(f"{server_url}/api/freelancers?q=eli.nomad").json()["items"][0]
    assert (record["address"], record["country"]) == ("1 Harbour Road\nCork", "IE")

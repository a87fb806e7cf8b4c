"""The documents library in a real browser: a manager finds a contract by a word they remember, records
that it was sent and signed, downloads it again, and checks which document a file is."""

from __future__ import annotations

import copy

import httpx
import pytest

from tests.e2e.conftest import REQUIRES_BROWSER, expect
from tests.helpers import SOW

pytestmark = REQUIRES_BROWSER


@pytest.fixture(scope="module")
def contracts(server_url) -> dict[str, dict]:
    made = {}
    for number, client_name in (("SOW-LIB-1", "Contoso Ltd"), ("SOW-LIB-2", "Fabrikam Inc")):
        data = copy.deepcopy(SOW) | {"sow_number": number}
        data["client"]["name"] = client_name
        made[client_name] = httpx.post(f"{server_url}/api/documents", json={"template": "sow", "data": data}).json()
    return made


def test_a_manager_finds_a_contract_and_records_that_it_was_sent_and_signed(
    open_page, server_url, contracts, artifacts
):
    page = open_page(f"{server_url}/taskpane.html?view=documents")
    form = page.locator("#documents-form")
    form.get_by_label("Search").fill("fabrikam")
    form.get_by_role("button", name="Search").click()
    results = page.locator("#view-documents [data-results]")
    expect(results.locator("[data-results-title]")).to_have_text("1 document")
    entry = results.locator("li.document")
    expect(entry).to_contain_text("SOW-LIB-2 Zoe Angstrom.docx")
    expect(entry).to_contain_text("Fabrikam Inc · Zoe Angstrom")
    expect(entry).to_contain_text("Draft since")

    entry.get_by_role("button", name="Mark as sent").click()
    expect(results.locator("li.document")).to_contain_text("Sent since")
    results.locator("li.document").get_by_role("button", name="Mark as signed").click()
    expect(results.locator("li.document")).to_contain_text("Signed since")
    expect(results.locator("li.document").get_by_role("button", name="Mark as active")).to_be_visible()
    page.screenshot(path=artifacts / "taskpane-documents-360.png", full_page=True)
    record = httpx.get(f"{server_url}/api/documents/{contracts['Fabrikam Inc']['id']}").json()
    assert [event["status"] for event in record["history"]] == ["draft", "sent", "signed"]

    with page.expect_download() as download:
        results.locator("li.document").get_by_role("button", name="Download").click()
    assert download.value.suggested_filename == "SOW-LIB-2 Zoe Angstrom.docx"


def test_a_file_is_checked_against_the_library(open_page, server_url, contracts, tmp_path):
    record = contracts["Contoso Ltd"]
    mine = tmp_path / "mine.docx"
    mine.write_bytes(httpx.get(f"{server_url}{record['download_url']}").content)
    changed = tmp_path / "changed.docx"
    changed.write_bytes(mine.read_bytes() + b"x")
    page = open_page(f"{server_url}/taskpane.html?view=documents")
    checked = page.locator("[data-verify-status]")
    page.get_by_label("File to check").set_input_files(mine)
    expect(checked).to_have_text(f"“mine.docx” is “{record['filename']}”, as it was made here.")
    page.get_by_label("File to check").set_input_files(changed)
    expect(checked).to_have_text("“changed.docx” is not a document made here, or it was changed since.")


def test_a_manager_edits_a_contract_and_gets_its_new_version_linked_to_it(open_page, server_url, contracts, artifacts):
    data = copy.deepcopy(SOW) | {"sow_number": "SOW-LIB-3"}
    data["client"]["name"] = "Northwind Traders"
    old = httpx.post(f"{server_url}/api/documents", json={"template": "sow", "data": data}).json()
    page = open_page(f"{server_url}/taskpane.html?view=documents")
    form = page.locator("#documents-form")
    form.get_by_label("Search").fill("northwind")
    form.get_by_role("button", name="Search").click()
    entry = page.locator("#view-documents li.document")
    expect(entry).to_have_count(1)
    entry.get_by_role("button", name="Edit…").click()

    sow = page.locator("#sow-form")
    expect(sow).to_be_visible()
    expect(sow.locator("[data-editing]")).to_contain_text(f"Editing “{old['filename']}”")
    expect(sow.get_by_label("Project title")).to_have_value(data["project"]["title"])
    expect(sow.locator('[name="milestones[1].amount"]')).to_have_value(str(data["milestones"][1]["amount"]))
    sow.get_by_label("Project title").fill("Brand refresh, phase 2")
    sow.locator("[data-editing]").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "taskpane-sow-editing-360.png")
    with page.expect_download() as download:
        sow.get_by_role("button", name="Download .docx").click()
    expect(sow.locator("[data-editing]")).to_contain_text("as the new version of")

    made = httpx.get(f"{server_url}/api/documents", params={"q": "northwind"}).json()["items"]
    new = next(record for record in made if record["id"] != old["id"])
    assert new["predecessor_id"] == old["id"]
    assert new["project_title"] == "Brand refresh, phase 2"
    assert download.value.suggested_filename == new["filename"]

"""Programme insight in a real browser: a manager opens the Insights tab, sees what the signed
statements of work add up to (tables and SVG charts drawn by the pane, no chart library), and
downloads the Excel dashboard; picking a freelancer for a SOW says whether a signed NDA binds them."""

from __future__ import annotations

import copy
from datetime import date
from io import BytesIO
from pathlib import Path

import httpx
import openpyxl
import pytest

from tests.e2e.conftest import REQUIRES_BROWSER, expect
from tests.e2e.steps import ZOE, add_to_roster, choose_roster_freelancer
from tests.helpers import NDA, SOW

pytestmark = REQUIRES_BROWSER


def _signed_sow(server_url: str, number: str, category: str, amount: str) -> None:
    data = copy.deepcopy(SOW) | {"sow_number": number, "category": category}
    data["fee"]["amount"] = amount
    data["milestones"] = [{"name": "All of it", "due_date": data["project"]["end_date"], "amount": amount}]
    record = httpx.post(f"{server_url}/api/documents", json={"template": "sow", "data": data}).json()
    for status in ("sent", "signed"):
        answer = httpx.patch(f"{server_url}/api/documents/{record['id']}", json={"status": status})
        assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module")
def programme(server_url) -> str:
    """Two signed SOWs for design and one for engineering, all in USD."""
    _signed_sow(server_url, "SOW-E2E-1", "design", "1000.00")
    _signed_sow(server_url, "SOW-E2E-2", "design", "2000.00")
    _signed_sow(server_url, "SOW-E2E-3", "engineering", "4000.00")
    return server_url


def test_a_manager_sees_the_programme_figures_and_downloads_the_dashboard(open_page, programme, artifacts):
    page = open_page(f"{programme}/taskpane.html?view=insights")
    form = page.locator("#insights-form")
    form.get_by_role("button", name="Show figures").click()
    panel = page.locator("[data-insights]")
    expect(panel).to_be_visible()
    expect(form.locator("[data-status]")).to_have_text("3 signed statements of work: $7,000.00 committed.")
    expect(panel.locator("[data-totals] tbody tr")).to_have_count(1)
    expect(panel.locator("[data-totals] tbody tr").first).to_contain_text("$7,000.00")
    expect(panel.locator("[data-groups] tbody tr")).to_have_count(2)
    expect(panel.locator("[data-groups] tbody tr").first).to_contain_text("design")
    expect(panel.locator("[data-groups] tbody tr").first).to_contain_text("$3,000.00")
    expect(panel.locator("[data-months-chart] svg rect")).to_have_count(1)
    page.screenshot(path=artifacts / "taskpane-insights-360.png", full_page=True)

    with page.expect_download() as download:
        form.get_by_role("button", name="Download dashboard (.xlsx)").click()
    expect(form.locator("[data-status]")).to_contain_text("is ready")
    assert download.value.suggested_filename.startswith("Programme dashboard ")
    workbook = openpyxl.load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
    assert workbook.sheetnames == ["Dashboard", "SOWs", "NDAs"]
    assert workbook["SOWs"].tables["Sows"].ref == "A1:S4"


def test_a_period_that_ends_before_it_starts_is_refused_at_its_field(open_page, programme):
    page = open_page(f"{programme}/taskpane.html?view=insights")
    form = page.locator("#insights-form")
    form.get_by_label("Signed from").fill("2026-12-31")
    form.get_by_label("Signed to").fill("2026-01-01")
    form.get_by_role("button", name="Show figures").click()
    expect(form.get_by_label("Signed to")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-insights]")).to_be_hidden()


def test_picking_a_freelancer_for_a_sow_says_whether_a_signed_nda_binds_them(open_page, programme):
    zoe = add_to_roster(programme, ZOE | {"email": "zoe.nda@angstrom.example"})
    page = open_page(f"{programme}/taskpane.html?view=sow")
    form = page.locator("#sow-form")
    choose_roster_freelancer(form, "zoe.nda", "Zoe Angstrom")
    expect(form.locator("[data-nda-note]")).to_contain_text("No signed NDA with Zoe Angstrom is in force")

    nda = copy.deepcopy(NDA) | {"freelancer_id": zoe["id"], "term_years": 2, "effective_date": date.today().isoformat()}
    nda.pop("freelancer", None)
    record = httpx.post(f"{programme}/api/documents", json={"template": "nda-mutual", "data": nda}).json()
    for status in ("sent", "signed"):
        assert httpx.patch(f"{programme}/api/documents/{record['id']}", json={"status": status}).status_code == 200
    page = open_page(f"{programme}/taskpane.html?view=sow")
    form = page.locator("#sow-form")
    choose_roster_freelancer(form, "zoe.nda", "Zoe Angstrom")
    expect(form.locator("[data-nda-note]")).to_contain_text("A signed NDA with Zoe Angstrom is in force until")

"""The task pane in a real browser: headless Chromium drives the pane served by the real server as a
hiring manager would, and reads back what it downloads. In a plain browser the real office.js loads
(from npm); for Word and Excel a stand-in for office.js plays Microsoft's side and records what the
pane asks the host to do."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import REQUIRES_BROWSER, expect
from tests.e2e.steps import FAKE_WORD, ZOE, add_to_roster, choose_roster_freelancer, fake_office, fill, fill_sow
from tests.reading import text_of

pytestmark = REQUIRES_BROWSER


@pytest.fixture(scope="module")
def roster_freelancer(server_url) -> dict:
    """Zoe Angstrom, added to the roster through the API."""
    return add_to_roster(server_url, ZOE)


@pytest.fixture
def pane(open_page, server_url, roster_freelancer):
    """``pane(view, width=, office_js=, ...)`` opens the pane at ``?view=`` on the local-mode server: see ``open_page``."""
    return lambda view, **options: open_page(f"{server_url}/taskpane.html?view={view}", **options)


def test_a_hiring_manager_picks_a_roster_freelancer_fills_a_sow_and_downloads_it(pane, artifacts):
    page = pane("sow")
    form = page.locator("#sow-form")
    choose_roster_freelancer(form, "angst", "Zoe Angstrom")
    expect(form.locator(".picked")).to_contain_text("Angstrom Design LLC · $85.00/hour")
    expect(form.get_by_label("Currency")).to_have_value("USD")  # from the roster
    expect(form.locator("[data-nda-note]")).to_contain_text("No signed NDA with Zoe Angstrom is in force")
    fill_sow(form, second_milestone_amount="5000.00")
    form.get_by_label("Courts").fill("the courts of King County, Washington")
    form.get_by_label("Liability cap").fill("20000")
    form.get_by_label("Category").fill("design")
    form.get_by_label("Team").fill("Brand studio")
    form.get_by_label("Cost center").fill("CC-4100")
    expect(form.locator("[data-fee-total]")).to_have_text("Fixed fee $7,500.00: the milestones add up to it.")
    page.screenshot(path=artifacts / "taskpane-sow-filled-360.png", full_page=True)

    with page.expect_download() as download:
        form.get_by_role("button", name="Download .docx").click()
    expect(form.locator("[data-status]")).to_contain_text("is ready")
    assert download.value.suggested_filename == "SOW-2027-014 Zoe Angstrom.docx"
    text = text_of(Path(download.value.path()).read_bytes())
    for expected in (
        "Zoe Angstrom",
        "Angstrom Design LLC",
        "12 Pike Street",
        "Contoso Ltd",
        "Brand refresh",
        "$7,500.00",
        "$2,500.00",
        "$5,000.00",
        "Approved in writing by the CMO",
        "the courts of King County, Washington",
        "$20,000.00",  # the liability cap
        "CC-4100",  # the cost center
    ):
        assert expected in text, f"{expected!r} missing from the downloaded SOW"

    # Next time, the company is filled in and its section folded away.
    again = pane("nda").locator("#nda-form")
    expect(again.locator("[data-client-note]")).to_have_text("Contoso Ltd")
    expect(again.locator('[name="client.signatory_name"]')).to_have_value("Megan Bowen")
    expect(again.get_by_label("Governing law")).to_have_value("the State of Washington")


def test_an_api_validation_error_appears_next_to_its_field(pane, artifacts):
    page = pane("sow", width=320, allowed=("status of 400",))
    form = page.locator("#sow-form")
    choose_roster_freelancer(form, "zoe", "Zoe Angstrom")
    fill_sow(form, second_milestone_amount="5000.555")  # USD has cents, not thousandths

    form.get_by_role("button", name="Download .docx").click()
    amount = form.locator('[name="milestones[1].amount"]')
    expect(amount).to_have_attribute("aria-invalid", "true")
    beside = form.locator(".field", has=page.locator('[name="milestones[1].amount"]')).locator(".field-error")
    expect(beside).to_have_text("USD amounts have at most 2 decimal places")
    expect(amount).to_have_attribute("aria-describedby", re.compile(beside.get_attribute("id")))
    summary = form.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Milestone 2, amount: USD amounts have at most 2 decimal places")
    expect(form.locator("[data-status]")).to_contain_text("Fix the")
    page.screenshot(path=artifacts / "taskpane-sow-errors-320.png", full_page=False)
    amount.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "taskpane-sow-error-beside-field-320.png")

    # Corrected, the same form goes through and the messages go away.
    amount.fill("5000")
    with page.expect_download():
        form.get_by_role("button", name="Download .docx").click()
    expect(form.locator(".field-error")).to_have_count(0)
    expect(summary).to_be_hidden()


def test_the_sow_form_takes_its_limits_from_the_schema_and_asks_for_what_is_missing_before_sending(pane, artifacts):
    posted = []
    page = pane("sow", before=lambda p: p.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None))
    form = page.locator("#sow-form")
    # The server's JSON Schema, not the HTML, sets each limit.
    expect(form.get_by_label("Project title")).to_have_attribute("maxlength", "200")
    expect(form.locator('[name="freelancer.country"]')).to_have_attribute("maxlength", "2")
    expect(form.get_by_label("Payment terms (days)")).to_have_attribute("max", "365")
    assert form.get_by_label("Project title").evaluate("input => input.required")
    assert not form.get_by_label("PO number").evaluate("input => input.required")

    form.get_by_role("button", name="Download .docx").click()
    summary = form.locator("[data-error-summary]")
    expect(summary).to_contain_text("Freelancer: choose one from the roster, or enter their details")
    expect(summary).to_contain_text("Project title: is required")
    expect(summary).to_contain_text("Fixed fee: is required")
    expect(form.get_by_label("Project title")).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=artifacts / "taskpane-sow-required-360.png")
    assert posted == [], "nothing was sent while required fields were empty"

    choose_roster_freelancer(form, "zoe", "Zoe Angstrom")
    fill_sow(form, second_milestone_amount="5000.00")
    with page.expect_download():
        form.get_by_role("button", name="Download .docx").click()
    expect(summary).to_be_hidden()
    assert [url.rsplit("/api/", 1)[1] for url in posted] == ["documents"]


def test_outside_office_the_pane_says_so_hides_what_needs_a_host_and_offers_downloads(pane, artifacts):
    page = pane("sow")
    expect(page.locator("#host-badge")).to_have_text("Browser")
    expect(page.locator("#browser-banner")).to_be_visible()
    expect(page.get_by_role("button", name="Insert into document")).to_be_hidden()
    expect(page.locator("#sow-form").get_by_role("button", name="Download .docx")).to_be_visible()
    freelancer = page.get_by_role("heading", name="Freelancer", exact=True)
    expect(freelancer).to_be_visible()  # a heading to jump to, not hidden inside a <summary>
    expect(freelancer.get_by_role("button", name="Freelancer")).to_have_attribute("aria-expanded", "true")
    tabs = page.get_by_role("navigation", name="Views").get_by_role("link")
    expect(tabs).to_have_text(
        ["SOW", "NDA", "Templates", "Batch", "Budget", "Publish", "Roster", "Documents", "Insights", "Help"]
    )
    page.screenshot(path=artifacts / "taskpane-sow-empty-360.png")

    page.get_by_role("link", name="NDA").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Non-disclosure agreement")
    page.get_by_text("One party").click()
    expect(page.get_by_role("group", name="Which party discloses?")).to_be_visible()
    expect(page.locator("#nda-form").get_by_role("button", name="Download .docx")).to_be_visible()
    page.set_viewport_size({"width": 400, "height": 900})
    page.screenshot(path=artifacts / "taskpane-nda-400.png", full_page=True)

    details = pane("details")
    expect(details.get_by_role("heading", name="Open a contract in Word")).to_be_visible()
    expect(details.locator("#details-form")).to_be_hidden()
    lines = pane("lines")
    expect(lines.get_by_role("heading", name="Open a tracker in Excel")).to_be_visible()
    budget = pane("budget")
    expect(budget.get_by_role("button", name="Insert tracker")).to_be_hidden()
    expect(budget.get_by_role("button", name="Download .xlsx")).to_be_visible()
    budget.screenshot(path=artifacts / "taskpane-budget-360.png", full_page=True)


def test_the_pane_loads_office_js_and_still_works_when_it_cannot(pane):
    page = pane("sow")
    assert page.evaluate("typeof Office.onReady") == "function"
    page.wait_for_timeout(
        4000
    )  # office.js keeps working a few seconds after onReady: nothing it does may break the pane
    choose_roster_freelancer(page.locator("#sow-form"), "zoe", "Zoe Angstrom")
    offline = pane("sow", block_office_js=True, allowed=("ERR_INTERNET_DISCONNECTED",))
    assert offline.evaluate("typeof window.Office") == "undefined"
    expect(offline.locator("#host-badge")).to_have_text("Browser")
    choose_roster_freelancer(offline.locator("#sow-form"), "zoe", "Zoe Angstrom")


@pytest.mark.parametrize("view", ["sow", "nda", "budget", "batch", "roster", "documents", "insights", "help"])
def test_every_control_has_a_label_and_the_pane_fits_320_pixels(pane, view):
    page = pane(view, width=320)
    page.locator("h2 > button[aria-expanded=false], details:not([open]) > summary").evaluate_all(
        "nodes => nodes.forEach(n => n.click())"
    )
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
        .map(el => el.name || el.outerHTML)""")
    assert unlabelled == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "the pane scrolls sideways at 320 px"


def test_a_budget_tracker_with_a_roster_line_downloads_and_shows_its_summary(pane, artifacts):
    page = pane("budget")
    form = page.locator("#budget-form")
    form.get_by_label("Project title").fill("Brand refresh")
    form.get_by_label("Approved budget").fill("10000")
    search = form.get_by_role("combobox", name="Add a freelancer from the roster")
    search.press_sequentially("zoe", delay=40)
    expect(form.get_by_role("option", name=re.compile("Zoe Angstrom"))).to_be_visible()
    search.press("Enter")
    expect(form.locator("[data-line-who]")).to_have_text("Zoe Angstrom · Angstrom Design LLC · $85.00/hour")
    expect(form.get_by_label("Currency")).to_have_value("USD")
    expect(form.locator('[name="lines[0].rate"]')).to_have_value(re.compile(r"^85(\.0+)?$"))  # the roster's rate
    fill(form, {"lines[0].role": "Brand designer", "lines[0].milestone": "Logo", "lines[0].planned_units": "40"})

    with page.expect_download() as download:
        form.get_by_role("button", name="Download .xlsx").click()
    assert download.value.suggested_filename == "Budget Brand refresh.xlsx"
    summary = page.get_by_role("region", name="Tracker summary")
    expect(summary).to_be_visible()
    figures = dict(zip(summary.locator("dt").all_inner_texts(), summary.locator("dd").all_inner_texts()))
    assert figures["Approved budget"] == "$10,000.00"
    assert figures["Planned"] == "$3,400.00"  # 40 hours at $85.00
    assert figures["Remaining"] == "$10,000.00"
    assert figures["Lines over budget"] == "0"
    page.screenshot(path=artifacts / "taskpane-budget-summary-360.png", full_page=True)


def test_in_word_a_sow_opens_as_a_new_document_or_replaces_the_open_one_once_confirmed(pane, artifacts):
    page = pane("sow", office_js=FAKE_WORD)
    expect(page.locator("#host-badge")).to_have_text("Word")
    expect(page.locator("#browser-banner")).to_be_hidden()
    tabs = page.get_by_role("navigation", name="Views").get_by_role("link")
    expect(tabs).to_have_text(
        ["SOW", "NDA", "Templates", "Batch", "Freelancer details", "Publish", "Roster", "Documents", "Help"]
    )
    form = page.locator("#sow-form")
    choose_roster_freelancer(form, "zoe", "Zoe Angstrom")
    fill_sow(form, second_milestone_amount="5000")
    form.get_by_role("button", name="Open in Word").click()
    expect(form.locator("[data-status]")).to_contain_text("Opened “SOW-2027-014 Zoe Angstrom.docx” as a new document.")
    [created] = page.evaluate("window.Word.created")
    text = text_of(base64.b64decode(created))
    assert "Zoe Angstrom" in text and "$7,500.00" in text
    assert page.evaluate("window.Word.inserted") == [], "the open document is left alone"

    form.get_by_role("button", name="Replace this document…").click()
    question = form.get_by_role("group", name=re.compile("replaces everything in the open document"))
    expect(question).to_be_visible()
    page.screenshot(path=artifacts / "taskpane-word-sow-replace-360.png")
    question.get_by_role("button", name="Replace this document").click()
    expect(form.locator("[data-status]")).to_contain_text("Replaced this document's content with")
    [inserted] = page.evaluate("window.Word.inserted")
    assert (inserted["into"], inserted["location"]) == ("document", "Replace")
    assert inserted["options"]["importStyles"] and inserted["options"]["importTheme"]
    assert base64.b64decode(inserted["base64"])[:2] == b"PK"


def test_in_word_freelancer_details_refills_each_tagged_field_and_says_how_many(pane, artifacts):
    page = pane("details", office_js=FAKE_WORD)
    form = page.locator("#details-form")
    form.get_by_role("button", name="Update freelancer details").click()
    expect(form.locator("[data-status]")).to_contain_text("Choose the freelancer first")
    search = form.get_by_role("combobox", name="Freelancer in this contract")
    search.press_sequentially("angstrom", delay=40)
    expect(form.get_by_role("option", name=re.compile("Zoe Angstrom"))).to_be_visible()
    search.press("ArrowDown")
    search.press("Enter")
    form.get_by_role("button", name="Update freelancer details").click()
    expect(form.locator("[data-status]")).to_have_text(
        "Updated 4 fields with Zoe Angstrom's details (name, phone, address). "
        "Left as they were, since the roster has no value: tax id."
    )
    controls = page.evaluate(
        "Object.fromEntries(Object.entries(window.Word.controls).map(([tag, cs]) => [tag, cs.map((c) => c.written)]))"
    )
    assert controls["freelancer.name"] == [[["text", "Zoe Angstrom"]]] * 2
    assert controls["freelancer.phone"] == [[["text", "+1 206 555 0134"]]]
    # Lines with a line break between them, not "\v" (which Word on the web and Mac does not show).
    assert controls["freelancer.address"] == [
        [["text", "12 Pike Street"], ["break", "Line"], ["text", "Seattle, WA 98101"]]
    ]
    assert controls["freelancer.tax_id"] == [[]]
    page.screenshot(path=artifacts / "taskpane-word-details-360.png")


# Inside Excel: a workbook holding the tracker's table, with one line filled in.
FAKE_EXCEL = fake_office(
    "Excel",
    {"ExcelApi": "1.17", "OpenBrowserWindowApi": "1.1"},
    """const headers = ["Freelancer", "Role", "SOW", "Milestone", "Status", "Planned units", "Rate", "Planned amount",
                 "Actual units", "Actual amount", "Invoiced", "Variance", "% used"];
    const filled = ["Zhang Wei", "Data engineer", "SOW-2027-009", "", "in progress", 10, 720, "=[@[Planned units]]*[@Rate]",
                2, "=[@[Actual units]]*[@Rate]", 0, "=[@[Planned amount]]-[@[Actual amount]]", "=[@[Actual amount]]/[@[Planned amount]]"];
    const computed = filled.map((cell) => (String(cell).startsWith("=") ? 7200 : cell));
    // What a generated tracker holds, for Excel to insert (Excel on the web refuses charts in it).
    const tracker = { sheets: [{ name: "Budget", tables: [{ name: "BudgetLines", headers },
      { name: "FreelancerTotals", headers: ["Freelancer", "Planned", "Actual"] }] }] };
    window.Excel = fakes.fakeExcel({ platform: "OfficeOnline", describe: (base64) => (atob(base64).startsWith("PK") ? tracker : null),
      tables: window.withTracker === false ? [] : [{ name: "BudgetLines", sheet: "Lines", headers, formulas: [filled], values: [computed] }] });""",
)


def test_in_excel_add_freelancer_lines_writes_each_value_under_its_column(pane, artifacts):
    page = pane("lines", office_js=FAKE_EXCEL)
    expect(page.locator("#host-badge")).to_have_text("Excel")
    tabs = page.get_by_role("navigation", name="Views").get_by_role("link")
    expect(tabs).to_have_text(["Budget", "Add lines", "Roster", "Documents", "Insights", "Help"])
    form = page.locator("#lines-form")
    search = form.get_by_role("combobox", name="Add a freelancer from the roster")
    search.press_sequentially("zoe", delay=40)
    expect(form.get_by_role("option", name=re.compile("Zoe Angstrom"))).to_be_visible()
    search.press("Enter")
    form.get_by_role("button", name="Add to tracker").click()
    expect(form.locator(".field", has=page.locator('[name="lines[0].role"]')).locator(".field-error")).to_have_text(
        "is required"
    )

    fill(
        form,
        {
            "lines[0].role": "Brand designer",
            "lines[0].milestone": "Logo",
            "lines[0].planned_units": "40",
            "lines[0].sow_number": "SOW-2027-014",
        },
    )
    page.screenshot(path=artifacts / "taskpane-excel-lines-360.png")
    form.get_by_role("button", name="Add to tracker").click()
    expect(form.locator("[data-status]")).to_have_text("Added 1 line to the tracker table. Excel computes the amounts.")
    assert page.evaluate("window.Excel.added") == [
        {
            "table": "BudgetLines",
            "values": [
                [
                    "Zoe Angstrom",
                    "Brand designer",
                    "SOW-2027-014",
                    "Logo",
                    "planned",
                    40,
                    85,
                    None,
                    "",
                    None,
                    "",
                    None,
                    None,
                ]
            ],
        }
    ]


def test_in_excel_on_the_web_the_tracker_goes_in_without_its_chart_which_the_pane_adds_back(pane, artifacts):
    page = pane("budget", office_js=FAKE_EXCEL, before=lambda p: p.add_init_script("window.withTracker = false"))
    form = page.locator("#budget-form")
    form.get_by_label("Project title").fill("Brand refresh")
    form.get_by_label("Approved budget").fill("5000")
    form.get_by_label("Currency").fill("usd")
    form.get_by_role("button", name="Insert tracker").click()
    expect(form.locator("[data-status]")).to_contain_text(
        "Inserted the tracker into this workbook: see the “Budget” sheet."
    )
    [sheet] = page.evaluate("window.Excel.sheets")
    assert page.evaluate("window.Excel.insertedWith") == {"positionType": "End"}
    assert [(chart["type"], chart["title"]["text"], chart["position"][0]) for chart in sheet["charts"]] == [
        ("ColumnClustered", "Planned vs actual per freelancer", "T6")
    ]
    names = page.evaluate("[...window.Excel.names.values()].map((name) => [name.name, name.address])")
    assert ["ApprovedBudget", "A4"] in names and len(names) == 12
    assert sheet["print"] == {"titles": "$6:$6", "area": "A1:M1048576,P1:AD1048576"}
    assert page.evaluate("window.Office.context.document.settings.get('freelance.tracker')") == {
        "table": "BudgetLines",
        "sheet": "Budget",
    }
    summary = page.get_by_role("region", name="Tracker summary")
    expect(summary.locator("dd").first).to_have_text("$5,000.00")
    page.screenshot(path=artifacts / "taskpane-excel-budget-360.png", full_page=True)

"""Sending one document to several freelancers, in a real browser: a hiring manager picks two roster
freelancers, fills the mutual NDA's shared details in the form drawn from its schema, starts the batch,
follows it to the end and downloads the zip of their documents."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from tests.e2e.conftest import REQUIRES_BROWSER, expect
from tests.e2e.steps import CLIENT, ZOE, add_to_roster, fill
from tests.reading import text_of
from tests.roster.files import person

pytestmark = REQUIRES_BROWSER


@pytest.fixture(scope="module")
def roster(server_url) -> list[dict]:
    """Zoe Angstrom, Sam Lee and Ana Souza, added to the roster through the API."""
    return [
        add_to_roster(server_url, details) for details in (ZOE, person(1, name="Sam Lee"), person(2, name="Ana Souza"))
    ]


def _add_from_roster(form, typed: str, name: str) -> None:
    """Search the roster as a person types, choose the match with the keyboard; the search stays open."""
    search = form.get_by_role("combobox", name="Add a freelancer from the roster")
    search.press_sequentially(typed, delay=40)
    expect(form.get_by_role("option", name=re.compile(name))).to_be_visible()
    search.press("ArrowDown")
    search.press("Enter")
    expect(form.locator("[data-picks]")).to_contain_text(name)
    expect(search).to_have_value("")


def test_a_hiring_manager_sends_the_mutual_nda_to_two_freelancers_and_downloads_their_zip(
    open_page, server_url, roster, artifacts
):
    page = open_page(f"{server_url}/taskpane.html?view=batch")
    expect(page.get_by_role("heading", level=1)).to_have_text("Send to several freelancers")
    form = page.locator("#batch-form")
    _add_from_roster(form, "angst", "Zoe Angstrom")
    _add_from_roster(form, "sam", "Sam Lee")
    expect(form.locator("[data-picks] li")).to_have_count(2)

    form.get_by_label("Template").select_option(label="Mutual NDA")
    expect(form.locator('[name="data.freelancer.name"], [name="data.freelancer_id"]')).to_have_count(0)
    fill(form, {f"data.{name}": value for name, value in CLIENT.items()})
    fill(
        form,
        {
            "data.effective_date": "2027-01-04",
            "data.purpose": "Evaluating a brand refresh engagement",
            "data.confidentiality_years": "3",
            "data.governing_law": "the State of Washington",
            "data.jurisdiction": "the state and federal courts of King County, Washington",
        },
    )
    page.screenshot(path=artifacts / "taskpane-batch-form-360.png", full_page=True)
    form.get_by_role("button", name="Start the batch").click()

    batch = page.locator("[data-batch]")
    expect(batch.get_by_role("heading", level=2)).to_have_text("Mutual NDA for 2 freelancers")
    expect(batch.locator("[data-counts]")).to_have_text("2 of 2 done", timeout=30_000)
    expect(batch.get_by_role("progressbar", name="Documents made")).to_have_js_property("value", 2)
    expect(batch.locator("[data-status]")).to_have_text("Done: 2 documents made.")
    expect(batch.locator("[data-failures]")).to_be_hidden()
    page.screenshot(path=artifacts / "taskpane-batch-done-360.png", full_page=True)

    with page.expect_download() as download:
        batch.get_by_role("button", name="Download the zip").click()
    expect(batch.locator("[data-status]")).to_contain_text("is ready: 2 documents")
    assert re.fullmatch(r"nda-mutual batch \d{4}-\d{2}-\d{2} \d{4}\.zip", download.value.suggested_filename)
    with zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())) as archive:
        documents = {name: text_of(archive.read(name)) for name in archive.namelist()}
    assert sorted(documents) == ["NDA Contoso Ltd - Sam Lee.docx", "NDA Contoso Ltd - Zoe Angstrom.docx"]
    for name, text in documents.items():
        assert "Evaluating a brand refresh engagement" in text, name
        assert name.removeprefix("NDA Contoso Ltd - ").removesuffix(".docx") in text, name

    # Back at the form, the batch is listed to follow or download again later.
    batch.get_by_role("button", name="Start another batch").click()
    recent = page.get_by_role("region", name="Recent batches")
    expect(recent.locator(".managed-title")).to_have_text(["Mutual NDA for 2 freelancers"])
    expect(recent.locator(".managed-meta")).to_contain_text("2 of 2 done")

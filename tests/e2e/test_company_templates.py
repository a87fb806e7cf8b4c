"""Company templates in a real browser: someone in procurement publishes the company's own work order
(a .docx typed with tags) through the pane's upload, sees every problem of a broken one listed with
where it is, publishes a second version; a hiring manager then fills the form the pane draws from the
template's schema and downloads the document."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest

from tests.e2e.conftest import REQUIRES_BROWSER, expect
from tests.reading import text_of

pytestmark = REQUIRES_BROWSER


def _work_order(closing: str = "Signed for {{ supplier.name }}.") -> bytes:
    """Contoso's work order: a number, a supplier, a start date, and a table row repeated per task."""
    document = docx.Document()
    document.add_heading("Work order {{ order_number }}", level=1)
    document.add_paragraph("Supplier: {{ supplier.name }}, {{ supplier.city }}")
    document.add_paragraph("Work starts on {{ start_date }}.")
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text = "{%tr for task in tasks %}"
    table.cell(1, 0).text = "{{ task.title }}"
    table.cell(1, 1).text = "{{ task.hours }}"
    table.cell(2, 0).text = "{%tr endfor %}"
    document.add_paragraph(closing)
    content = io.BytesIO()
    document.save(content)
    return content.getvalue()


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("company-templates")
    files = {
        "work order": _work_order(),
        "work order v2": _work_order("Signed for {{ supplier.name }}, who accepts Contoso's terms."),
        "broken": _work_order("{% if supplier.city %}Local supplier"),
    }
    paths = {}
    for name, content in files.items():
        paths[name] = folder / f"{name}.docx"
        paths[name].write_bytes(content)
    return paths


@pytest.fixture
def publish_view(open_page, server_url):
    """The Publish view in a browser; the refusals the test provokes are expected in the console."""
    return lambda: open_page(f"{server_url}/taskpane.html?view=publish", allowed=("status of 409", "status of 422"))


def _publish(page, path: Path, title: str, template_id: str | None = None) -> None:
    form = page.locator("#publish-form")
    form.get_by_label("Word document (.docx)").set_input_files(str(path))
    form.get_by_label("Title").fill(title)
    if template_id is not None:
        form.get_by_label("Template id").fill(template_id)
    form.get_by_role("button", name="Publish as template").click()


def test_a_broken_template_is_refused_with_every_problem_listed_where_it_is(publish_view, documents, artifacts):
    page = publish_view()
    _publish(page, documents["broken"], "Contoso broken order", "contoso-broken")
    status = page.locator("#publish-form [data-status]")
    expect(status).to_contain_text("Nothing was published")
    problems = page.locator("[data-problems]")
    expect(problems).to_be_visible()
    expect(problems.locator("h2")).to_contain_text("Not published")
    items = problems.locator("li")
    expect(items.first).to_be_visible()
    for index in range(items.count()):
        expect(items.nth(index).locator(".problem-message")).not_to_be_empty()
    expect(problems.locator(".problem-where").first).to_contain_text("paragraph")
    expect(problems.locator("code").first).to_contain_text("{% if")
    expect(problems.get_by_role("button", name=re.compile("^Show"))).to_have_count(0)  # no open document in a browser
    page.screenshot(path=artifacts / "taskpane-publish-problems-360.png", full_page=True)


def test_procurement_publishes_a_work_order_and_a_hiring_manager_fills_it_in(publish_view, documents, artifacts):
    page = publish_view()
    form = page.locator("#publish-form")
    form.get_by_label("Title").fill("Contoso work order")
    expect(form.get_by_label("Template id")).to_have_value("contoso-work-order")
    _publish(page, documents["work order"], "Contoso work order")
    expect(form.locator("[data-status]")).to_contain_text("Published “Contoso work order” as a company template")
    managed = page.locator("[data-managed] .managed", has_text="Contoso work order")
    expect(managed.locator(".managed-meta")).to_contain_text("contoso-work-order · Version 1")

    # The same id again: a new version, once confirmed.
    _publish(page, documents["work order v2"], "Contoso work order", "contoso-work-order")
    confirm = form.locator(".confirm")
    expect(confirm).to_contain_text("Publish this document as version 2?")
    confirm.get_by_role("button", name="Publish a new version").click()
    expect(form.locator("[data-status]")).to_contain_text("Published version 2 of “Contoso work order”")
    managed.get_by_role("button", name="Versions").click()
    expect(managed.locator(".versions li")).to_have_count(2)
    page.screenshot(path=artifacts / "taskpane-publish-done-360.png", full_page=True)

    # A hiring manager finds it beside the shipped templates, fills the form drawn from its schema.
    page.get_by_role("navigation", name="Views").get_by_role("link", name="Templates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New document")
    page.locator("[data-company]").get_by_role("button", name=re.compile("Contoso work order")).click()
    drawn = page.locator("#template-form")
    expect(drawn.locator("[data-form-title]")).to_have_text("Contoso work order")
    values = {
        "order_number": "WO-2027-001",
        "supplier.name": "Fabrikam Design",
        "supplier.city": "Seattle",
        "start_date": "2027-01-11",
        "tasks[0].title": "Logo sketches",
        "tasks[0].hours": "12.5",
    }
    for name, value in values.items():
        drawn.locator(f'[name="{name}"]').fill(value)
    drawn.get_by_role("button", name="Add task").click()
    drawn.locator('[name="tasks[1].title"]').fill("Final artwork")
    drawn.locator('[name="tasks[1].hours"]').fill("20")
    page.screenshot(path=artifacts / "taskpane-company-template-form-360.png", full_page=True)

    with page.expect_download() as download:
        drawn.get_by_role("button", name="Download .docx").click()
    expect(drawn.locator("[data-status]")).to_contain_text("is ready")
    text = text_of(Path(download.value.path()).read_bytes())
    for expected in (
        "WO-2027-001",
        "Fabrikam Design",
        "Seattle",
        "Logo sketches",
        "Final artwork",
        "accepts Contoso's terms",
    ):
        assert expected in text, f"{expected!r} missing from the work order"
    assert "{{" not in text and "{%" not in text

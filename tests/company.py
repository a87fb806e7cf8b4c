"""Company templates for the tests: Word files with tags, and publishing them over the API."""

from __future__ import annotations

import io
import json
from typing import Any

from flask.testing import FlaskClient

from tests.documents.docx_files import Table, make_docx


def custom_template(opening: str = "Work order for") -> bytes:
    """The custom template (CUSTOM), its first paragraph opening with ``opening``."""
    return make_docx(
        opening + " {{ client.name }}, dated {{ effective_date }}.",
        "Budget {{ budget|money }}, starting {{ start|date }}, about {{ hours|number }} hours.",
        Table(
            [
                ["Task", "Due"],
                ["{%tr for t in tasks %}", ""],
                ["{{ t.name }}", "{{ t.due|date }}"],
                ["{%tr endfor %}", ""],
            ]
        ),
        "{%p if rush %}",
        "Rush delivery applies.",
        "{%p endif %}",
        footer="{{ client.name }}",
    )


CUSTOM = custom_template()
"""A custom template: the contract field client, and fields of its own (money, date, number, a list, a flag)."""

CUSTOM_DATA: dict[str, Any] = {
    "client": {
        "name": "Contoso Ltd",
        "address": "1 Microsoft Way",
        "signatory_name": "Megan Bowen",
        "signatory_title": "Head of Procurement",
        "email": "megan@contoso.com",
    },
    "effective_date": "2027-01-04",
    "budget": {"amount": "12000", "currency": "EUR"},
    "start": "2027-02-01",
    "hours": "1200",
    "tasks": [{"name": "Logo", "due": "2027-03-01"}, {"name": "Guide", "due": "2027-03-15"}],
    "rush": True,
}

COMPANY_SOW = make_docx(
    "Statement of work {{ sow_number }} between {{ client.name }} and {{ freelancer.name }}.",
    "{%p for m in milestones %}",
    "{{ m.name }}: {{ m.amount }} due {{ m.due_date }}",
    "{%p endfor %}",
    "Total fee {{ fee.total }}. Cost centre {{ cost_centre }}.",
)
"""A company SOW: the shipped SOW fields (so the SOW's types and rules apply) and one field of its own."""


def publish(
    client: FlaskClient,
    content: bytes,
    template_id: str = "acme-order",
    title: str | None = "Acme work order",
    schema: dict[str, Any] | str | None = None,
    *,
    new_version: bool = False,
    filename: str = "template.docx",
):
    """Publish ``content`` as a company template (or a new version of ``template_id``); return the response."""
    form: dict[str, Any] = {"file": (io.BytesIO(content), filename)}
    if not new_version:
        form["id"] = template_id
    if title is not None:
        form["title"] = title
    if schema is not None:
        form["schema"] = schema if isinstance(schema, str) else json.dumps(schema)
    path = f"/api/templates/{template_id}" if new_version else "/api/templates"
    send = client.put if new_version else client.post
    return send(path, data=form, content_type="multipart/form-data")

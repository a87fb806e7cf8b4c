"""GET /api/templates and the schema of each template's data."""

from __future__ import annotations

import hashlib

from tests.helpers import TEMPLATES


def test_the_shipped_templates_are_listed_with_version_and_fields(client):
    items = {item["id"]: item for item in client.get("/api/templates").json["items"]}
    assert {(i, item["format"]) for i, item in items.items()} == {
        ("sow", "docx"),
        ("nda-mutual", "docx"),
        ("nda-one-way", "docx"),
        ("budget", "xlsx"),
    }
    for template_id, item in items.items():
        template_file = TEMPLATES / f"{template_id}.{item['format']}"
        assert item["version"] == hashlib.sha256(template_file.read_bytes()).hexdigest()
        assert item["schema_url"] == f"/api/templates/{template_id}"
    assert {"sow_number", "client", "freelancer", "milestones", "fee"} <= set(items["sow"]["fields"])
    assert "discloser" in items["nda-one-way"]["fields"]
    assert "discloser" not in items["nda-mutual"]["fields"]


def test_a_template_answers_the_json_schema_of_its_data(client):
    schema = client.get("/api/templates/sow").json
    assert schema["type"] == "object"
    assert {"sow_number", "effective_date", "client", "fee"} <= set(schema["required"])
    assert {"freelancer", "freelancer_id"} <= set(schema["properties"])  # one or the other
    assert schema["$defs"]["Milestone"]["properties"]["amount"]


def test_an_unknown_template_schema_is_404(client):
    assert client.get("/api/templates/lease").status_code == 404

"""GET /api/openapi.json: a valid OpenAPI 3.1 document of every route, from the validating models."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from freelance.models import SOW


def api_paths(app) -> set[str]:
    """The path of every /api/ route of ``app`` and its health checks, as OpenAPI writes it."""
    routes = {
        rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/") or rule.rule in HEALTH
    } - {"/api/openapi.json"}
    return {re.sub(r"<(\w+)>", r"{\1}", route) for route in routes}


HEALTH = {"/healthz", "/readyz"}
ONEDRIVE = {"/api/documents/{document_id}/onedrive", "/api/batches/{batch_id}/onedrive"}


def test_the_openapi_document_is_valid_and_lists_every_api_route_of_local_mode(client, app):
    document = client.get("/api/openapi.json").json
    validate(document)
    assert set(document["paths"]) == api_paths(app) - ONEDRIVE  # saving to OneDrive needs sign-in


def test_every_operation_documents_the_errors_any_request_can_meet(client):
    for path, operations in client.get("/api/openapi.json").json["paths"].items():
        if path in HEALTH:
            continue
        for method, operation in operations.items():
            assert {"400", "401", "403", "404", "413", "429", "503"} <= set(operation["responses"]), (method, path)


def test_uploads_are_described_as_multipart_or_a_bare_file(client):
    paths = client.get("/api/openapi.json").json["paths"]
    summary = paths["/api/budgets/summary"]["post"]["requestBody"]["content"]
    assert summary["multipart/form-data"]["schema"]["required"] == ["file"]
    assert summary["application/octet-stream"]["schema"] == {"type": "string", "format": "binary"}
    publish = paths["/api/templates"]["post"]["requestBody"]["content"]
    assert list(publish) == ["multipart/form-data"]  # the id and title travel beside the file
    assert publish["multipart/form-data"]["schema"]["required"] == ["file", "id", "title"]


def test_request_bodies_are_described_by_the_models_that_validate_them(client):
    document = client.get("/api/openapi.json").json
    body = document["paths"]["/api/documents"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/DocumentRequest"}
    schemas = document["components"]["schemas"]
    assert set(schemas["SOW"]["required"]) == {name for name, field in SOW.model_fields.items() if field.is_required()}
    assert schemas["Error"]["properties"]["errors"]

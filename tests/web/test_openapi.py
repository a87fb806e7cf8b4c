"""GET /api/openapi.json: a valid OpenAPI 3.1 document of every route, from the validating models."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from freelance.models import SOW


def test_the_openapi_document_is_valid_and_lists_every_api_route(client, app):
    document = client.get("/api/openapi.json").json
    validate(document)
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")} - {"/api/openapi.json"}
    assert set(document["paths"]) == {re.sub(r"<(\w+)>", r"{\1}", route) for route in routes}


def test_request_bodies_are_described_by_the_models_that_validate_them(client):
    document = client.get("/api/openapi.json").json
    body = document["paths"]["/api/documents"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/DocumentRequest"}
    schemas = document["components"]["schemas"]
    assert set(schemas["SOW"]["required"]) == {name for name, field in SOW.model_fields.items() if field.is_required()}
    assert schemas["Error"]["properties"]["errors"]

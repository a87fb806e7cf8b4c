"""With sign-in, the OpenAPI document lists every route, saving to OneDrive too."""

from __future__ import annotations

from openapi_spec_validator import validate

from tests.web.test_openapi import api_paths


def test_with_sign_in_the_document_lists_every_api_route(entra_app, anonymous):
    document = anonymous.get("/api/openapi.json").json
    validate(document)
    assert set(document["paths"]) == api_paths(entra_app)

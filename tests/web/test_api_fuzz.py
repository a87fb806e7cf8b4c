"""The API against its own OpenAPI document, with inputs schemathesis makes up (a bounded number per
operation, the same on every run): never a server error, every response as the document says."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from freelance.web import create_app

# The document of an app that is never started (no database is opened).
DOCUMENT = (
    create_app({"MIGRATE_ON_START": "false", "DATABASE_URL": "sqlite://"}).test_client().get("/api/openapi.json").json
)
OPERATIONS = [(path, method.upper()) for path, operations in DOCUMENT["paths"].items() for method in operations]
# Not "valid input is accepted": cross-field rules (milestones add up to the fee) and files' contents are
# beyond what a schema says.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_the_api_answers_as_its_document_says(app, path, method):
    operation = schemathesis.openapi.from_wsgi("/api/openapi.json", app)[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def answers(case):
        # The test client's address is this machine's, as local mode asks (schemathesis sets none).
        case.call_and_validate(environ_base={"REMOTE_ADDR": "127.0.0.1"}, checks=CHECKS)

    answers()

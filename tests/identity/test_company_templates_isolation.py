"""A company template is its tenant's: listed, used, versioned and retired by its people only."""

from __future__ import annotations

import pytest

from tests.company import CUSTOM, CUSTOM_DATA, publish


@pytest.fixture
def published(alice):
    answer = publish(alice, CUSTOM)
    assert answer.status_code == 201, answer.json
    assert answer.json["created_by"] != "local"  # the signed-in user's object id
    return answer.json


def test_everyone_in_the_tenant_sees_and_uses_it(published, carol):
    assert "acme-order" in {item["id"] for item in carol.get("/api/templates").json["items"]}
    made = carol.post("/api/documents", json={"template": "acme-order", "data": CUSTOM_DATA})
    assert made.status_code == 201, made.json


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/templates/acme-order"),
        ("get", "/api/templates/acme-order/versions"),
        ("post", "/api/templates/acme-order/preview"),
        ("delete", "/api/templates/acme-order"),
    ],
)
def test_another_tenant_finds_nothing(published, alice, bruno, method, path):
    assert getattr(bruno, method)(path).status_code == 404
    assert "acme-order" not in {item["id"] for item in bruno.get("/api/templates").json["items"]}
    assert bruno.post("/api/documents", json={"template": "acme-order", "data": CUSTOM_DATA}).status_code == 404
    assert publish(bruno, CUSTOM, new_version=True).status_code == 404
    assert alice.get("/api/templates/acme-order/versions").json["items"][0]["number"] == 1  # unchanged


def test_another_tenant_may_use_the_same_id_for_its_own(published, bruno, alice):
    theirs = publish(bruno, CUSTOM, title="Fabrikam order")
    assert theirs.status_code == 201
    assert bruno.get("/api/templates/acme-order").json["title"] == "Fabrikam order"
    assert alice.get("/api/templates/acme-order").json["title"] == "Acme work order"


def test_templates_need_sign_in(anonymous):
    assert anonymous.get("/api/templates").status_code == 401
    assert publish(anonymous, CUSTOM).status_code == 401

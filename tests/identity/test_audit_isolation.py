"""Signed in: each tenant's audit log holds its own users' actions, named by object id and name, and no one
else's; the health checks answer anyone, without a token."""

from __future__ import annotations

from tests.identity.microsoft import ALICE
from tests.roster.files import person


def test_a_tenants_log_names_its_users_and_another_tenant_sees_none_of_it(alice, carol, bruno, sow_data):
    freelancer = alice.post("/api/freelancers", json=person(1)).json["id"]
    document = alice.post("/api/documents", json={"template": "sow", "data": sow_data}).json["id"]

    contoso = carol.get("/api/audit").json  # Alice's colleague: the same tenant's log
    assert [(e["action"], e["target_id"], e["actor"], e["actor_name"]) for e in contoso["items"]] == [
        ("document.generated", document, ALICE, "Alice Martin"),
        ("freelancer.created", freelancer, ALICE, "Alice Martin"),
    ]
    assert bruno.get("/api/audit").json == {"items": [], "page": 1, "per_page": 20, "total": 0}
    assert bruno.get("/api/audit?action=document.generated").json["total"] == 0


def test_the_log_needs_sign_in_but_the_health_checks_do_not(anonymous):
    assert anonymous.get("/api/audit").status_code == 401
    assert anonymous.get("/healthz").status_code == 200
    ready = anonymous.get("/readyz")
    assert ready.status_code == 200 and set(ready.json) == {"status", "checks"}

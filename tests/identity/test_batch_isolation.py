"""Batches are tenant-scoped: another tenant neither sees a batch nor reaches its freelancers."""

from __future__ import annotations

from tests.batches.conftest import finished, zip_entries
from tests.helpers import NDA
from tests.roster.files import person


def batch_body(**selection) -> dict:
    return {"template": "nda-mutual", "data": {k: v for k, v in NDA.items() if k != "freelancer"}} | selection


def test_another_tenant_neither_sees_a_batch_nor_batches_its_freelancers(alice, bruno):
    zoe = alice.post("/api/freelancers", json=person(1)).json
    started = alice.post("/api/batches", json=batch_body(freelancer_ids=[zoe["id"]]))
    assert started.status_code == 202, started.json
    batch = finished(alice, started.headers["Location"])
    assert len(zip_entries(alice.get(batch["zip_url"]).data)) == 1

    assert bruno.get(f"/api/batches/{batch['id']}").status_code == 404
    assert bruno.get("/api/batches").json["items"] == []
    assert [b["id"] for b in alice.get("/api/batches").json["items"]] == [batch["id"]]
    assert bruno.get(batch["zip_url"]).status_code == 404
    assert bruno.delete(f"/api/batches/{batch['id']}").status_code == 404
    refused = bruno.post("/api/batches", json=batch_body(freelancer_ids=[zoe["id"]]))
    assert (refused.status_code, [e["field"] for e in refused.json["errors"]]) == (400, ["freelancer_ids[0]"])
    assert bruno.post("/api/batches", json=batch_body(roster={})).json["errors"][0]["field"] == "roster"

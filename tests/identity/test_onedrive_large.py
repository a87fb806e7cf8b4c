"""Saving a batch's zip, and any file over 4 MB, to OneDrive: an upload session sent in 320 KiB-multiple fragments."""

from __future__ import annotations

import os

import pytest

from freelance.errors import MicrosoftFailed
from freelance.onedrive import FRAGMENT
from freelance.web.services import services
from tests.batches.conftest import finished
from tests.helpers import NDA
from tests.identity.microsoft import CONTOSO
from tests.roster.files import person


def finished_batch(client, count: int = 2) -> dict:
    ids = [client.post("/api/freelancers", json=person(i)).json["id"] for i in range(count)]
    data = {k: v for k, v in NDA.items() if k != "freelancer"}
    started = client.post("/api/batches", json={"template": "nda-mutual", "data": data, "freelancer_ids": ids})
    assert started.status_code == 202, started.json
    return finished(client, started.headers["Location"])


def test_a_finished_batchs_zip_is_saved_to_onedrive_under_its_name(alice, microsoft):
    batch = finished_batch(alice)
    saved = alice.post(f"/api/batches/{batch['id']}/onedrive")
    assert saved.status_code == 200, saved.json
    [upload] = microsoft.uploads
    assert upload["name"].startswith("nda-mutual batch ") and upload["name"].endswith(".zip")
    assert saved.json["web_url"].endswith(f"/Freelance%20contracts/{upload['name']}")
    assert upload["content"] == alice.get(batch["zip_url"]).data
    assert upload["tid"] == CONTOSO


def test_a_zip_over_4_mb_goes_up_in_an_upload_session(alice, microsoft, monkeypatch):
    monkeypatch.setattr("freelance.onedrive._SIMPLE_UPLOAD_LIMIT", 1024)  # this small zip counts as large
    batch = finished_batch(alice)
    assert alice.post(f"/api/batches/{batch['id']}/onedrive").status_code == 200
    [fragment] = microsoft.fragments_sent()
    assert "Authorization" not in fragment.headers
    assert microsoft.uploads[0]["content"] == alice.get(batch["zip_url"]).data
    assert microsoft.sessions == {}


def test_the_zip_of_a_batch_still_running_is_not_saved(alice, microsoft, entra_app):
    batches = services(entra_app).batches
    batches.runner, running = _Stalled(), batches.runner
    try:
        ids = [alice.post("/api/freelancers", json=person(1)).json["id"]]
        data = {k: v for k, v in NDA.items() if k != "freelancer"}
        batch = alice.post("/api/batches", json={"template": "nda-mutual", "data": data, "freelancer_ids": ids}).json
        refused = alice.post(f"/api/batches/{batch['id']}/onedrive")
        assert refused.status_code == 409, refused.json
        assert microsoft.uploads == [] and microsoft.calls("POST", "/oauth2/v2.0/token") == []
    finally:
        batches.runner = running


def test_another_tenants_batch_is_not_found(alice, bruno, microsoft):
    batch = finished_batch(alice, 1)
    assert bruno.post(f"/api/batches/{batch['id']}/onedrive").status_code == 404
    assert bruno.post(f"/api/batches/{batch['id']}/link").status_code == 404
    assert microsoft.uploads == []


def test_saving_a_batch_in_local_mode_says_sign_in_is_needed(client):
    batch = finished_batch(client, 1)
    response = client.post(f"/api/batches/{batch['id']}/onedrive")
    assert response.status_code == 400
    assert "sign-in" in response.json["error"]


class _Stalled:
    def submit(self, item_ids, run) -> None:
        pass

    def close(self) -> None:
        pass


def test_a_large_file_goes_up_fragment_by_fragment_each_a_multiple_of_320_kib(entra_app, alice, microsoft):
    content = os.urandom(2 * FRAGMENT + 12345)
    saved = _save(entra_app, alice, "contracts.zip", content)
    assert saved.startswith("https://") and saved.endswith("/contracts.zip")
    fragments = microsoft.fragments_sent()
    assert [r.headers["Content-Range"] for r in fragments] == [
        f"bytes 0-{FRAGMENT - 1}/{len(content)}",
        f"bytes {FRAGMENT}-{2 * FRAGMENT - 1}/{len(content)}",
        f"bytes {2 * FRAGMENT}-{len(content) - 1}/{len(content)}",
    ]
    assert microsoft.uploads[-1]["content"] == content
    assert microsoft.uploads_made() == [] and microsoft.complaints == []


def test_a_fragment_refused_cancels_the_upload_session_and_says_so(entra_app, alice, microsoft):
    microsoft.graph = "fragment_fails"
    with pytest.raises(MicrosoftFailed, match="OneDrive answered 500"):
        _save(entra_app, alice, "contracts.zip", os.urandom(FRAGMENT + 1))
    assert microsoft.sessions == {}  # deleted
    assert microsoft.uploads == []


def _save(app, client, filename: str, content: bytes) -> str:
    """Save ``content`` as the signed-in user of ``client`` would."""
    from freelance.web.auth import current_user

    token = client.environ_base["HTTP_AUTHORIZATION"]
    with app.test_request_context("/api/documents", headers={"Authorization": token}):
        app.preprocess_request()
        return services(app).onedrive.save(current_user(), filename, content)

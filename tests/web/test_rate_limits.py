"""Rate limits per user: generating, uploading and starting batches answer 429 with Retry-After past theirs."""

from __future__ import annotations

import uuid

import pytest
from redis import Redis

from freelance.web import create_app
from tests.helpers import discard


@pytest.fixture
def limited(database_url, tmp_path):
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY_FILE": str(tmp_path / "secret.key"),
            "RATE_LIMIT_GENERATION": "3 per minute",
            "RATE_LIMIT_UPLOADS": "2 per hour",
        }
    )
    yield app
    discard(app)


def test_generation_past_the_limit_is_429_with_retry_after_and_nothing_is_made(limited, sow_data):
    client = limited.test_client()
    answers = [client.post("/api/documents", json={"template": "sow", "data": sow_data}) for _ in range(4)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    refused = answers[-1]
    assert refused.json["error"] == (
        "Too many documents generated in a short time (at most 3 per minute each): try again shortly."
    )
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert client.get("/api/documents").json["total"] == 3
    # Previews count with generation; reading is not limited.
    assert client.post("/api/templates/sow/preview", json={}).status_code == 429
    assert client.get("/api/documents").status_code == 200


def test_uploads_share_their_own_limit(limited):
    client = limited.test_client()
    csv = b"name,email,address,country\nZoe,zoe@example.com,1 Main St,US\n"
    answers = [
        client.post("/api/freelancers/import", data=csv, content_type="text/csv"),
        client.post("/api/freelancers/import?dry_run=true", data=csv, content_type="text/csv"),
        client.post("/api/budgets/summary", data=b"not a workbook", content_type="application/octet-stream"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[-1].headers["Retry-After"]) > 0


def test_each_app_counts_for_itself(limited, database_url, tmp_path, sow_data):
    other = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY_FILE": str(tmp_path / "k"), "RATE_LIMIT_GENERATION": "3 per minute"}
    )
    try:
        for app in (limited, other):
            answers = [
                app.test_client().post("/api/documents", json={"template": "sow", "data": sow_data}) for _ in range(3)
            ]
            assert [a.status_code for a in answers] == [201, 201, 201]
    finally:
        discard(other)


def test_with_redis_the_processes_share_their_counts(database_url, tmp_path, sow_data):
    from tests.batches.test_queue import REDIS_URL, _redis_reachable

    if not _redis_reachable():
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"test-limits-{uuid.uuid4().hex}"
    settings = {"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "RATE_LIMIT_GENERATION": "2 per minute"}
    settings |= {"RATE_LIMIT_PREFIX": prefix, "BATCH_QUEUE": prefix}
    first, second = (create_app(settings | {"SECRET_KEY_FILE": str(tmp_path / f"{n}.key")}) for n in (1, 2))
    try:
        body = {"template": "sow", "data": sow_data}
        answers = [app.test_client().post("/api/documents", json=body) for app in (first, second, second)]
        assert [a.status_code for a in answers] == [201, 201, 429]
    finally:
        discard(first)
        discard(second)
        with Redis.from_url(REDIS_URL) as redis:
            keys = list(redis.scan_iter(f"{prefix}*"))
            if keys:
                redis.delete(*keys)

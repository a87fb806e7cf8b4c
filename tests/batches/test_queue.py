"""Batches on the RQ queue: the real Redis on 127.0.0.1:6379 and real ``flask worker`` processes sharing the
database. Each test has a queue of its own, so two runs (or xdist workers) never take each other's jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text

from freelance.web import create_app
from freelance.web.services import services
from tests.batches.conftest import WAIT_SECONDS, finished, zip_entries
from tests.helpers import ROOT, discard
from tests.roster.files import HEADER, csv_bytes, person

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_reachable() -> bool:
    try:
        with Redis.from_url(REDIS_URL, socket_connect_timeout=1) as redis:
            return bool(redis.ping())
    except RedisError:
        return False


pytestmark = pytest.mark.skipif(
    not _redis_reachable() and not os.environ.get("CI"), reason=f"no Redis at {REDIS_URL} (CI always has one)"
)


@pytest.fixture
def queue_name() -> Iterator[str]:
    """A queue of this test's own, emptied of its jobs and registries afterwards."""
    name = f"test-batches-{uuid.uuid4().hex}"
    yield name
    with Redis.from_url(REDIS_URL) as redis:
        keys = list(redis.scan_iter(f"rq:*{name}*"))
        if keys:
            redis.delete(*keys)


@pytest.fixture
def settings(database_url, queue_name, tmp_path) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "BATCH_QUEUE": queue_name,
        "SECRET_KEY_FILE": str(tmp_path / "secret.key"),
        "BATCH_ITEM_TIMEOUT": "5",
    }


@pytest.fixture
def app(settings) -> Iterator[Flask]:
    """The app with batches on this test's queue (it overrides the embedded-runner app)."""
    app = create_app(settings)
    yield app
    discard(app)


@pytest.fixture
def start_worker(settings, tmp_path) -> Iterator[Callable[[], subprocess.Popen]]:
    """``start_worker()`` starts a ``flask worker`` process on this test's queue; each is stopped afterwards."""
    started: list[subprocess.Popen] = []

    def start(*options: str) -> subprocess.Popen:
        with (tmp_path / f"worker-{len(started)}.log").open("wb") as log:  # the child keeps its own copy
            process = subprocess.Popen(
                [str(Path(sys.executable).parent / "flask"), "--app", "server", "worker", *options],
                cwd=ROOT,
                env=os.environ | settings,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_worker_process_makes_every_document_of_a_batch(client, three, batch_body, start_worker):
    start_worker()
    response = client.post("/api/batches", json=batch_body(freelancer_ids=[f["id"] for f in three]))
    assert response.status_code == 202, response.json
    batch = finished(client, response.headers["Location"])
    assert (batch["status"], batch["done"], batch["failed"]) == ("done", 3, 0)
    assert sorted(zip_entries(client.get(batch["zip_url"]).data)) == [
        f"NDA Contoso Ltd - Freelancer {i:04d}.docx" for i in (1, 2, 3)
    ]


def test_items_wait_in_the_queue_until_a_worker_comes_and_a_failing_one_fails_alone(
    app, client, three, batch_body, start_worker
):
    with services(app).store.engine.begin() as connection:
        connection.execute(text("UPDATE freelancers SET email = 'not an email' WHERE name = 'Freelancer 0003'"))
    response = client.post("/api/batches", json=batch_body(freelancer_ids=[f["id"] for f in three]))
    waiting = client.get(response.headers["Location"]).json
    assert (waiting["status"], waiting["pending"]) == ("pending", 3)
    assert services(app).batches.runner.queue.count == 1  # type: ignore[attr-defined]  # one job: a run of 3 items
    start_worker()
    batch = finished(client, response.headers["Location"])
    assert (batch["done"], batch["failed"]) == (2, 1)
    assert batch["failures"][0]["freelancer_id"] == three[2]["id"]


def test_an_item_run_twice_at_once_keeps_one_document(app, client, three, batch_body):
    # Two workers holding the same job (one presumed dead, its job retried) race to finish it.
    client.post("/api/batches", json=batch_body(freelancer_ids=[three[0]["id"]]))
    batches = services(app).batches
    with services(app).store.engine.connect() as connection:
        item_id = str(connection.scalar(text("SELECT id FROM batch_items")))
    runs = [threading.Thread(target=batches.run_items, args=([item_id],)) for _ in range(4)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    with services(app).store.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM documents")) == 1
        assert connection.scalar(text("SELECT status FROM batch_items")) == "done"


def test_a_worker_killed_mid_batch_leaves_its_items_to_another_and_no_document_is_made_twice(
    app, client, upload, batch_body, start_worker
):
    response = upload(
        csv_bytes([HEADER, *([p["name"], p["email"], p["address"], "US"] for p in map(person, range(300)))])
    )
    assert response.status_code == 200, response.json
    location = client.post("/api/batches", json=batch_body(roster={})).headers["Location"]
    first = start_worker()
    deadline = time.monotonic() + WAIT_SECONDS
    while client.get(location).json["done"] < 20:
        assert time.monotonic() < deadline, "the first worker made no progress"
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.wait()
    # The job it held (started, or just taken from the queue) is retried once RQ presumes it dead: its time
    # (BATCH_ITEM_TIMEOUT) plus a minute, found by the next worker's maintenance.
    start_worker("--maintenance-interval", "5")
    batch = finished(client, location, seconds=240)
    assert (batch["done"], batch["failed"]) == (300, 0)
    with services(app).store.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM documents")) == 300
        assert connection.scalar(text("SELECT count(DISTINCT document_id) FROM batch_items")) == 300

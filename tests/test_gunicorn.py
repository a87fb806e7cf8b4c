"""The production server: real gunicorn with gunicorn.conf.py (two workers, as ``make serve`` runs it) on a new
PostgreSQL database, reached over loopback in local mode."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from freelance.batches.service import Batches
from freelance.web import create_app
from freelance.web.services import services
from tests.helpers import NDA, ROOT, SOW, fresh_postgresql_database
from tests.network import free_port
from tests.postgresql import SERVER, needs_postgresql
from tests.roster.files import person

pytestmark = needs_postgresql

TIMEOUT = 10
"""gunicorn's --timeout here: how long a stalled client may hold a thread (30 s in production)."""


@dataclass(frozen=True)
class Served:
    client: httpx.Client
    port: int
    log: Path
    batch: str
    """A batch the server found unfinished when it started."""


class _Stopped:
    """Where the items of a server that stopped before running any go: nowhere."""

    def submit(self, item_ids: list[str], run: Callable[[str], None]) -> None:
        pass

    def close(self) -> None:
        pass


def _leave_a_batch_unfinished(database_url: str, folder: Path) -> str:
    """Record a batch of three NDAs as a server does that stops before running any of them; return its id."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY_FILE": str(folder / "secret.key")})
    own = services(app)
    try:
        ids = [app.test_client().post("/api/freelancers", json=person(i)).json["id"] for i in (1, 2, 3)]
        data = {k: v for k, v in NDA.items() if k != "freelancer"}
        stopped = Batches(own.store.engine, own.generator, own.roster, own.store, _Stopped())
        return str(stopped.create("local", "nda-mutual", data, freelancer_ids=ids).batch.id)
    finally:
        own.batches.runner.close()
        own.store.engine.dispose()


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    with fresh_postgresql_database(SERVER) as database_url:
        batch = _leave_a_batch_unfinished(database_url, folder)
        # Only what this test sets: none of the environment's server settings (DATABASE_URL, REDIS_URL, ENTRA_...).
        env = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ} | {
            "DATABASE_URL": database_url,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "SECRET_KEY_FILE": str(folder / "secret.key"),
            "WEB_CONCURRENCY": "2",
            "THREADS": "4",
        }
        log = folder / "gunicorn.log"
        with log.open("wb") as output:  # the server keeps its own copy of the file
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--config",
                    "gunicorn.conf.py",
                    f"--timeout={TIMEOUT}",
                    "server:app",
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Host": f"localhost:{port}"}, timeout=30)
        try:
            _wait_until_ready(client, server, log)
            yield Served(client, port, log, batch)
        finally:
            client.close()
            server.terminate()
            server.wait(timeout=60)


def _wait_until_ready(client: httpx.Client, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert server.poll() is None, f"gunicorn exited:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"gunicorn was not ready within a minute:\n{log.read_text()}"
        time.sleep(0.2)


def test_a_sow_generated_through_the_api_is_downloaded_whole(served):
    made = served.client.post("/api/documents", json={"template": "sow", "data": SOW})
    assert made.status_code == 201, made.text

    download = served.client.get(made.json()["download_url"])
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == made.json()["sha256"] == download.headers["X-Content-SHA256"]
    with zipfile.ZipFile(io.BytesIO(download.content)) as docx:
        assert SOW["project"]["title"].encode() in docx.read("word/document.xml")


def test_stalled_clients_hold_up_no_other_request_and_are_let_go_after_the_timeout(served):
    # Two send their headers and the start of a roster, then nothing more (under sync workers, they held
    # both workers of `gunicorn -w 2`); one sends half its request's head.
    stalled = [_stall(served.port, _UPLOAD), _stall(served.port, _UPLOAD), _stall(served.port, b"GET /api/")]
    time.sleep(0.5)  # all are being read by now

    started = time.monotonic()
    answer = served.client.get("/api/freelancers")
    assert answer.status_code == 200
    assert time.monotonic() - started < 2

    replies = []
    for connection in stalled:
        with connection:
            connection.settimeout(TIMEOUT + 10)
            replies.append(connection.recv(1024))
    # The app answers that the client went away; a request without its whole head is hung up on.
    assert [reply[:12] for reply in replies] == [b"HTTP/1.1 400", b"HTTP/1.1 400", b""]


_UPLOAD = (
    b"POST /api/freelancers/import HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/csv\r\n"
    b"Content-Length: 100000\r\n\r\nname,email,address,country\r\n"
)


def _stall(port: int, start: bytes) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(start.replace(b"Host: localhost", f"Host: localhost:{port}".encode()))
    return connection


def test_the_first_worker_alone_runs_the_batch_items_a_stopped_server_left(served):
    deadline = time.monotonic() + 60
    while (batch := served.client.get(f"/api/batches/{served.batch}").json())["status"] != "done":
        assert time.monotonic() < deadline, batch
        time.sleep(0.2)
    assert (batch["done"], batch["failed"]) == (3, 0)
    log = served.log.read_text()
    assert log.count("Booting worker") == 2
    assert log.count("Resumed 3 unfinished batch items") == 1

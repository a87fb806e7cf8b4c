"""Load test on loopback: the production server (gunicorn, 2 workers, PostgreSQL) under 8 clients, against docxtpl.

Issue 12: "8 concurrent clients for 60 s, a mix of SOW generation, downloads, roster search and imports: report
p50, p99, throughput, 0 errors, every created record retrievable afterwards; beside it, in the same run, a minimal
Flask + docxtpl service doing the same SOW generation. Goal: >= 200 SOW generate+store per second with p99 <= 150 ms
on this 2-core machine, >= 5x the docxtpl service."

* A fresh PostgreSQL database of the bench's own (dropped at the end, always), migrated, then both servers started
  as ``gunicorn -c gunicorn.conf.py``: ours (``server:app``, local mode, rate limits and storage quota off) and the
  docxtpl service (``bench.docxtpl_service``, the same settings without our app's hooks), 2 gthread workers each,
  access logs in a temporary folder. A roster of ``--roster`` freelancers is imported over HTTP before timing.
* **mixed** (``--seconds``): ``--clients`` threads, each with its own keep-alive urllib3 connection, pick operations
  by weight: generate a SOW (``POST /api/documents``, a new sow_number each), download a document generated
  earlier (its bytes must hash to the SHA-256 of its record), search the roster (``GET /api/freelancers?q=``), and
  import 20 rows of the roster again with some statuses changed (an update, never a create).
* **SOW only** (``--sow-seconds`` per server): the same clients only generate SOWs, on our server and on the
  docxtpl service (``POST /sow``, the same data), in ``--rounds`` turns, so background load hits both alike.
* Afterwards every document either server answered 201 for is read back: ours over HTTP (the record, and the
  file's bytes, header and ETag against the record's SHA-256; the totals of documents, audit events and roster),
  docxtpl's in its table (ids and SHA-256 of the stored bytes).

Any answer but 2xx, and any mismatch, is an error; the first few are printed. Latencies are the client's, from
sending to the last byte read; p50 and p99 are nearest-rank. CPU is read from /proc: the gunicorn workers', the
PostgreSQL backends' of the bench's database (and the server's shared processes: WAL writer, checkpointer), the
bench's own clients' and the machine's busy share; what the database's backends are doing (running, waiting for a
lock, for WAL, idle in a transaction) is sampled from pg_stat_activity every 20 ms.
Peak RSS is each worker's VmHWM over its life. ``--profile`` then starts one more server with 1 worker of 1 thread
(the app wrapped by :func:`profiled_app`) and, with one client, times the pieces of a SOW request (wall and CPU, no
profiler), then profiles them with cProfile.

    .venv/bin/python -m bench.load                                 # full run: about 3 minutes
    .venv/bin/python -m bench.load --seconds 5 --sow-seconds 5     # a quick check, about 40 s
    .venv/bin/python -m bench.load --seconds 0 --sow-seconds 0 --profile   # only where a SOW request's time goes
"""

from __future__ import annotations

import argparse
import csv
import functools
import hashlib
import io
import itertools
import json
import math
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.proc import status

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("BENCH_DATABASE_URL") or "postgresql+psycopg://root@127.0.0.1:5432/test"
GOAL_RATE = 200.0  # SOW generate+store per second, at least
GOAL_P99 = 0.150  # seconds, at most
GOAL_VS_DOCXTPL = 5.0  # our SOW rate / docxtpl's, at least
WORKERS = 2
MIX = {"sow": 50, "download": 25, "search": 20, "import": 5}
"""The mixed phase's operations and their weights."""
IMPORT_ROWS = 20
SHOWN_ERRORS = 5
CLOCK = os.sysconf("SC_CLK_TCK")


# --- data --------------------------------------------------------------------------------------------------------


def sow_body(envelope: bool) -> Callable[[str], bytes]:
    """Return a function making the JSON body of one SOW (the shipped sample) with the given sow_number:
    ``{"template": "sow", "data": ...}`` for our API, the data alone for the docxtpl service. Encoded once;
    the clients only swap the number in, so that their CPU goes to HTTP, not to JSON."""
    data = json.loads((ROOT / "templates" / "samples" / "sow.json").read_text("utf-8"))
    marker = "SOW-NUMBER-PLACEHOLDER"
    data["sow_number"] = marker
    body = json.dumps({"template": "sow", "format": "docx", "data": data} if envelope else data).encode()
    head, tail = body.split(marker.encode())
    return lambda number: head + number.encode() + tail


def roster_rows(count: int) -> list[list[str]]:
    """The varied roster rows of ``bench.roster_import`` (header first), yen rates made whole as the import asks."""
    from bench.roster_import import roster_rows as varied

    rows = list(varied(count))
    currency, rate = rows[0].index("Currency"), rows[0].index("Hourly rate")
    for row in rows[1:]:
        if row[currency] == "JPY":
            row[rate] = re.sub(r"\d+\.\d+", lambda amount: f"{float(amount[0]):.0f}", row[rate])
    return rows


def csv_bytes(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode("utf-8")


# --- processes ---------------------------------------------------------------------------------------------------


def _stat(pid: int | str) -> tuple[str, int, float]:
    """(command, parent pid, CPU seconds used) of a process, from /proc/<pid>/stat."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    command, rest = raw[raw.index("(") + 1 : raw.rindex(")")], raw[raw.rindex(")") + 2 :].split()
    return command, int(rest[1]), (int(rest[11]) + int(rest[12])) / CLOCK


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if _stat(entry.name)[1] == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    return sorted(found)


def _postgres_pids(database: str) -> list[int]:
    """The PostgreSQL processes that work for the bench's database: its backends, and the server's own (WAL writer,
    checkpointer and the like, which every database shares). Not the other databases' backends."""
    import psycopg

    with psycopg.connect(database.replace("+psycopg", ""), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE (datname = current_database() OR backend_type <> 'client backend')"
            " AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


def _cpu_of(pids: list[int]) -> dict[int, float]:
    """CPU seconds used so far by each of ``pids`` still running."""
    found = {}
    for pid in pids:
        with suppress(OSError, ValueError, IndexError):
            found[pid] = _stat(pid)[2]
    return found


def _machine_busy() -> tuple[int, int]:
    """(busy, total) clock ticks of every CPU since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


_GUNICORN_SETTINGS = """\
# Written by bench.load: the settings of {conf}, without post_worker_init (it resumes our app's batches).
import runpy as _runpy

_OMIT = {{"post_worker_init", "resume_batches", "os"}}
globals().update({{k: v for k, v in _runpy.run_path({conf!r}).items() if not k.startswith("_") and k not in _OMIT}})
"""


@dataclass
class Server:
    """A gunicorn server started by the bench: its master process, address and log files."""

    label: str
    process: subprocess.Popen
    url: str
    logs: Path

    @property
    def workers(self) -> list[int]:
        return _children(self.process.pid)

    def cpu(self) -> float:
        """CPU seconds its workers used so far."""
        return sum(_cpu_of(self.workers).values())

    def log_tail(self, size: int = 3000) -> str:
        return (
            (self.logs / "error.log").read_text(errors="replace")[-size:] if (self.logs / "error.log").exists() else ""
        )


@contextmanager
def gunicorn(label: str, app: str, env: dict[str, str], folder: Path, config: Path | None = None) -> Iterator[Server]:
    """Start ``gunicorn -c gunicorn.conf.py <app>`` (or ``config``) on a free loopback port and yield it once every
    worker is up and ``/readyz`` answers 200. Always stopped: SIGTERM, then SIGKILL to its process group after 40 s."""
    import httpx

    port = _free_port()
    logs = folder / label
    logs.mkdir()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("ENTRA_", "REDIS_URL"))}
    environment |= {"HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(WORKERS)} | env
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-c",
        str(config or ROOT / "gunicorn.conf.py"),
        "--access-logfile",
        str(logs / "access.log"),
        "--error-logfile",
        str(logs / "error.log"),
        app,
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = Server(label, process, f"http://127.0.0.1:{port}", logs)
    try:
        deadline, expected = time.monotonic() + 90, int(environment["WEB_CONCURRENCY"])
        with httpx.Client(base_url=server.url, timeout=5) as client:
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{label}: the server did not start:\n{server.log_tail()}")
                try:
                    if client.get("/readyz").status_code == 200 and len(server.workers) >= expected:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """Yield the URL of a new database on the PostgreSQL server of ``server_url``; dropped at the end, always."""
    from bench.batches import postgresql_database

    with postgresql_database(server_url) as url:
        if url is None:
            raise SystemExit(f"No PostgreSQL answers at {server_url}: the load test needs one (--postgres URL).")
        yield url


# --- clients -----------------------------------------------------------------------------------------------------


@dataclass
class Shared:
    """What the clients share: the documents created so far, and the seeded roster."""

    database: str
    roster: list[list[str]]
    words: list[str]
    ours: list[tuple[str, str, str]] = field(default_factory=list)
    """(id, sha256, download_url) of every document our server answered 201 for."""
    docxtpl: dict[str, str] = field(default_factory=dict)
    """id -> sha256 of every document the docxtpl service answered 201 for."""
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    our_body: Callable[[str], bytes] = field(default_factory=lambda: sow_body(True))
    docxtpl_body: Callable[[str], bytes] = field(default_factory=lambda: sow_body(False))


Outcome = str | None
"""None when the operation succeeded, else what went wrong."""
_JSON = {"Content-Type": "application/json"}


def _send(client, method: str, path: str, expected: int, **options) -> tuple[Any, Outcome]:
    """Send one request on ``client`` (a urllib3 pool); return the response, and what went wrong when its status is
    not ``expected``."""
    response = client.request(method, path, **options)
    if response.status == expected:
        return response, None
    return response, f"{method} {path} -> {response.status}: {response.data[:300]!r}"


def op_sow(client, shared: Shared, rng: random.Random) -> Outcome:
    body = shared.our_body(f"LOAD-{next(shared.numbers):07d}")
    response, problem = _send(client, "POST", "/api/documents", 201, body=body, headers=_JSON)
    if problem:
        return problem
    record = response.json()
    shared.ours.append((record["id"], record["sha256"], record["download_url"]))
    return None


def op_download(client, shared: Shared, rng: random.Random) -> Outcome:
    if not shared.ours:
        return op_sow(client, shared, rng)
    _document_id, sha256, url = rng.choice(shared.ours)
    response, problem = _send(client, "GET", url, 200)
    if problem:
        return problem
    if response.headers.get("X-Content-SHA256") != sha256 or hashlib.sha256(response.data).hexdigest() != sha256:
        return f"GET {url}: the bytes or X-Content-SHA256 do not match the record's SHA-256 {sha256}"
    return None


def op_search(client, shared: Shared, rng: random.Random) -> Outcome:
    return _send(client, "GET", "/api/freelancers", 200, fields={"q": rng.choice(shared.words)})[1]


def op_import(client, shared: Shared, rng: random.Random) -> Outcome:
    header, rows = shared.roster[0], shared.roster[1:]
    start = rng.randrange(0, len(rows) - IMPORT_ROWS)
    column = header.index("Status")
    changed = [
        [*row[:column], rng.choice(["active", "inactive"]), *row[column + 1 :]] for row in rows[start:][:IMPORT_ROWS]
    ]
    file = ("roster.csv", csv_bytes([header, *changed]), "text/csv")
    response, problem = _send(client, "POST", "/api/freelancers/import", 200, fields={"file": file})
    if problem:
        return problem
    if (outcome := response.json())["created"] or outcome["updated"] + outcome["unchanged"] != IMPORT_ROWS:
        return f"POST /api/freelancers/import of {IMPORT_ROWS} existing rows answered {outcome}"
    return None


def op_docxtpl_sow(client, shared: Shared, rng: random.Random) -> Outcome:
    body = shared.docxtpl_body(f"LOAD-{next(shared.numbers):07d}")
    response, problem = _send(client, "POST", "/sow", 201, body=body, headers=_JSON)
    if problem:
        return problem
    record = response.json()
    shared.docxtpl[record["id"]] = record["sha256"]
    return None


OPERATIONS: dict[str, Callable[[Any, Shared, random.Random], Outcome]] = {
    "sow": op_sow,
    "download": op_download,
    "search": op_search,
    "import": op_import,
    "docxtpl sow": op_docxtpl_sow,
}


@dataclass
class Phase:
    """What one phase measured: latencies per operation, errors, wall time and CPU."""

    label: str
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    shown: list[str] = field(default_factory=list)
    cpu: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    backends: Counter[str] = field(default_factory=Counter)
    """What the database's backends were doing, summed over ``samples``."""
    samples: int = 0

    def add(self, other: Phase) -> None:
        self.seconds += other.seconds
        for operation, times in other.latencies.items():
            self.latencies[operation] += times
        self.errors += other.errors
        self.shown += other.shown[: SHOWN_ERRORS - len(self.shown)]
        for what, seconds in other.cpu.items():
            self.cpu[what] += seconds
        self.backends += other.backends
        self.samples += other.samples

    @property
    def requests(self) -> int:
        return sum(len(times) for times in self.latencies.values())


def run_phase(
    label: str, server: Server, mix: dict[str, int], seconds: float, clients: int, shared: Shared, seed: int
) -> Phase:
    """Run ``clients`` threads for ``seconds``, each picking operations of ``mix`` by weight on its own keep-alive
    connection; return what they measured. CPU is counted from the first request to the last answer.

    The clients are urllib3 connections, not httpx: on these shared cores every millisecond a client spends is one
    the servers lack, and urllib3 spends about 0.5 ms of CPU per request where httpx spends about 1.1 ms."""
    import urllib3

    phase = Phase(label)
    names, weights = list(mix), list(mix.values())
    ready = threading.Barrier(clients + 1)
    lock = threading.Lock()

    def client_thread(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        latencies: dict[str, list[float]] = defaultdict(list)
        errors: Counter[str] = Counter()
        shown: list[str] = []
        address = urlsplit(server.url)
        with urllib3.HTTPConnectionPool(address.hostname, address.port, maxsize=1, timeout=60, retries=False) as client:
            ready.wait()
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                operation = rng.choices(names, weights)[0]
                start = time.perf_counter()
                try:
                    problem = OPERATIONS[operation](client, shared, rng)
                except Exception as exc:  # a broken connection, or an answer that is not the JSON expected
                    problem = f"{operation}: {type(exc).__name__}: {exc}"
                latencies[operation].append(time.perf_counter() - start)
                if problem:
                    errors[operation] += 1
                    if len(shown) < SHOWN_ERRORS:
                        shown.append(problem)
        with lock:
            for operation, times in latencies.items():
                phase.latencies[operation] += times
            phase.errors += errors
            phase.shown += shown[: SHOWN_ERRORS - len(phase.shown)]

    threads = [threading.Thread(target=client_thread, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    sampler = _Backends(shared.database, phase)
    postgres = _cpu_of(_postgres_pids(shared.database))
    before = _cpu_now(server)
    ready.wait()
    start = time.perf_counter()
    sampler.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - start
    after = _cpu_now(server)
    sampler.stop()
    phase.cpu = defaultdict(float, {what: after[what] - before[what] for what in before})
    # A backend that started during the phase counts from its start; one that ended is missed.
    ended = _cpu_of(list(postgres) + _postgres_pids(shared.database))
    phase.cpu["postgres"] = sum(seconds - postgres.get(pid, 0.0) for pid, seconds in ended.items())
    return phase


class _Backends(threading.Thread):
    """Samples what the PostgreSQL backends of the bench's database are doing, every 20 ms until stopped, into
    ``phase.backends``: running, waiting for a lock, for WAL or other I/O, or idle in a transaction (waiting for
    the app). An idle pooled connection is not counted."""

    QUERY = (
        "SELECT state, wait_event_type, wait_event FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'"
    )

    def __init__(self, database: str, phase: Phase):
        super().__init__(daemon=True)
        self.url, self.phase, self.stopped = database.replace("+psycopg", ""), phase, threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self.stopped.wait(0.02):
                for state, kind, event in connection.execute(self.QUERY).fetchall():
                    if state == "active" and kind is None:
                        self.phase.backends["running"] += 1
                    elif state == "active" and kind == "Lock":
                        self.phase.backends[f"waiting for a lock ({event})"] += 1
                    elif state == "active":
                        self.phase.backends[f"waiting on {kind}:{event}"] += 1
                    else:
                        self.phase.backends[f"{state}{' (waiting for the app)' if 'transaction' in state else ''}"] += 1
                self.phase.samples += 1

    def stop(self) -> None:
        self.stopped.set()
        self.join()


def _cpu_now(server: Server) -> dict[str, float]:
    busy, total = _machine_busy()
    return {
        "workers": server.cpu(),
        "bench": time.process_time(),
        "busy": busy / CLOCK,
        "all": total / CLOCK,
    }


# --- checks afterwards -------------------------------------------------------------------------------------------


def check_ours(server: Server, shared: Shared, clients: int, roster: int) -> tuple[int, list[str]]:
    """Read back every document our server created, in parallel: its record and its file must carry the SHA-256
    it was created with, and the file's bytes must hash to it. Return (documents that passed, problems)."""
    import httpx

    problems: list[str] = []
    passed = 0
    lock = threading.Lock()
    documents = list(shared.ours)

    def check(share: list[tuple[str, str, str]]) -> None:
        nonlocal passed
        good, wrong = 0, []
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for document_id, sha256, url in share:
                record = client.get(f"/api/documents/{document_id}")
                file = client.get(url)
                if record.status_code != 200 or record.json().get("sha256") != sha256:
                    wrong.append(f"record {document_id}: {record.status_code} {record.text[:200]!r}")
                elif (
                    file.status_code != 200
                    or file.headers.get("X-Content-SHA256") != sha256
                    or sha256 not in file.headers.get("ETag", "")
                    or hashlib.sha256(file.content).hexdigest() != sha256
                ):
                    wrong.append(f"file of {document_id}: {file.status_code}, or its header, ETag or bytes differ")
                else:
                    good += 1
        with lock:
            passed += good
            problems.extend(wrong)

    threads = [threading.Thread(target=check, args=(documents[n::clients],)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with httpx.Client(base_url=server.url, timeout=60) as client:
        totals = {
            "documents": (client.get("/api/documents", params={"per_page": 1}).json()["total"], len(documents)),
            "document.generated audit events": (
                client.get("/api/audit", params={"action": "document.generated", "per_page": 1}).json()["total"],
                len(documents),
            ),
            "freelancers": (client.get("/api/freelancers", params={"per_page": 1}).json()["total"], roster),
        }
    problems += [
        f"{what}: the server holds {found}, the bench expected {expected}"
        for what, (found, expected) in totals.items()
        if found != expected
    ]
    return passed, problems


def check_docxtpl(database_url: str, shared: Shared) -> tuple[int, list[str]]:
    """Every document the docxtpl service created must be in its table, its stored bytes hashing to its SHA-256."""
    from sqlalchemy import create_engine, text

    from bench.docxtpl_service import TABLE

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(f"SELECT id::text, sha256, encode(sha256(content), 'hex') FROM {TABLE}")
            ).all()
    finally:
        engine.dispose()
    stored = {row[0]: (row[1], row[2]) for row in rows}
    passed = sum(1 for i, sha in shared.docxtpl.items() if stored.get(i) == (sha, sha))
    problems = (
        [f"{TABLE}: {len(shared.docxtpl) - passed} of {len(shared.docxtpl)} documents missing or changed"]
        if passed != len(shared.docxtpl)
        else []
    )
    if len(stored) != len(shared.docxtpl):
        problems.append(f"{TABLE} holds {len(stored)} rows, the service answered 201 for {len(shared.docxtpl)}")
    return passed, problems


# --- report ------------------------------------------------------------------------------------------------------


def percentile(times: list[float], p: float) -> float:
    """Nearest-rank percentile of ``times`` (seconds)."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else float("nan")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def print_phase(phase: Phase) -> None:
    print(f"\n{phase.label} ({phase.seconds:.1f} s)")
    print(f"  {'operation':<14}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}")
    rows = {name: times for name, times in sorted(phase.latencies.items(), key=lambda item: -len(item[1]))}
    if len(rows) > 1:
        rows["all"] = [t for times in phase.latencies.values() for t in times]
    for name, times in rows.items():
        errors = phase.errors[name] if name != "all" else sum(phase.errors.values())
        print(
            f"  {name:<14}{len(times):8d}{len(times) / phase.seconds:9.1f}{_ms(percentile(times, 50)):>9}"
            f"{_ms(percentile(times, 99)):>9}{_ms(max(times)):>9}{errors:8d}"
        )
    cpu, requests = phase.cpu, phase.requests
    if requests and phase.seconds:
        print(
            f"  CPU: gunicorn workers {cpu['workers'] / requests * 1000:.2f} ms/request"
            f" ({cpu['workers'] / phase.seconds:.2f} cores), PostgreSQL {cpu['postgres'] / phase.seconds:.2f} cores"
            f" ({cpu['postgres'] / requests * 1000:.2f} ms/request), bench clients {cpu['bench'] / phase.seconds:.2f}"
            f" cores; machine {cpu['busy'] / cpu['all']:.0%} busy"
        )
    if phase.samples:
        print(
            f"  PostgreSQL backends busy with the bench's database, on average ({phase.samples} samples): "
            + ", ".join(f"{n / phase.samples:.2f} {what}" for what, n in phase.backends.most_common())
        )
    for problem in phase.shown:
        print(f"  error: {problem}")


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


# --- profiling one worker ----------------------------------------------------------------------------------------

_PIECES: list[tuple[str, str, str, str]] = [
    # label, module, owner (class, or "" for a module attribute), attribute
    ("gunicorn handle_request (app, write, access log)", "gunicorn.workers.gthread", "ThreadWorker", "handle_request"),
    ("  access log line", "gunicorn.glogging", "Logger", "access"),
    ("  the app (Flask wsgi_app)", "", "", ""),
    ("    json_body: parse + DocumentRequest", "freelance.web.documents_api", "", "json_body"),
    ("    Generator.generate", "freelance.generation", "Generator", "generate"),
    ("      Template.validate (SOW model)", "freelance.catalog", "Template", "validate"),
    ("      Template.generate", "freelance.catalog", "Template", "generate"),
    ("        SOW.context", "freelance.models", "SOW", "context"),
    ("        CompiledTemplate.render", "freelance.documents", "CompiledTemplate", "render"),
    ("      Store.add_document", "freelance.store", "Store", "add_document"),
    ("        Quota.charge", "freelance.quota", "Quota", "charge"),
    ("    audited (audit event)", "freelance.web.documents_api", "", "audited"),
    ("    _document (response model)", "freelance.web.documents_api", "", "_document"),
    ("    jsonify", "freelance.web.documents_api", "", "jsonify"),
    ("  database: statements (execute)", "", "", ""),
    ("  database: COMMIT", "", "", ""),
    ("  database: ROLLBACK (connection returned)", "", "", ""),
    ("  database: pre-ping", "", "", ""),
]


class _Instrumented:
    """The app's ``wsgi_app``, timed (and with ``/_bench/reset?cprofile=1``, profiled) per request; ``GET
    /_bench/report`` answers the timings as JSON. Only ever in the bench's profiling server."""

    def __init__(self, app) -> None:
        self.wsgi_app = app.wsgi_app
        self.lock = threading.Lock()
        self.local = threading.local()
        self.reset(cprofile=False)

    def reset(self, cprofile: bool) -> None:
        self.times: defaultdict[str, float] = defaultdict(float)
        self.cpu: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self.statements: Counter[str] = Counter()
        self.profiles: list[Any] = []
        self.cprofile = cprofile
        self.local = threading.local()

    def timed(self, label: str, function: Callable) -> Callable:
        @functools.wraps(function)
        def timed(*args, **kwargs):
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.times[label] += time.perf_counter() - start
                self.cpu[label] += time.thread_time() - cpu
                self.calls[label] += 1

        return timed

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_bench/"):
            return self._control(path, environ, start_response)
        profiler = None
        if self.cprofile:
            import cProfile

            profiler = getattr(self.local, "profiler", None)
            if profiler is None:
                profiler = self.local.profiler = cProfile.Profile()
                with self.lock:
                    self.profiles.append(profiler)
            profiler.enable()
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            result = self.wsgi_app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            self.times["  the app (Flask wsgi_app)"] += time.perf_counter() - start
            self.cpu["  the app (Flask wsgi_app)"] += time.thread_time() - cpu
            self.calls["  the app (Flask wsgi_app)"] += 1
            if profiler is not None:
                profiler.disable()
        return [body]

    def _control(self, path: str, environ, start_response):
        if path == "/_bench/reset":
            self.reset(cprofile="cprofile=1" in environ.get("QUERY_STRING", ""))
            body = b"{}"
        else:
            body = json.dumps(
                {
                    "times": self.times,
                    "cpu": self.cpu,
                    "calls": self.calls,
                    "statements": self.statements,
                    "cprofile": self._cprofile_text() if self.profiles else "",
                }
            ).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def _cprofile_text(self, top: int = 30) -> str:
        import pstats

        out = io.StringIO()
        stats = pstats.Stats(self.profiles[0], stream=out)
        for other in self.profiles[1:]:
            stats.add(other)
        stats.strip_dirs().sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(20)
        return out.getvalue()


def profiled_app():
    """``server:app`` with its ``wsgi_app`` instrumented and the pieces of a SOW request timed: gunicorn runs it as
    ``bench.load:profiled_app()`` in the bench's profiling server, never otherwise. Returns the Flask app itself, so
    gunicorn.conf.py's hooks find its services."""
    import importlib

    from sqlalchemy import event

    from freelance.web.services import services
    from server import app

    wrapper = _Instrumented(app)
    for label, module_name, owner_name, attribute in _PIECES:
        if not module_name:
            continue
        module = importlib.import_module(module_name)
        owner = getattr(module, owner_name) if owner_name else module
        original = owner.__dict__[attribute] if isinstance(owner, type) else getattr(owner, attribute)
        setattr(owner, attribute, wrapper.timed(label, original))

    engine = services(app).store.engine
    dialect = engine.dialect
    for label, name in [
        ("  database: COMMIT", "do_commit"),
        ("  database: ROLLBACK (connection returned)", "do_rollback"),
        ("  database: pre-ping", "do_ping"),
    ]:
        setattr(dialect, name, wrapper.timed(label, getattr(dialect, name)))

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = (time.perf_counter(), time.thread_time())

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        label = "  database: statements (execute)"
        start, cpu = conn.info.pop("bench_started")
        wrapper.times[label] += time.perf_counter() - start
        wrapper.cpu[label] += time.thread_time() - cpu
        wrapper.calls[label] += 1
        words = statement.split(None, 3)
        kind = words[0].upper() + (f" {words[2].strip(chr(34))}" if words[0].upper() in ("INSERT", "UPDATE") else "")
        if words[0].upper() == "SELECT" and "FROM" in statement.upper():
            kind += " " + statement.upper().split("FROM", 1)[1].split()[0].strip('"').lower()
        wrapper.statements[kind] += 1

    app.wsgi_app = wrapper  # type: ignore[method-assign]
    return app


def profile_worker(env: dict[str, str], folder: Path, shared: Shared, seconds: float) -> None:
    """One worker, one thread, one client: the time of each piece of a SOW request without a profiler, then the top
    of a cProfile of the same requests."""
    import httpx

    settings = env | {"WEB_CONCURRENCY": "1", "THREADS": "1"}
    with gunicorn("profiled", "bench.load:profiled_app()", settings, folder) as server:
        run_phase("warm-up", server, {"sow": 1}, 2, 1, shared, seed=90)
        reports = {}
        for cprofile in (False, True):
            httpx.get(f"{server.url}/_bench/reset", params={"cprofile": int(cprofile)})
            phase = run_phase("profiled", server, {"sow": 1}, seconds, 1, shared, seed=91 + cprofile)
            reports[cprofile] = (phase, httpx.get(f"{server.url}/_bench/report").json())

    phase, report = reports[False]
    times, cpu, calls = report["times"], report["cpu"], report["calls"]
    requests = calls["  the app (Flask wsgi_app)"]
    client = sum(phase.latencies["sow"]) / len(phase.latencies["sow"])
    print(
        f"\nWhere a SOW request's time goes: 1 worker with 1 thread, 1 client, {requests} requests in"
        f" {phase.seconds:.1f} s ({requests / phase.seconds:.0f}/s serially; {phase.cpu['workers'] / requests * 1000:.2f}"
        f" ms worker CPU and {phase.cpu['postgres'] / requests * 1000:.2f} ms PostgreSQL CPU per request)."
        f"\nPer request, no profiler (the client saw {client * 1000:.2f} ms; {phase.errors.total()} errors):"
        f"\n  {'':<52}{'wall':>10} {'share':>5}{'CPU':>10}{'calls':>9}"
    )
    base = times.get("gunicorn handle_request (app, write, access log)", 0) or 1
    for label, *_ in _PIECES:
        if calls.get(label):
            print(
                f"  {label:<52}{times[label] / requests * 1000:7.2f} ms {times[label] / base:5.0%}"
                f"{cpu[label] / requests * 1000:7.2f} ms{calls[label] / requests:9.1f}"
            )
    print(
        "  (share: of gunicorn's handle_request wall time; CPU: the worker thread's own. gunicorn's parsing of the"
        " request and the client's time are outside handle_request)"
    )
    statements = report["statements"]
    print(
        "Statements sent per request: "
        + ", ".join(f"{n / requests:.1f} {kind}" for kind, n in sorted(statements.items(), key=lambda i: -i[1]))
    )
    phase, report = reports[True]
    print(
        f"\ncProfile of the same requests ({len(phase.latencies['sow'])} in {phase.seconds:.1f} s with the profiler"
        f" on; its times are inflated, read shares):\n{report['cprofile']}"
    )


# --- main --------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="the mixed phase (default 60)")
    parser.add_argument("--sow-seconds", type=float, default=20, help="the SOW-only phase, per server (default 20)")
    parser.add_argument("--rounds", type=int, default=2, help="turns the SOW-only phases take (default 2)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--roster", type=int, default=400, help="freelancers imported before timing (default 400)")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of untimed load on each server first")
    parser.add_argument("--profile", action="store_true", help="then time the pieces of a SOW request in one worker")
    parser.add_argument("--profile-seconds", type=float, default=10, help="each profiling run (default 10)")
    parser.add_argument(
        "--postgres", default=POSTGRES_URL, metavar="URL", help=f"PostgreSQL server (default {POSTGRES_URL})"
    )
    args = parser.parse_args()
    if args.roster <= IMPORT_ROWS:
        parser.error(f"--roster must be more than the {IMPORT_ROWS} rows each import sends again")

    import docxtpl
    import httpx
    from sqlalchemy import create_engine

    from bench import docxtpl_service
    from freelance.database import connect, upgrade

    rows = roster_rows(args.roster)
    header = rows[0]
    names, skills = header.index("Full name"), header.index("Skills")
    words = sorted(
        {row[names].split()[0] for row in rows[1:]}
        | {s.strip() for row in rows[1:] for s in re.split("[,;]", row[skills])}
    )
    shared = Shared("", rows, words)
    print(
        f"Load test: gunicorn ({WORKERS} gthread workers) on PostgreSQL, {args.clients} clients on loopback;"
        f" Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    with (
        tempfile.TemporaryDirectory(prefix="load-bench-") as temp,
        fresh_database(args.postgres) as database,
        ExitStack() as servers,
    ):
        folder = Path(temp)
        shared.database = database
        engine = connect(database)
        try:
            upgrade(engine)  # once, as an operator would before starting the server: the workers find nothing to do
        finally:
            engine.dispose()
        engine = create_engine(database)
        try:
            docxtpl_service.create_table(engine)
        finally:
            engine.dispose()
        env = {
            "DATABASE_URL": database,
            "SECRET_KEY_FILE": str(folder / "secret.key"),
            "RATE_LIMIT_GENERATION": "",
            "RATE_LIMIT_UPLOADS": "",
            "RATE_LIMIT_BATCHES": "",
            "STORAGE_QUOTA": "0",
        }
        settings = folder / "docxtpl.conf.py"
        settings.write_text(_GUNICORN_SETTINGS.format(conf=str(ROOT / "gunicorn.conf.py")))
        ours = servers.enter_context(gunicorn("ours", "server:app", env, folder))
        baseline = servers.enter_context(
            gunicorn("docxtpl", "bench.docxtpl_service:create_app()", {"DATABASE_URL": database}, folder, settings)
        )
        with httpx.Client(base_url=ours.url, timeout=60) as client:
            seeded = client.post("/api/freelancers/import", files={"file": ("roster.csv", csv_bytes(rows), "text/csv")})
        if seeded.status_code != 200 or seeded.json()["created"] != args.roster:
            raise SystemExit(f"seeding the roster failed: {seeded.status_code} {seeded.text[:500]}")
        print(
            f"Roster of {args.roster} freelancers imported; servers up: ours at {ours.url}, docxtpl at {baseline.url}"
        )

        run_phase("warm-up", ours, MIX, args.warmup, args.clients, shared, seed=1)
        run_phase("warm-up", baseline, {"docxtpl sow": 1}, args.warmup, args.clients, shared, seed=2)
        phases: list[Phase] = []
        if args.seconds:
            phases.append(
                run_phase(f"mixed, {args.clients} clients", ours, MIX, args.seconds, args.clients, shared, seed=3)
            )
            print_phase(phases[-1])
        if args.sow_seconds:
            sow_ours, sow_docxtpl = (
                Phase(f"SOW only, ours, {args.clients} clients"),
                Phase(f"SOW only, docxtpl {docxtpl.__version__} service, {args.clients} clients"),
            )
            turn = args.sow_seconds / args.rounds
            for number in range(args.rounds):
                sow_ours.add(run_phase("", ours, {"sow": 1}, turn, args.clients, shared, seed=10 + number))
                sow_docxtpl.add(
                    run_phase("", baseline, {"docxtpl sow": 1}, turn, args.clients, shared, seed=20 + number)
                )
            phases += [sow_ours, sow_docxtpl]
            print_phase(sow_ours)
            print_phase(sow_docxtpl)

        started = time.perf_counter()
        our_passed, our_problems = check_ours(ours, shared, args.clients, args.roster)
        docxtpl_passed, docxtpl_problems = check_docxtpl(database, shared)
        print(
            f"\nRead back ({time.perf_counter() - started:.1f} s): ours {our_passed} of {len(shared.ours)} documents"
            f" (record, file, SHA-256, ETag; totals of documents, audit events, roster); docxtpl {docxtpl_passed} of"
            f" {len(shared.docxtpl)} (its table's ids and stored bytes)"
        )
        for problem in (our_problems + docxtpl_problems)[:SHOWN_ERRORS]:
            print(f"  problem: {problem}")
        for server in (ours, baseline):
            print(
                f"Peak RSS of {server.label}'s workers (VmHWM): "
                + ", ".join(f"{status(pid, 'VmHWM') / 2**20:.0f} MB" for pid in server.workers)
                + f"; master {status(server.process.pid, 'VmHWM') / 2**20:.0f} MB"
            )
        servers.close()

        errors = sum(phase.errors.total() for phase in phases)
        print(f"\nLoad average at the end {os.getloadavg()[0]:.1f}. Goals (issue 12):")
        print(f"  errors: {errors} (goal 0: {_verdict(errors == 0)})")
        retrieved = not our_problems and not docxtpl_problems
        print(f"  every created record retrievable: {_verdict(retrieved)}")
        if args.sow_seconds:
            ours_rate = len(sow_ours.latencies["sow"]) / sow_ours.seconds
            docxtpl_rate = len(sow_docxtpl.latencies["docxtpl sow"]) / sow_docxtpl.seconds
            p99 = percentile(sow_ours.latencies["sow"], 99)
            print(f"  SOW generate+store: ours {ours_rate:.1f}/s, docxtpl {docxtpl_rate:.1f}/s")
            print(f"  ours >= {GOAL_RATE:.0f}/s: {_verdict(ours_rate >= GOAL_RATE)}")
            print(f"  ours p99 {p99 * 1000:.0f} ms <= {GOAL_P99 * 1000:.0f} ms: {_verdict(p99 <= GOAL_P99)}")
            ratio = ours_rate / docxtpl_rate
            print(f"  ours vs docxtpl {ratio:.1f}x >= {GOAL_VS_DOCXTPL:.0f}x: {_verdict(ratio >= GOAL_VS_DOCXTPL)}")
        if args.profile:
            profile_worker(env, folder, shared, args.profile_seconds)
        if errors or not retrieved:
            sys.exit(1)


if __name__ == "__main__":
    main()

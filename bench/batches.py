"""Batch benchmark: 1,000 mutual NDAs from the roster, from request to zip read, against a docxtpl loop.

A roster of N freelancers (default 1,000; the varied rows of ``bench.roster_import``: accented names,
business names, multi-line addresses) is imported into a fresh database of the bench's own. Then each
case runs in a **fresh child process**, so that its peak RSS is its own:

* docxtpl       **Baseline.** ``DocxTemplate("templates/nda-mutual.docx")`` once, then for each freelancer
                read from the same database: the same data validated into the same context,
                ``render(context, jinja_env=WORDML)``, ``save`` to a file named as the batch names it; then
                the files zipped (stored, as the batch zip is). This is docxtpl's documented loop: it
                re-parses the package on every render.
* embedded      The real app (``create_app``, ``BATCH_WORKERS`` left at its default) driven with its test
                client: ``POST /api/batches`` for the whole roster, ``GET`` its progress every 50 ms until
                no item is pending or running, then ``GET`` the zip, streamed to a file to its last byte.
                On the SQLite file, and on PostgreSQL when one is reachable.
* rq            The same request to an app with ``REDIS_URL`` (a queue of the bench's own on
                redis://127.0.0.1:6379/0), its items run by 2 ``flask --app server worker`` processes
                started (and registered) beforehand, on a database shared by all three processes:
                PostgreSQL when reachable, else the SQLite file.

Each case checks its zip: N documents, named alike in every case, the first one holding the client's
and its freelancer's names and no template tags; a batch with a failed item is an error. Peak RSS is
the kernel's high-water mark (VmHWM in /proc/<pid>/status) of each process over its whole life, module
imports and compiled templates included; "at start" is VmRSS just before the request. tracemalloc is
never used. ``--repeat N`` runs the cases in turns N times and shows medians. ``--profile`` adds one
embedded run on SQLite with one batch thread under cProfile (a profiler per thread, merged) and prints
where an item's time goes, and what the database was sent per document.

    .venv/bin/python -m bench.batches                # 1,000 NDAs per case (about 1 minute on 2 idle cores)
    .venv/bin/python -m bench.batches --count 50     # a quick check
    .venv/bin/python -m bench.batches --repeat 3 --profile
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import os
import platform
import pstats
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from bench.proc import status

ROOT = Path(__file__).resolve().parent.parent
TENANT = "local"  # local mode's tenant: the test client acts for it
GOAL = 10.0  # each variant's throughput / docxtpl's, at least
WORKERS = 2
POLL_SECONDS = 0.05
REDIS_URL = "redis://127.0.0.1:6379/0"
POSTGRES_URL = os.environ.get("BENCH_DATABASE_URL") or "postgresql+psycopg://root@127.0.0.1:5432/test"


def shared_data() -> dict[str, Any]:
    """The NDA's data common to every freelancer: the sample's, without its freelancer."""
    data = json.loads((ROOT / "templates" / "samples" / "nda-mutual.json").read_text("utf-8"))
    del data["freelancer"]
    return data


# --- processes and memory --------------------------------------------------------------------------


def _mb(value: float) -> str:
    return f"{value / 1024 / 1024:.0f} MB"


# --- the children: one case each, measured ----------------------------------------------------------


def _visible_text(document: bytes) -> str:
    """Every w:t of the main part, joined: the text inside content controls too (python-docx skips it)."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    return "".join(
        node.text or "" for node in root.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t")
    )


def _checked_zip(path: Path, count: int) -> list[str]:
    """Return the zip's names; exit unless it is sound, holds ``count`` files, and the first is a filled NDA."""
    with zipfile.ZipFile(path) as archive:
        if (bad := archive.testzip()) is not None:
            sys.exit(f"{path.name}: member {bad} is corrupt")
        names = archive.namelist()
        if len(names) != count:
            sys.exit(f"{path.name} holds {len(names)} documents, not {count}")
        text = _visible_text(archive.read(names[0]))
    client = shared_data()["client"]["name"]
    freelancer = names[0].removeprefix(f"NDA {client} - ").removesuffix(".docx").split(" (")[0]
    if client not in text or freelancer not in text or "{{" in text or "{%" in text:
        sys.exit(f"{path.name}: {names[0]} is not a filled NDA (names missing, or tags left in the text)")
    return names


def run_docxtpl(url: str, count: int, folder: Path) -> dict[str, Any]:
    """The baseline: every freelancer read from the database, rendered with docxtpl to a file, all zipped."""
    from docxtpl import DocxTemplate

    from freelance.batches.archive import UniqueNames
    from freelance.catalog import Catalog
    from freelance.database import connect
    from freelance.documents.environment import WORDML
    from freelance.roster.service import Roster

    engine = connect(url)
    roster, model = Roster(engine), Catalog(ROOT / "templates")["nda-mutual"]
    data, out = shared_data(), Path(tempfile.mkdtemp(prefix="docxtpl-", dir=folder))
    gc.collect()
    before = status("self", "VmRSS")
    started = time.perf_counter()
    template = DocxTemplate(str(ROOT / "templates" / "nda-mutual.docx"))
    records = list(roster.each(TENANT))
    unique = UniqueNames()
    names = [unique.unique(f"NDA {data['client']['name']} - {record.name}.docx") for record in records]
    for record, name in zip(records, names):
        filled = data | {"freelancer_id": str(record.id), "freelancer": record.details().model_dump(mode="json")}
        template.render(model.validate(filled).context(), jinja_env=WORDML)
        template.save(out / name)
    with zipfile.ZipFile(out / "docxtpl.zip", "w", zipfile.ZIP_STORED) as archive:
        for name in names:
            archive.write(out / name, name)
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": seconds, "names": _checked_zip(out / "docxtpl.zip", count), "rss": before}


def run_batch(settings: dict[str, str], count: int, folder: Path, profile: bool) -> dict[str, Any]:
    """The real app: POST a batch for the whole roster, poll it until done, stream its zip to a file."""
    from freelance.web import create_app
    from freelance.web.services import services

    app = create_app(settings)
    client = app.test_client()
    profiles: list[Any] = []
    statements: Counter[str] = Counter()
    if profile:
        _profile_items(services(app).batches, profiles)
        _count_statements(services(app).store.engine, statements)
    body = {"template": "nda-mutual", "data": shared_data(), "roster": {}}
    zip_path = folder / f"batch-{uuid.uuid4().hex}.zip"
    deadline = 120 + count  # seconds: a stuck batch fails the run instead of hanging it
    gc.collect()
    before = status("self", "VmRSS")
    main = _profiler() if profile else None
    if main:
        profiles.append(main)
        main.enable()
    started = time.perf_counter()
    response = client.post("/api/batches", json=body)
    if response.status_code != 202:
        sys.exit(f"POST /api/batches answered {response.status_code}: {response.json}")
    location, polls = response.headers["Location"], 0
    while (batch := client.get(location).json)["pending"] + batch["running"]:
        polls += 1
        if time.perf_counter() - started > deadline:
            sys.exit(f"the batch did not finish in {deadline} s: {batch}")
        time.sleep(POLL_SECONDS)
    finished = time.perf_counter()
    download = client.get(batch["zip_url"], buffered=False)
    with zip_path.open("wb") as file:
        for chunk in download.response:
            file.write(chunk)
    download.close()
    seconds = time.perf_counter() - started
    if main:
        main.disable()
    if (batch["done"], batch["failed"]) != (count, 0):
        sys.exit(
            f"the batch made {batch['done']} of {count} documents, {batch['failed']} failed: {batch['failures'][:3]}"
        )
    result = {
        "seconds": seconds,
        "zip_seconds": seconds - (finished - started),
        "polls": polls,
        "names": _checked_zip(zip_path, count),
        "rss": before,
    }
    services(app).batches.runner.close()
    services(app).store.engine.dispose()
    if profile:
        result["profile"] = _profile_report(profiles, count, seconds, statements)
    return result


def _profiler():
    import cProfile

    return cProfile.Profile()


def _profile_items(batches, profiles: list) -> None:
    """Profile each batch thread's items with a profiler of its own (cProfile sees one thread only).

    The service hands ``self.run_items`` to its runner, so an attribute of the instance stands in for it.
    """
    run_items, local = batches.run_items, threading.local()

    def profiled(item_ids: list[str], final: bool = True) -> None:
        if not hasattr(local, "profiler"):
            local.profiler = _profiler()
            profiles.append(local.profiler)
        local.profiler.enable()
        try:
            run_items(item_ids, final)
        finally:
            local.profiler.disable()

    batches.run_items = profiled


def _count_statements(engine, counts: Counter[str]) -> None:
    """Count what ``engine`` sends: each statement by its first word, each commit, rollback and checkout."""
    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", lambda _c, _k, statement, *_: counts.update([statement.split()[0]]))
    event.listen(engine, "commit", lambda _: counts.update(["COMMIT"]))
    event.listen(engine, "rollback", lambda _: counts.update(["ROLLBACK"]))
    event.listen(engine.pool, "checkout", lambda *_: counts.update(["checkouts (each pre-pinged)"]))


_WHERE = [
    # (label, file, function): the cumulative time of each, per document; "~" is a C function's file
    ("items (Batches.run_items, a run of items at a time)", "freelance/batches/service.py", "run_items"),
    ("  read the batch (an ORM get per run)", "sqlalchemy/orm/session.py", "get_one"),
    ("  generate (Generator.make_each)", "freelance/generation.py", "make_each"),
    ("    roster read (Roster.records, one query per run)", "freelance/roster/service.py", "records"),
    ("    validate", "freelance/catalog.py", "validate"),
    ("    context, render, file name (Template.generate)", "freelance/catalog.py", "generate"),
    ("      render (CompiledTemplate.render)", "freelance/documents/package.py", "render"),
    ("  store and mark done (one transaction per run)", "freelance/batches/service.py", "_finish"),
    ("  in SQLite: statements (sqlite3 execute)", "~", "<method 'execute' of 'sqlite3.Cursor' objects>"),
    ("  in SQLite: COMMIT (sqlite3 commit)", "~", "<method 'commit' of 'sqlite3.Connection' objects>"),
    ("  COMMIT (psycopg)", "psycopg/connection.py", "commit"),
    ("  BEGIN IMMEDIATE (every SQLite transaction, reads too)", "freelance/database.py", "<lambda>"),
    ("  pool pre-ping (every checkout)", "sqlalchemy/engine/default.py", "_do_ping_w_event"),
    ("request thread: POST (Batches.create)", "freelance/batches/service.py", "create"),
    ("request thread: polls (Batches.progress)", "freelance/batches/service.py", "progress"),
    ("request thread: zip, reading the files (one streamed query)", "freelance/batches/service.py", "_files"),
    ("request thread: zip, writing (zipfile writestr)", "zipfile.py", "writestr"),
]


def _profile_report(profiles: list, count: int, seconds: float, statements: Counter[str], top: int = 25) -> str:
    """Cumulative time per document of the functions that matter, then the top entries of the merged profile."""
    stats = pstats.Stats(profiles[0])
    for other in profiles[1:]:
        stats.add(other)
    table = stats.stats  # type: ignore[attr-defined]

    def cumulative(path: str, function: str) -> float:
        # A recursive function has an entry per call site: take the largest.
        found = [ct for (file, _, name), (_, _, _, ct, _) in table.items() if file.endswith(path) and name == function]
        return max(found, default=0.0)

    item = cumulative(*_WHERE[0][1:])
    lines = [
        f"cProfile of an embedded run on SQLite with 1 batch thread ({count} documents, {seconds:.1f} s with the"
        " profiler on): each function's cumulative time per document, and its share of an item (COMMIT, BEGIN"
        " and pre-ping over all threads)."
    ]
    for label, path, function in _WHERE:
        if spent := cumulative(path, function):
            share = f"{spent / item:5.0%}" if not label.startswith("request") else ""
            lines.append(f"  {label:<58}{spent / count * 1000:7.2f} ms {share}")
    lines.append(
        "What the database was sent, per document (the polls' and the zip's included): "
        + ", ".join(f"{number / count:.1f} {what}" for what, number in statements.most_common())
    )
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    return "\n".join(lines) + f"\n\nTop {top} by cumulative time:" + out.getvalue()


def child(args: argparse.Namespace) -> None:
    """Run one case (``--case``) in this process; print its measurements as JSON on the last line."""
    folder = Path(args.folder)
    if args.case == "docxtpl":
        result = run_docxtpl(args.url, args.count, folder)
    else:
        settings = {"DATABASE_URL": args.url, "SECRET_KEY_FILE": str(folder / "secret.key")}
        if args.profile:  # one batch thread: a function's time is its own, not a wait for the other's GIL or lock
            settings["BATCH_WORKERS"] = "1"
        if args.case == "rq":
            settings |= {"REDIS_URL": args.redis, "BATCH_QUEUE": args.queue}
        result = run_batch(settings, args.count, folder, args.profile)
    result["peak"] = status("self", "VmHWM")
    print(json.dumps(result))


def _child(case: str, url: str, count: int, folder: Path, *extra: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.batches", "--case", case, "--url", url, "--folder", str(folder)]
    done = subprocess.run([*command, "--count", str(count), *extra], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"case {case} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.splitlines()[-1])


# --- the parent: databases, workers, table ------------------------------------------------------------


def seed(url: str, count: int) -> None:
    """Migrate the database at ``url`` and import a roster of ``count`` freelancers into it."""
    from bench.roster_import import roster_rows
    from freelance.database import connect, upgrade
    from freelance.roster.importing import import_roster
    from freelance.roster.service import Roster

    rows = list(roster_rows(count))
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    engine = connect(url)
    try:
        upgrade(engine)
        counts = import_roster(Roster(engine), TENANT, io.BytesIO(text.getvalue().encode()), "roster.csv").counts
    finally:
        engine.dispose()
    if counts.created != count:
        sys.exit(f"the roster import created {counts.created} of {count} freelancers")


@contextmanager
def postgresql_database(server_url: str) -> Iterator[str | None]:
    """Yield the URL of a new database on the PostgreSQL server of ``server_url``, dropped at the end;
    None when no server answers."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    name = f"freelance_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 2})
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        admin.dispose()
        yield None
        return
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _redis(url: str):
    from redis import Redis
    from redis.exceptions import RedisError

    redis = Redis.from_url(url, socket_connect_timeout=1)
    try:
        redis.ping()
    except RedisError:
        return None
    return redis


@contextmanager
def workers(settings: dict[str, str], redis, folder: Path) -> Iterator[list[subprocess.Popen]]:
    """Start ``WORKERS`` ``flask worker`` processes on the bench's queue; yield them once registered.

    They are always stopped (SIGTERM, then SIGKILL after 20 s) and the queue's keys deleted.
    """
    from rq import Queue, Worker

    started: list[subprocess.Popen] = []
    try:
        for number in range(WORKERS):
            with (folder / f"worker-{number}.log").open("wb") as log:  # the child keeps its own copy
                started.append(
                    subprocess.Popen(
                        [str(Path(sys.executable).parent / "flask"), "--app", "server", "worker"],
                        cwd=ROOT,
                        env=os.environ | settings,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        queue, deadline = Queue(settings["BATCH_QUEUE"], connection=redis), time.monotonic() + 60
        while len(Worker.all(connection=redis, queue=queue)) < WORKERS:
            if any(process.poll() is not None for process in started) or time.monotonic() > deadline:
                logs = "\n".join(
                    (folder / f"worker-{n}.log").read_text(errors="replace")[-2000:] for n in range(WORKERS)
                )
                raise SystemExit(f"the workers did not start:\n{logs}")
            time.sleep(0.1)
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        keys = list(redis.scan_iter(f"rq:*{settings['BATCH_QUEUE']}*"))
        if keys:
            redis.delete(*keys)


def _rq_case(settings: dict[str, str], redis, count: int, folder: Path) -> dict[str, Any]:
    """The rq case's web process, with the workers' RSS at start and peak added."""
    with workers(settings, redis, folder) as processes:
        at_start = [status(process.pid, "VmRSS") for process in processes]
        url, queue = settings["DATABASE_URL"], settings["BATCH_QUEUE"]
        result = _child("rq", url, count, folder, "--redis", settings["REDIS_URL"], "--queue", queue)
        result["workers"] = [(status(process.pid, "VmHWM"), rss) for process, rss in zip(processes, at_start)]
    return result


def _row(label: str, results: list[dict[str, Any]], count: int, baseline: float | None) -> str:
    """One table line: the median of the rounds, their spread, the ratio to docxtpl's median, peak RSS."""
    times = sorted(result["seconds"] for result in results)
    seconds = statistics.median(times)
    spread = f"±{(times[-1] - times[0]) / 2 / seconds:.0%}" if len(times) > 1 else ""
    ratio = f"{baseline / seconds:.1f}x" if baseline else "base"
    zips = [result["zip_seconds"] for result in results if "zip_seconds" in result]
    zip_part = f"{statistics.median(zips):.2f}" if zips else "-"
    memory = f"{_mb(max(r['peak'] for r in results))} ({_mb(results[0]['rss'])})"
    if "workers" in results[0]:
        memory = f"web {memory}, " + ", ".join(
            f"worker {_mb(max(r['workers'][n][0] for r in results))} ({_mb(rss)})"
            for n, (_, rss) in enumerate(results[0]["workers"])
        )
    return f"{label:<30}{seconds:9.2f}{spread:>6}{count / seconds:9.1f}{ratio:>12}{zip_part:>8}   {memory}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--count", type=int, default=1000, help="freelancers in the roster, so NDAs per case (default 1000)"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds of every case, taken in turns; the table shows medians"
    )
    parser.add_argument("--profile", action="store_true", help="also profile one embedded run (SQLite) per item")
    parser.add_argument(
        "--postgres",
        default=POSTGRES_URL,
        metavar="URL",
        help="PostgreSQL server for a fresh database of the bench's (default: BENCH_DATABASE_URL or the local one);"
        " 'none' for SQLite only",
    )
    parser.add_argument(
        "--redis", default=REDIS_URL, metavar="URL", help=f"Redis for the RQ case (default {REDIS_URL})"
    )
    for hidden in ("--case", "--url", "--folder", "--queue"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        child(args)
        return

    import docxtpl

    count = args.count
    redis = _redis(args.redis)
    server = nullcontext(None) if args.postgres == "none" else postgresql_database(args.postgres)
    with tempfile.TemporaryDirectory(prefix="batches-bench-") as temp, server as postgres:
        folder = Path(temp)
        sqlite = f"sqlite:///{folder / 'bench.db'}"
        started = time.perf_counter()
        seed(sqlite, count)
        if postgres:
            seed(postgres, count)
        print(
            f"Batches: {count:,} mutual NDAs from the roster, request to zip read (roster imported in "
            f"{time.perf_counter() - started:.1f} s); Python {platform.python_version()}, {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.1f}; each case in a fresh process, {args.repeat} round(s)"
        )
        if not postgres and args.postgres != "none":
            print(f"No PostgreSQL at {args.postgres}: the workers share the SQLite file.")
        if redis is None:
            print(f"No Redis at {args.redis}: the rq case is skipped.")
        base = f"docxtpl {docxtpl.__version__} loop (SQLite)"
        cases: dict[str, Any] = {base: lambda: _child("docxtpl", sqlite, count, folder)}
        cases["embedded (SQLite)"] = lambda: _child("embedded", sqlite, count, folder)
        if postgres:
            cases["embedded (PostgreSQL)"] = lambda: _child("embedded", postgres, count, folder)
        if redis is not None:
            settings = {
                "DATABASE_URL": postgres or sqlite,
                "REDIS_URL": args.redis,
                "BATCH_QUEUE": f"bench-batches-{uuid.uuid4().hex}",
                "SECRET_KEY_FILE": str(folder / "secret.key"),
            }
            label = f"rq, {WORKERS} workers ({'PostgreSQL' if postgres else 'SQLite'})"
            cases[label] = lambda: _rq_case(settings, redis, count, folder)
        samples: dict[str, list[dict[str, Any]]] = {label: [] for label in cases}
        for number in range(1, args.repeat + 1):
            for label, run in cases.items():
                samples[label].append(run())
            if args.repeat > 1:
                shown = " / ".join(f"{results[-1]['seconds']:.2f}" for results in samples.values())
                print(
                    f"  round {number}: {shown} s (in table order), load average {os.getloadavg()[0]:.1f}", flush=True
                )

        names = sorted(samples[base][0]["names"])
        for label, results in samples.items():
            if any(sorted(result["names"]) != names for result in results):
                sys.exit(f"{label}: the zip's file names differ from docxtpl's")
        baseline = statistics.median(result["seconds"] for result in samples[base])
        print(f"\n{'case':<30}{'seconds':>9}{'':>6}{'docs/s':>9}{'vs docxtpl':>12}{'zip s':>8}   peak RSS (at start)")
        for label, results in samples.items():
            print(_row(label, results, count, None if label == base else baseline))
        print(
            f"\nEvery zip holds the same {count:,} file names and no item failed. 'vs docxtpl': docxtpl's time"
            f" / the case's. 'zip s': of the case's time, the zip download (the batch polled every"
            f" {POLL_SECONDS * 1000:.0f} ms before it)."
        )
        for label, results in samples.items():
            if label != base:
                ratio = baseline / statistics.median(result["seconds"] for result in results)
                print(f"{label}: {ratio:.1f}x docxtpl (goal >= {GOAL:.0f}x: {'met' if ratio >= GOAL else 'MISSED'})")
        if args.profile:
            profiled = _child("embedded", sqlite, count, folder, "--profile")
            unprofiled = statistics.median(result["seconds"] for result in samples["embedded (SQLite)"])
            print(
                f"\n{profiled['profile']}\n(Without the profiler, the timed embedded run took"
                f" {unprofiled / count * 1000:.2f} ms per document.)"
            )


if __name__ == "__main__":
    main()

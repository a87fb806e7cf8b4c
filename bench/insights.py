"""Programme insight over 100,000 documents on PostgreSQL: the aggregate queries of ``Insights.of`` and the
whole HTTP request, against a named baseline measured in the same run, "Python loop over rows" (the
committed SOWs of the period read with their facts and added up in Python, as a naive implementation
would). Goal: each case under a second.

    python -m bench.insights [--documents 100000] [--postgres URL]

A database of its own is made on the server (BENCH_DATABASE_URL, else root@127.0.0.1:5432) and dropped
at the end; the documents are inserted as the store writes them (``facts_of`` fills their facts), without
files, spread over three tenants, 80% in the measured one.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

from sqlalchemy import insert, select, text

from bench.batches import postgresql_database
from bench.load import POSTGRES_URL
from freelance.database import connect, upgrade
from freelance.programme.facts import facts_of
from freelance.programme.insights import Insights
from freelance.store import DocumentRecord
from freelance.web import create_app

GOAL = 1.0  # seconds, at most, per case
TENANTS = (("local", 0.8), ("fabrikam", 0.1), ("northwind", 0.1))
CATEGORIES = ["design", "engineering", "content", "data", "marketing", "research", "legal", "ops"]
TEAMS = [f"Team {n}" for n in range(12)]
COST_CENTERS = [f"CC-{4000 + n}" for n in range(20)]
COUNTRIES = ["US", "GB", "DE", "FR", "NL", "ES", "IT", "PL", "SE", "PT", "IN", "BR", "CA", "AU", "JP"]
SKILLS = [f"skill-{n:02d}" for n in range(40)]
STATUSES = ["draft", "sent", "signed", "active", "completed", "cancelled"]
RUNS = 7


def _document(rng: random.Random, tenant: str, today: date, emails: list[str]) -> dict:
    """One record as the store writes it: a SOW (70%), an NDA (25%) or a tracker, with a lifecycle."""
    kind = rng.choices(["sow", "nda-mutual", "nda-one-way", "budget"], [70, 13, 12, 5])[0]
    made = datetime.combine(today - timedelta(days=rng.randrange(3 * 365)), datetime.min.time(), UTC)
    email = rng.choice(emails)
    freelancer = {
        "name": email.split("@")[0].title(),
        "email": email,
        "country": rng.choice(COUNTRIES),
        "skills": rng.sample(SKILLS, rng.randint(1, 4)),
    }
    start = made.date() + timedelta(days=rng.randrange(10, 40))
    currency = rng.choices(["USD", "EUR", "GBP"], [60, 25, 15])[0]
    data: dict = {"freelancer": freelancer, "client": {"name": "Contoso Ltd"}}
    if kind == "sow":
        data |= {
            "sow_number": f"SOW-{uuid.uuid4().hex[:10]}",
            "project": {
                "title": "Work",
                "start_date": start.isoformat(),
                "end_date": (start + timedelta(days=rng.randrange(14, 200))).isoformat(),
            },
            "fee": {"model": "fixed", "currency": currency, "amount": f"{rng.randrange(1000, 90000)}.00"},
            "category": rng.choice(CATEGORIES),
            "team": rng.choice(TEAMS),
            "cost_center": rng.choice(COST_CENTERS),
        }
    elif kind != "budget":
        data |= {"effective_date": made.date().isoformat(), "term_years": rng.choice([1, 2, 3, None])}
    row = {
        "id": uuid.uuid4(),
        "tenant": tenant,
        "template": kind,
        "template_version": "0" * 64,
        "filename": f"{kind}.docx",
        "format": "xlsx" if kind == "budget" else "docx",
        "sha256": uuid.uuid4().hex * 2,
        "size": 20000,
        "data": data,
        "created_at": made,
        "created_by": "bench",
        "predecessor_id": None,
        "signed_on": None,
        "days_to_engage": None,
    } | facts_of(kind, data, made.date())
    if row["status"] is not None:
        status = rng.choice(STATUSES) if kind == "sow" else rng.choice(["draft", "signed", "active", "expired"])
        row["status"] = status
        if status in ("signed", "active", "completed"):
            signed = min(today, made.date() + timedelta(days=rng.randrange(0, 60)))
            row |= {"signed_on": signed, "days_to_engage": (signed - made.date()).days, "status_on": signed}
    return row


def load(url: str, count: int, seed: int = 14) -> float:
    """Insert ``count`` documents; return the seconds it took."""
    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    emails = [f"freelancer{n:04d}@example.org" for n in range(5000)]
    engine = connect(url)
    upgrade(engine)
    began = time.perf_counter()
    table = DocumentRecord.table()
    with engine.begin() as connection:
        batch = []
        for _ in range(count):
            tenant = rng.choices([t for t, _ in TENANTS], [w for _, w in TENANTS])[0]
            batch.append(_document(rng, tenant, today, emails))
            if len(batch) == 5000:
                connection.execute(insert(table), batch)
                batch = []
        if batch:
            connection.execute(insert(table), batch)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE documents"))
    engine.dispose()
    return time.perf_counter() - began


def python_loop(engine, tenant: str, start: date | None, end: date | None, group_by: str) -> dict:
    """The baseline: the period's committed SOWs read with their facts and every figure added up in Python
    (totals and groups per currency, medians, active freelancers, months, demand), with their ids."""
    names = (
        "id",
        "currency",
        "value",
        "duration_days",
        "days_to_engage",
        "skills",
        "status",
        "signed_on",
        "freelancer_email",
        "freelancer_name",
        "category",
        "team",
        "cost_center",
        "country",
    )
    columns = [getattr(DocumentRecord, name) for name in names]
    figures: dict = defaultdict(lambda: {"spend": Decimal(0), "sows": 0, "durations": [], "days": [], "ids": []})
    months: dict = defaultdict(list)
    demand: dict = defaultdict(list)
    active, days, ids = set(), [], []
    with engine.connect() as connection:
        for row in connection.execute(select(*columns).where(Insights(engine).committed(tenant, start, end))):
            keys = row.skills if group_by == "skill" else [getattr(row, group_by)]
            for key in [None, *(keys or [])]:  # None: the currency's total
                each = figures[(key, row.currency)]
                each["spend"] += row.value or 0
                each["sows"] += 1
                each["durations"].append(row.duration_days)
                each["days"].append(row.days_to_engage)
                each["ids"].append(str(row.id))
            month = row.signed_on.strftime("%Y-%m")
            months[month].append(str(row.id))
            for skill in row.skills or []:
                demand[(month, skill)].append(str(row.id))
            if row.status == "active":
                active.add(row.freelancer_email or row.freelancer_name)
            days.append(row.days_to_engage)
            ids.append(str(row.id))
    return {
        "figures": {
            key: (each["spend"], each["sows"], statistics.mean(each["durations"]), statistics.median(each["days"]))
            for key, each in figures.items()
        },
        "median": statistics.median(days) if days else None,
        "active": len(active),
        "months": {month: len(found) for month, found in months.items()},
        "demand": {key: len(found) for key, found in demand.items()},
    }


def _median_time(work, runs: int = RUNS) -> float:
    work()  # warm-up
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def _case(engine, insights: Insights, client, group_by: str, label: str, start: date | None, end: date | None) -> bool:
    """Time one breakdown over one period three ways and print them; return whether both of ours met the goal."""
    query = f"/api/insights?group_by={group_by}" + (f"&from={start}&to={end}" if start else "")
    size = len(client.get(query).data)
    ours = _median_time(partial(insights.of, "local", start, end, group_by))
    http = _median_time(partial(client.get, query))
    loop = _median_time(partial(python_loop, engine, "local", start, end, group_by), runs=3)
    for case, seconds, shown in (
        (f"Insights.of {group_by}, {label}", ours, ""),
        (f"GET /api/insights {group_by}, {label}", http, f"{size:,}"),
    ):
        print(
            f"{case:<42} {seconds:>8.3f} {loop / seconds:>11.1f}x {shown:>11}  {'PASS' if seconds <= GOAL else 'FAIL'}"
        )
    print(f"{'  baseline: Python loop over rows':<42} {loop:>8.3f}")
    return max(ours, http) <= GOAL


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--postgres", default=POSTGRES_URL)
    options = parser.parse_args(argv)
    with postgresql_database(options.postgres) as url:
        if url is None:
            raise SystemExit(f"No PostgreSQL answers at {options.postgres}: the benchmark needs one (--postgres URL).")
        loaded = load(url, options.documents)
        engine = connect(url)
        insights = Insights(engine)
        with tempfile.TemporaryDirectory() as folder:
            app = create_app(
                {"DATABASE_URL": url, "SECRET_KEY_FILE": str(Path(folder) / "secret.key"), "MIGRATE_ON_START": "false"}
            )
            client = app.test_client()
            today = datetime.now(UTC).date()
            year = (today - timedelta(days=365), today)
            total = engine.connect().execute(text("SELECT count(*) FROM documents WHERE tenant = 'local'")).scalar()
            print(f"{options.documents:,} documents loaded in {loaded:.1f} s ({total:,} in the measured tenant)\n")
            print(f"{'case':<42} {'seconds':>8} {'vs baseline':>12} {'bytes':>11}  goal <= {GOAL:.0f} s")
            failed = False
            for group_by in ("category", "team", "cost_center", "skill", "country"):
                for label, (first, last) in (("all time", (None, None)), ("one year", year)):
                    failed |= not _case(engine, insights, client, group_by, label, first, last)
            print("\nEvery case under a second." if not failed else "\nSome case is over a second.")
        engine.dispose()


if __name__ == "__main__":
    main()

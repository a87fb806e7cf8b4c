"""Programme insight over 100,000 documents on PostgreSQL (issue 14): ``Insights.of`` and the whole
``GET /api/insights`` request, each group_by over all time and over the last year, against a named
baseline measured in the same run, "Python loop over rows". Goal: every case under a second.

* ``Insights.of``     the aggregate queries of ``freelance.programme.insights`` for the big tenant
                      ("local", 80% of the documents), their rows turned into the Insight.
* ``GET /api/insights``  the same through the Flask test client (local mode): query parsing, the pydantic
                      model, JSON serialisation; the response's size is printed (the ids lists make it big).
* baseline            "Python loop over rows": the period's committed SOWs selected with the columns the
                      figures need, and every figure (totals and groups per currency, averages, medians,
                      active freelancers, months, demand by skill, with their ids) computed in Python, as a
                      naive implementation would. Before anything is timed its totals and groups must equal
                      ``Insights.of``'s, or the script exits with an error.

A database of its own is made on the server of ``--postgres`` (BENCH_DATABASE_URL, else
root@127.0.0.1:5432), migrated, filled with Core INSERTs in chunks (records as the store writes them,
their facts from ``facts_of``; no files), VACUUM ANALYZEd, and always dropped at the end.

    .venv/bin/python -m bench.insights                    # 100,000 documents: about 3 minutes on 2 cores
    .venv/bin/python -m bench.insights --documents 10000 --runs 3   # a quick check
    .venv/bin/python -m bench.insights --explain          # plans of the slowest query even under 0.5 s
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select, text

from bench.batches import POSTGRES_URL, postgresql_database
from freelance.database import connect, upgrade
from freelance.programme.facts import NDA_KINDS, facts_of
from freelance.programme.insights import GroupBy, Insights
from freelance.store import DocumentRecord

ROOT = Path(__file__).resolve().parent.parent
GOAL = 1.0  # seconds, at most, per case
EXPLAIN_OVER = 0.5  # seconds: a case this slow gets the plan of its slowest query printed
TENANTS = (("local", 80), ("fabrikam", 10), ("northwind", 10))
TENANT = "local"  # local mode's tenant: the test client acts for it
GROUPS: tuple[GroupBy, ...] = ("category", "team", "cost_center", "skill", "country")
CHUNK = 2_000
CATEGORIES = ["design", "engineering", "content", "data", "marketing", "research", "legal", "operations"]
TEAMS = ["Brand", "Web", "Mobile", "Platform", "Data", "Growth", "Content", "Legal", "Ops", "Research", "Sales", "QA"]
COST_CENTERS = [f"CC-{4100 + 10 * n}" for n in range(20)]
COUNTRIES = ["US", "GB", "DE", "FR", "NL", "ES", "IT", "PL", "SE", "PT", "IE", "IN", "BR", "CA", "AU"]
SKILLS = [
    *("python", "typescript", "react", "vue", "django", "flask", "go", "rust", "java", "kotlin", "swift", "sql"),
    *("postgres", "aws", "azure", "gcp", "terraform", "kubernetes", "docker", "figma", "sketch", "illustrator"),
    *("photoshop", "branding", "copywriting", "seo", "editing", "translation", "data-analysis", "statistics"),
    *("machine-learning", "excel", "powerbi", "tableau", "product-management", "ux-research", "accessibility"),
    *("testing", "security", "legal-drafting"),
]
SOW_STATUSES = {"draft": 10, "sent": 8, "signed": 12, "active": 25, "completed": 35, "cancelled": 10}
QUERIES = ("totals", "groups", "days", "active", "months", "demand", "ndas")
"""The statements ``Insights.of`` sends, in order."""


# Loading.


def _examples() -> dict[str, dict[str, Any]]:
    """The shipped sample data of each kind: the rest of a record's data snapshot, as big as a real one."""
    names = {"sow": "sow-hourly", "nda-mutual": "nda-mutual", "nda-one-way": "nda-one-way", "budget": "budget"}
    return {kind: json.loads((ROOT / "examples" / f"{name}.json").read_text())["data"] for kind, name in names.items()}


def _freelancers(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """A roster: each freelancer keeps one email, country and 1-4 skills in every document made for them."""
    first = ["Zoe", "Ana", "Ben", "Chloe", "Dev", "Emma", "Femi", "Gus", "Hana", "Ivan", "Jin", "Kai", "Lena", "Nia"]
    last = ["Angstrom", "Baker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jansen", "Novak"]
    found = []
    for n in range(count):
        name = f"{rng.choice(first)} {rng.choice(last)}"
        found.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
                "name": name,
                "email": f"{name.replace(' ', '.').lower()}.{n}@example.org",
                "country": rng.choice(COUNTRIES),
                "skills": rng.sample(SKILLS, rng.randint(1, 4)),
            }
        )
    return found


class Documents:
    """Records as ``Store.add_documents`` writes them, then moved along their lifecycle as
    ``Lifecycle.change`` would: status, status_on, and signed_on with days_to_engage once signed."""

    def __init__(self, seed: int, today: date):
        self.rng, self.today = random.Random(seed), today
        self.examples = _examples()
        self.freelancers = _freelancers(self.rng, 5_000)
        self.sows = 0

    def make(self, tenant: str) -> dict[str, Any]:
        rng = self.rng
        kind = rng.choices(["sow", "nda-mutual", "nda-one-way", "budget"], [70, 13, 12, 5])[0]
        made = self.today - timedelta(days=rng.randrange(3 * 365))
        freelancer = rng.choice(self.freelancers)
        data = dict(self.examples[kind])
        if kind != "budget":
            data["freelancer_id"] = freelancer["id"]
            data["freelancer"] = data["freelancer"] | {
                key: freelancer[key] for key in ("name", "email", "country", "skills")
            }
        if kind == "sow":
            data |= self._sow(made)
        elif kind in NDA_KINDS:
            data |= {"effective_date": made.isoformat(), "term_years": rng.choice([1, 2, 2, 3, 3, 5, None])}
        row: dict[str, Any] = {
            "id": uuid.UUID(int=rng.getrandbits(128)),
            "tenant": tenant,
            "template": kind,
            "template_version": f"{rng.getrandbits(256):064x}",
            "filename": f"{kind} {made.isoformat()}.{'xlsx' if kind == 'budget' else 'docx'}",
            "format": "xlsx" if kind == "budget" else "docx",
            "sha256": f"{rng.getrandbits(256):064x}",
            "size": rng.randrange(18_000, 60_000),
            "data": data,
            "created_at": datetime.combine(made, datetime.min.time(), UTC) + timedelta(seconds=rng.randrange(86_400)),
            "created_by": "local",
            "predecessor_id": None,
            "signed_on": None,
            "days_to_engage": None,
        } | facts_of(kind, data, made)
        if kind == "sow":
            self._lifecycle(row, rng.choices(list(SOW_STATUSES), list(SOW_STATUSES.values()))[0])
        elif kind in NDA_KINDS:
            expires = row["expires_on"]
            self._lifecycle(row, "expired" if expires and expires < self.today else rng.choice(["signed", "active"]))
        return row

    def _sow(self, made: date) -> dict[str, Any]:
        rng = self.rng
        self.sows += 1
        start = made + timedelta(days=rng.randrange(7, 45))
        currency = rng.choices(["USD", "EUR", "GBP"], [60, 25, 15])[0]
        if rng.random() < 0.5:
            fee = {"model": "fixed", "currency": currency, "amount": f"{rng.randrange(2_000, 120_000)}.00"}
        else:
            units = rng.randrange(20, 800)
            fee = {"model": "hourly", "currency": currency, "rate": f"{rng.randrange(40, 180)}.00"}
            fee |= {"estimated_units": str(units)} | ({"cap": f"{units * 100}.00"} if rng.random() < 0.5 else {})
        return {
            "sow_number": f"SOW-{made.year}-{self.sows:06d}",
            "effective_date": made.isoformat(),
            "project": self.examples["sow"]["project"]
            | {
                "title": f"{rng.choice(CATEGORIES).title()} project {self.sows}",
                "start_date": start.isoformat(),
                "end_date": (start + timedelta(days=rng.randrange(14, 270))).isoformat(),
            },
            "fee": fee,
            "category": rng.choice(CATEGORIES),
            "team": rng.choice(TEAMS),
            "cost_center": rng.choice(COST_CENTERS),
        }

    def _lifecycle(self, row: dict[str, Any], status: str) -> None:
        """Move a draft made on ``status_on`` to ``status``, every date between then and today."""
        rng, made, today = self.rng, row["status_on"], self.today

        def later(first: date, most: int) -> date:
            return min(today, first + timedelta(days=rng.randrange(most + 1)))

        if status in ("sent", "cancelled"):
            row |= {"status": status, "status_on": later(made, 30)}
        elif status != "draft":
            signed = later(made, 60)
            on = signed if status == "signed" else later(signed, 120 if status == "active" else 365)
            if status == "expired" and row["expires_on"]:
                on = max(signed, min(today, row["expires_on"] + timedelta(days=1)))
            row |= {"status": status, "status_on": on, "signed_on": signed, "days_to_engage": (signed - made).days}


def load(url: str, count: int, seed: int = 14) -> tuple[float, float]:
    """Migrate the database, insert ``count`` documents in chunks and VACUUM ANALYZE; return the seconds
    the rows took to make and to insert (the latter with the VACUUM ANALYZE)."""
    engine = connect(url)
    upgrade(engine)
    documents = Documents(seed, datetime.now(UTC).date())
    rng = random.Random(seed + 1)
    table, made, inserted = DocumentRecord.table(), 0.0, 0.0
    tenants, weights = [name for name, _ in TENANTS], [weight for _, weight in TENANTS]
    with engine.begin() as connection:
        for first in range(0, count, CHUNK):
            began = time.perf_counter()
            rows = [documents.make(rng.choices(tenants, weights)[0]) for _ in range(min(CHUNK, count - first))]
            made += time.perf_counter() - began
            began = time.perf_counter()
            connection.execute(insert(table), rows)
            inserted += time.perf_counter() - began
    began = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE) documents"))
    engine.dispose()
    return made, inserted + time.perf_counter() - began


# The baseline.

LOOP_COLUMNS = (
    "id",
    "currency",
    "value",
    "duration_days",
    "days_to_engage",
    "signed_on",
    "status",
    "freelancer_email",
    "freelancer_name",
    "skills",
    "category",
    "team",
    "cost_center",
    "country",
)


def python_loop(engine, tenant: str, start: date | None, end: date | None, group_by: GroupBy) -> dict[str, Any]:
    """The baseline: the period's committed SOWs read with the columns the figures need, every figure
    added up in Python (per currency, per group and currency, medians, months, demand), with sorted ids."""
    columns = [getattr(DocumentRecord, name) for name in LOOP_COLUMNS]
    query = select(*columns).where(Insights(engine).committed(tenant, start, end))

    def figures() -> dict[str, Any]:
        return {"spend": Decimal(0), "sows": 0, "durations": [], "days": [], "ids": []}

    totals: dict[Any, dict[str, Any]] = defaultdict(figures)
    groups: dict[Any, dict[str, Any]] = defaultdict(figures)
    months: dict[str, dict[str, Any]] = defaultdict(lambda: {"days": [], "ids": []})
    demand: dict[tuple[str, str], list[str]] = defaultdict(list)
    active: set[str] = set()
    active_ids: list[str] = []
    days: list[int] = []
    day_ids: list[str] = []
    with engine.connect() as connection:
        for row in connection.execute(query):
            id = str(row.id)
            keys = (row.skills or []) if group_by == "skill" else [getattr(row, group_by)]
            for each in [totals[row.currency], *(groups[(key, row.currency)] for key in keys)]:
                each["spend"] += row.value or 0
                each["sows"] += 1
                each["durations"].append(row.duration_days)
                each["days"].append(row.days_to_engage)
                each["ids"].append(id)
            month = months[row.signed_on.strftime("%Y-%m")]
            month["days"].append(row.days_to_engage)
            month["ids"].append(id)
            for skill in row.skills or []:
                demand[(row.signed_on.strftime("%Y-%m"), skill)].append(id)
            if row.status == "active":
                active.add(row.freelancer_email or row.freelancer_name)
                active_ids.append(id)
            if row.days_to_engage is not None:
                days.append(row.days_to_engage)
                day_ids.append(id)

    def summed(each: dict[str, Any]) -> dict[str, Any]:
        durations = [d for d in each["durations"] if d is not None]
        engaged = [d for d in each["days"] if d is not None]
        return {
            "spend": each["spend"],
            "sows": each["sows"],
            "average_value": each["spend"] / each["sows"],
            "average_duration_days": round(statistics.mean(durations), 2) if durations else None,
            "median_days_to_engage": statistics.median(engaged) if engaged else None,
            "ids": sorted(each["ids"]),
        }

    return {
        "totals": {currency: summed(each) for currency, each in sorted(totals.items())},
        "groups": {key: summed(each) for key, each in groups.items()},
        "median_days_to_engage": (statistics.median(days) if days else None, sorted(day_ids)),
        "active_freelancers": (len(active), sorted(active_ids)),
        "months": {
            month: (len(each["ids"]), statistics.mean(d for d in each["days"] if d is not None), sorted(each["ids"]))
            for month, each in sorted(months.items())
        },
        "demand": {key: (len(ids), sorted(ids)) for key, ids in sorted(demand.items())},
    }


def check(engine, insights: Insights, start: date | None, end: date | None, group_by: GroupBy) -> None:
    """Exit with an error unless the baseline and ``Insights.of`` give the same figures."""
    ours, loop = insights.of(TENANT, start, end, group_by), python_loop(engine, TENANT, start, end, group_by)
    found = {
        "totals": {f.currency: (f.committed_spend, f.sows, f.ids) for f in ours.totals},
        "groups": {(f.group, f.currency): (f.committed_spend, f.sows, f.ids) for f in ours.groups},
        "median": ours.median_days_to_engage.value,
        "active": ours.active_freelancers.value,
        "months": {m.month: (m.sows, m.ids) for m in ours.sows_per_month},
        "demand": {(d.month, d.skill): (d.sows, d.ids) for d in ours.demand},
    }
    expected = {
        "totals": {key: (each["spend"], each["sows"], each["ids"]) for key, each in loop["totals"].items()},
        "groups": {key: (each["spend"], each["sows"], each["ids"]) for key, each in loop["groups"].items()},
        "median": loop["median_days_to_engage"][0],
        "active": loop["active_freelancers"][0],
        "months": {key: (count, ids) for key, (count, _, ids) in loop["months"].items()},
        "demand": loop["demand"],
    }
    wrong = [name for name in found if found[name] != expected[name]]
    if wrong or not found["totals"]:
        raise SystemExit(f"The baseline and Insights.of disagree ({group_by}, {start} to {end}): {wrong or 'no SOWs'}")


# Timing.


class Statements:
    """The duration of each statement sent on ``engine`` to the documents table, in order (execute and
    fetch of the rows by the driver; not SQLAlchemy's processing of them)."""

    def __init__(self, engine):
        self.found: list[tuple[str, Any, float]] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, connection, cursor, statement, parameters, context, executemany):
        connection.info["bench_began"] = time.perf_counter()

    def _after(self, connection, cursor, statement, parameters, context, executemany):
        if "FROM documents" in statement:
            self.found.append((statement, parameters, time.perf_counter() - connection.info.pop("bench_began")))


def timed(cases: dict[str, Callable[[], Any]], runs: int, fewer: dict[str, int]) -> dict[str, list[float]]:
    """Warm each case up once, then run them in turns (so background load hits them alike); return every
    run's seconds. A case named in ``fewer`` runs only that many times."""
    for work in cases.values():
        work()
    found: dict[str, list[float]] = {name: [] for name in cases}
    for turn in range(runs):
        for name, work in cases.items():
            if turn < fewer.get(name, runs):
                began = time.perf_counter()
                work()
                found[name].append(time.perf_counter() - began)
    return found


def _spread(times: list[float]) -> str:
    return f"±{(max(times) - min(times)) / 2 / statistics.median(times) * 100:.0f}%"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000, help="documents to load (default 100,000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each case after its warm-up (default 5)")
    parser.add_argument("--postgres", default=POSTGRES_URL, metavar="URL", help=f"server (default {POSTGRES_URL})")
    parser.add_argument("--explain", action="store_true", help="print the slowest query's plan whatever its time")
    options = parser.parse_args(argv)
    began = time.perf_counter()
    with postgresql_database(options.postgres) as url:
        if url is None:
            raise SystemExit(f"No PostgreSQL answers at {options.postgres}: the benchmark needs one (--postgres URL).")
        made, inserted = load(url, options.documents)
        print(
            f"{options.documents:,} documents made in {made:.1f} s, inserted and VACUUM ANALYZEd in {inserted:.1f} s"
            f" ({options.documents / inserted:,.0f} rows/s)"
        )
        with tempfile.TemporaryDirectory() as folder:
            _measure(url, Path(folder), options)
    print(f"\nWhole run: {time.perf_counter() - began:.0f} s")


def _case(app, client, engine, statements: Statements, name: str, start, end, group_by: GroupBy, options) -> tuple:
    """Time one breakdown over one period: ``Insights.of``, the HTTP request and the baseline, in turns.
    Return the table's row (name, medians, spreads, response bytes) and where the time went (per query,
    the rest of ``Insights.of``, pydantic, JSON, and the slowest statement with its parameters)."""
    from freelance.web.insight_schemas import Insights as InsightsSchema

    insights = Insights(engine)
    path = f"/api/insights?group_by={group_by}" + (f"&from={start}&to={end}" if start else "")
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path}: {response.status_code} {response.data[:300]!r}")
    runs: list[list[tuple[str, Any, float]]] = []

    def ours() -> None:
        statements.found.clear()
        insights.of(TENANT, start, end, group_by)
        runs.append(list(statements.found))

    times = timed(
        {
            "ours": ours,
            "http": lambda: client.get(path),
            "loop": lambda: python_loop(engine, TENANT, start, end, group_by),
        },
        options.runs,
        {"loop": max(1, min(3, options.runs))},
    )
    runs = runs[1:]  # not the warm-up
    assert all(len(run) == len(QUERIES) for run in runs), [len(run) for run in runs]
    per_query = [statistics.median(run[n][2] for run in runs) for n in range(len(QUERIES))]
    slowest = max(range(len(QUERIES)), key=lambda n: per_query[n])

    insight, pydantic, dumps = insights.of(TENANT, start, end, group_by), [], []
    with app.app_context():
        for _ in range(3):
            began = time.perf_counter()
            payload = InsightsSchema.model_validate(insight).model_dump(mode="json", by_alias=True)
            middle = time.perf_counter()
            app.json.dumps(payload)
            pydantic.append(middle - began)
            dumps.append(time.perf_counter() - middle)
    median = {case: statistics.median(each) for case, each in times.items()}
    row = (name, median, {case: _spread(each) for case, each in times.items()}, len(response.data))
    rest = median["ours"] - sum(per_query)
    return row, (name, per_query, rest, statistics.median(pydantic), statistics.median(dumps), runs[0][slowest])


def _measure(url: str, folder: Path, options: argparse.Namespace) -> None:
    from freelance.web import create_app

    engine = connect(url)
    insights = Insights(engine)
    statements = Statements(engine)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY_FILE": str(folder / "secret.key")})
    client = app.test_client()
    today = datetime.now(UTC).date()
    periods = {"all time": (None, None), "one year": (today - timedelta(days=364), today)}
    with engine.connect() as connection:
        size = connection.execute(text("SELECT pg_total_relation_size('documents')")).scalar_one()
        per_tenant: dict[str, int] = dict(
            connection.execute(text("SELECT tenant, count(*) FROM documents GROUP BY tenant")).all()
        )
        print(
            f"table documents: {size / 1024**2:,.0f} MB with its indexes; per tenant: "
            + ", ".join(f"{tenant} {count:,}" for tenant, count in sorted(per_tenant.items(), key=lambda t: -t[1]))
        )
        for label, (start, end) in periods.items():
            committed = connection.execute(
                select(text("count(*)")).select_from(DocumentRecord).where(insights.committed(TENANT, start, end))
            ).scalar_one()
            print(f"committed SOWs of {TENANT!r}, {label}: {committed:,}")
    for start, end in periods.values():
        for group_by in GROUPS:
            check(engine, insights, start, end, group_by)
    print("The baseline's figures equal Insights.of's (totals, groups, medians, months, demand, with their ids).\n")

    rows, details = [], []
    for label, (start, end) in periods.items():
        for group_by in GROUPS:
            row, detail = _case(app, client, engine, statements, f"{group_by}, {label}", start, end, group_by, options)
            rows.append(row)
            details.append(detail)

    print(f"{'case':<44} {'median s':>9} {'±':>5} {'vs baseline':>12} {'bytes':>11}  goal <= {GOAL:.0f} s")
    worst = (0.0, 0)
    for n, (name, median, spread, size) in enumerate(rows):
        loop = median["loop"]
        for case, label, shown in (
            ("ours", f"Insights.of {name}", ""),
            ("http", f"GET /api/insights {name}", f"{size:,}"),
            ("loop", "  Python loop over rows (baseline)", ""),
        ):
            seconds = median[case]
            if case != "loop":
                worst = max(worst, (seconds, n))
            print(
                f"{label:<44} {seconds:>9.3f} {spread[case]:>5} {loop / seconds:>11.1f}x {shown:>11}  "
                f"{'PASS' if seconds <= GOAL else 'FAIL'}"
            )
    ours_and_http = [median[case] for _, median, _, _ in rows for case in ("ours", "http")]
    print(
        f"\n{sum(s <= GOAL for s in ours_and_http)} of {len(ours_and_http)} cases under {GOAL:.0f} s"
        f" (slowest {max(ours_and_http):.3f} s, {rows[worst[1]][0]})."
    )

    print("\nWhere the time goes (ms, medians). One column per statement of Insights.of (executed and its result")
    print("received by the driver); python: the rest of Insights.of (the JSON lists parsed, the Insight built);")
    print("pydantic: Insights.model_validate(...).model_dump(mode='json') of the endpoint; json: app.json.dumps.")
    print(f"{'case':<24}" + "".join(f"{q:>8}" for q in QUERIES) + f"{'python':>8}{'pydantic':>10}{'json':>8}")
    for name, per_query, rest, pydantic, dumps, _ in details:
        print(
            f"{name:<24}"
            + "".join(f"{q * 1000:>8.0f}" for q in per_query)
            + f"{rest * 1000:>8.0f}{pydantic * 1000:>10.0f}{dumps * 1000:>8.0f}"
        )

    if worst[0] > EXPLAIN_OVER or options.explain:
        name, per_query, _, _, _, (statement, parameters, _) = details[worst[1]]
        query = QUERIES[max(range(len(QUERIES)), key=lambda n: per_query[n])]
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the slowest query ({query}) of the slowest case ({name}):")
        with engine.connect() as connection:
            plan = [
                line for (line,) in connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
            ]
        summary = [line for line in plan if "->" in line or not line.startswith(" ") or "Timing:" in line]
        for line in summary[:30]:
            print("  " + line[:150])
    engine.dispose()


if __name__ == "__main__":
    main()

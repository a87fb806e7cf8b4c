"""A seeded programme for the insight tests: a few hundred real documents (SOWs, NDAs, budget trackers)
generated through the app's own generator for two tenants, moved through their lifecycle with dated
changes, and a plain record of what was seeded (``Seeded``) that the tests compute their expectations
from, independently of the product's queries.

The programme lives in a database of its own (a fresh SQLite file, or a fresh database on the
PostgreSQL server of TEST_DATABASE_URL), so the function-scoped ``app`` of the same module, which
empties its tables after each test, never touches it.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update
from sqlalchemy.orm import Session

from freelance.store import DocumentRecord
from freelance.web import create_app
from freelance.web.services import services
from tests.budget.workbooks import BUDGET
from tests.helpers import NDA, SOW, TEST_DATABASE_URL, discard, fresh_postgresql_database

TENANT = "local"
"""The tenant of the API's local user: the one whose programme the API reports."""
OTHER_TENANT = "other-tenant"

CATEGORIES = ("design", "engineering", "data", "marketing", None)
TYPED_AS_FORMULAS = ('=HYPERLINK("http://evil.example","x")', "=1+1")
"""Categories a user typed that a spreadsheet would take for formulas; a few SOWs have them."""
TEAMS = ("Platform", "Growth", "Brand", None)
COST_CENTERS = ("CC-100", "CC-200", "CC-300", None)
CURRENCIES = ("USD", "EUR", "GBP")
SKILLS = ("python", "ux", "sql", "copywriting", "react", "data viz")
COUNTRIES = ("US", "GB", "DE", "FR", "IN")

NDA_EXPIRIES = (-1, 0, 1, 30, 89, 90, 91, 200, None)
"""Days from today to the last day of each seeded NDA's term (None: until terminated)."""

# Where an engagement's contract ends up, weighted: the statuses it moves through after its draft.
OUTCOMES = {
    (): 6,  # still a draft
    ("sent",): 8,
    ("sent", "signed"): 20,
    ("sent", "signed", "active"): 30,
    ("sent", "signed", "active", "completed"): 18,
    ("cancelled",): 4,
    ("sent", "signed", "cancelled"): 6,  # signed, then cancelled: its signature date stays on the record
    ("sent", "expired"): 3,
    ("sent", "signed", "active", "expired"): 3,
}
COMMITTING = {("sent", "signed"): 1, ("sent", "signed", "active"): 2, ("sent", "signed", "active", "completed"): 1}
"""The other tenant's outcomes: all of them would count, were they ours."""
OTHER_NDA_PATHS = ((), ("sent",), ("sent", "signed", "cancelled"), ("sent", "signed", "expired"))


@dataclass
class Seeded:
    """One seeded document, as the tests know it (never read back from the product)."""

    tenant: str
    template: str
    data: dict[str, Any]
    created: date
    steps: list[tuple[str, date]] = field(default_factory=list)
    """The status changes made after the draft, with their dates."""
    first_draft: date | None = None
    """A SOW: the day the first draft of its SOW number was made."""
    value: Decimal | None = None
    expires_on: date | None = None
    id: str = ""

    @property
    def kind(self) -> str:
        return self.template

    @property
    def status(self) -> str | None:
        if self.template == "budget":
            return None
        return self.steps[-1][0] if self.steps else "draft"

    @property
    def signed_on(self) -> date | None:
        return next((day for status, day in self.steps if status == "signed"), None)

    @property
    def days_to_engage(self) -> int | None:
        signed = self.signed_on
        return (signed - (self.first_draft or self.created)).days if signed else None

    @property
    def duration_days(self) -> int:
        project = self.data["project"]
        return (date.fromisoformat(project["end_date"]) - date.fromisoformat(project["start_date"])).days + 1

    @property
    def currency(self) -> str:
        return self.data["fee"]["currency"]

    @property
    def email(self) -> str:
        return self.data["freelancer"]["email"].lower()

    @property
    def name(self) -> str:
        return self.data["freelancer"]["name"]

    @property
    def skills(self) -> list[str]:
        return self.data["freelancer"].get("skills", [])

    def group(self, group_by: str) -> str | None:
        """The SOW's group in a breakdown other than by skill (None: it does not say)."""
        if group_by == "country":
            return self.data["freelancer"]["country"]
        return self.data.get(group_by)


@dataclass(frozen=True)
class Programme:
    """What was seeded, and the app whose database holds it."""

    app: Flask
    today: date
    documents: list[Seeded]

    def of(self, tenant: str = TENANT, kind: str | None = None) -> list[Seeded]:
        return [d for d in self.documents if d.tenant == tenant and (kind is None or d.kind == kind)]

    @property
    def by_id(self) -> dict[str, Seeded]:
        return {d.id: d for d in self.documents}


def backdate(session: Session, document_id: str, day: date, seconds: int = 0) -> None:
    """Make a record look made on ``day`` (its creation and, for a contract, its draft status), in ``session``."""
    table, id = DocumentRecord.table(), uuid.UUID(document_id)
    made = datetime.combine(day, time(9, 0), UTC) + timedelta(seconds=seconds)
    session.execute(update(table).where(table.c.id == id).values(created_at=made))
    session.execute(update(table).where(table.c.id == id, table.c.status.is_not(None)).values(status_on=day))


def _cents(rng: random.Random, low: int, high: int, step: int = 1) -> Decimal:
    return Decimal(rng.randrange(low, high, step)) / 100


def _fee(rng: random.Random, end: date) -> tuple[dict[str, Any], list[dict[str, Any]], Decimal]:
    """A fee of a random model and currency, its milestones, and the SOW's value: what it commits (a fixed fee's
    amount; the cap, when there is one; else rate x estimated units, whole cents by construction)."""
    currency, model = rng.choice(CURRENCIES), rng.choice(("fixed", "hourly", "daily"))
    if model == "fixed":
        amount = _cents(rng, 50_000, 5_000_000)
        first = (amount * rng.choice((1, 2, 3)) / 4).quantize(Decimal("0.01"))
        parts = [amount] if rng.random() < 0.4 else [first, amount - first]
        milestones = [
            {"name": f"Part {n + 1}", "due_date": end.isoformat(), "amount": str(part)} for n, part in enumerate(parts)
        ]
        return {"model": model, "currency": currency, "amount": str(amount)}, milestones, amount
    # An even number of cents times a number of half units: the estimate is whole cents.
    rate = _cents(rng, 4_000, 20_000, 2) if model == "hourly" else _cents(rng, 30_000, 150_000, 2)
    units = Decimal(rng.randrange(2, 600 if model == "hourly" else 120)) / 2
    value = rate * units
    fee = {"model": model, "currency": currency, "rate": str(rate), "estimated_units": str(units)}
    if rng.random() < 0.3:  # a cap (never below the estimate) is what the SOW commits
        value += rng.choice((Decimal(0), _cents(rng, 1, 500_000)))
        fee["cap"] = str(value)
    return fee, [], value


def _freelancers(rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "name": f"Freelancer {n:02d}",
            "email": f"freelancer{n:02d}@example.org",
            "address": f"{n} Pike Street\nSeattle, WA 98101",
            "country": COUNTRIES[n % len(COUNTRIES)],
            "skills": rng.sample(SKILLS, n % 4),
        }
        for n in range(24)
    ]


def _sows(
    rng: random.Random,
    tenant: str,
    count: int,
    today: date,
    days_ago: tuple[int, int],
    outcomes: dict[tuple, int],
    typed: tuple[str, ...] = (),
) -> list[Seeded]:
    """``count`` engagements of ``tenant`` first drafted ``days_ago`` (a range of days), each ending in one of
    ``outcomes`` (the first ones of categories ``typed``, active): a SOW each, a few after an earlier draft of
    the same SOW number."""
    people = _freelancers(rng)
    seeded: list[Seeded] = []
    for number in range(count):
        first_draft = today - timedelta(days=rng.randint(*days_ago))
        made = first_draft
        if rng.random() < 0.15:  # a first draft was left (or cancelled), and the SOW redrafted days later
            made = min(today, first_draft + timedelta(days=rng.randint(1, 10)))
        outcome = rng.choices(list(outcomes), weights=list(outcomes.values()))[0]
        category = rng.choice(CATEGORIES)
        if number < len(typed):  # the first engagements' categories were typed like formulas, and they count
            category, outcome = typed[number], ("sent", "signed", "active")
        steps, day = [], made
        for status in outcome:
            day = min(today, day + timedelta(days=rng.randint(0, 20)))
            steps.append((status, day))
        start = next((d for s, d in steps if s == "signed"), made) + timedelta(days=rng.randint(0, 20))
        end = start + timedelta(days=rng.randint(0, 180))
        fee, milestones, value = _fee(rng, end)
        person = copy.deepcopy(rng.choice(people))
        if rng.random() < 0.1:  # the same person, the email typed in capitals
            person["email"] = person["email"].upper().replace("EXAMPLE.ORG", "example.org")
        data = copy.deepcopy(SOW) | {
            "sow_number": f"SOW-{number:04d}",
            "effective_date": first_draft.isoformat(),
            "freelancer": copy.deepcopy(SOW["freelancer"]) | person,
            "project": SOW["project"] | {"start_date": start.isoformat(), "end_date": end.isoformat()},
            "deliverables": [SOW["deliverables"][0] | {"due_date": end.isoformat()}],
            "milestones": milestones,
            "fee": fee,
        }
        for name, chosen in (
            ("category", category),
            ("team", rng.choice(TEAMS)),
            ("cost_center", rng.choice(COST_CENTERS)),
        ):
            if chosen is not None:
                data[name] = chosen
        if made != first_draft:
            earlier = Seeded(tenant, "sow", data, first_draft, first_draft=first_draft, value=value)
            if rng.random() < 0.5:
                earlier.steps = [("cancelled", made)]
            seeded.append(earlier)
        seeded.append(Seeded(tenant, "sow", data, made, steps, first_draft=first_draft, value=value))
    return seeded


def effective_for(expires: date, years: int) -> date:
    """The effective date of an NDA of ``years`` whose term's last day is ``expires``."""
    anniversary = expires + timedelta(days=1)
    try:
        return anniversary.replace(year=anniversary.year - years)
    except ValueError:  # 29 February: that anniversary falls on 1 March in other years
        return anniversary.replace(year=anniversary.year - years, day=28)


def _ndas(rng: random.Random, tenant: str, today: date) -> list[Seeded]:
    """For each expiry of NDA_EXPIRIES, one NDA signed, one active and one in another status."""
    seeded = []
    for number, offset in enumerate(NDA_EXPIRIES):
        for path in (("sent", "signed"), ("sent", "signed", "active"), rng.choice(OTHER_NDA_PATHS)):
            data = copy.deepcopy(NDA)
            data["freelancer"] = data["freelancer"] | {"name": f"NDA party {number}-{len(path)}"}
            expires = today + timedelta(days=offset) if offset is not None else None
            if expires is None:
                del data["term_years"]
                data["effective_date"] = (today - timedelta(days=400)).isoformat()
            else:
                data["term_years"] = years = rng.choice((1, 2, 3))
                data["effective_date"] = effective_for(expires, years).isoformat()
                expires = _last_day(date.fromisoformat(data["effective_date"]), years)
            template = ("nda-mutual", "nda-one-way")[len(seeded) % 2]
            if template == "nda-one-way":
                data["discloser"] = "client"
            seeded.append(Seeded(tenant, template, data, today, [(s, today) for s in path], expires_on=expires))
    return seeded


def _last_day(effective: date, years: int) -> date:
    """The last day an NDA of ``years`` from ``effective`` covers: the day before its anniversary."""
    try:
        anniversary = effective.replace(year=effective.year + years)
    except ValueError:  # made on 29 February: the anniversary is 1 March
        anniversary = date(effective.year + years, 3, 1)
    return anniversary - timedelta(days=1)


def seed(app: Flask, *, sows: int = 220, seed: int = 2027) -> Programme:
    """Seed ``app``'s database with ``sows`` engagements of TENANT (and a fifth as many of OTHER_TENANT, with
    the same SOW numbers drafted earlier), NDAs around the 90-day window and budget trackers; return it all."""
    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    documents = _sows(rng, TENANT, sows, today, (20, 430), OUTCOMES, TYPED_AS_FORMULAS)
    documents += _ndas(rng, TENANT, today)
    documents += [Seeded(TENANT, "budget", copy.deepcopy(BUDGET), today) for _ in range(3)]
    documents += _sows(rng, OTHER_TENANT, sows // 5, today, (440, 600), COMMITTING)
    documents += _ndas(rng, OTHER_TENANT, today)[:9]
    generator, lifecycle, store = services(app).generator, services(app).lifecycle, services(app).store
    with store.writing() as session:  # one commit for all: a commit is what costs on PostgreSQL
        for document in documents:
            record = generator.generate(document.tenant, document.template, document.data, session=session).record
            document.id = str(record.id)
        for number, document in enumerate(documents):
            backdate(session, document.id, document.created, number)
    # On SQLite, one change per transaction: a second change in one transaction waits for a lock the transaction
    # holds itself (test_lifecycle's test_two_contracts_change_status_in_one_transaction).
    one_by_one = store.engine.dialect.name == "sqlite"
    changes = [(document, status, day) for document in documents for status, day in document.steps]
    for batch in [[change] for change in changes] if one_by_one else [changes]:
        with store.writing() as session:
            for document, status, day in batch:
                lifecycle.change(session, document.tenant, document.id, status, day, "seeder")
    return Programme(app, today, documents)


@pytest.fixture(scope="module")
def programme_database(tmp_path_factory) -> Iterator[str]:
    """A database of the module's own for its seeded programme."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('programme') / 'programme.db'}"
        return
    with fresh_postgresql_database(TEST_DATABASE_URL) as url:
        yield url


@pytest.fixture(scope="module")
def programme(programme_database, tmp_path_factory) -> Iterator[Programme]:
    """The seeded programme, on an app of its own (its API: ``programme.app.test_client()``)."""
    key = tmp_path_factory.mktemp("programme-key") / "secret.key"
    app = create_app({"DATABASE_URL": programme_database, "SECRET_KEY_FILE": str(key)})
    try:
        yield seed(app)
    finally:
        discard(app)

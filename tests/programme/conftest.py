"""A seeded programme: a few hundred real documents across two tenants, moved along their lifecycle on
dates in the past, and a log of what was done, from which a test computes the figures on its own."""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from freelance.store import DocumentRecord
from freelance.web.services import services
from tests.helpers import NDA, SOW

TODAY = datetime.now(UTC).date()
PATHS = {
    "draft": [],
    "sent": ["sent"],
    "signed": ["sent", "signed"],
    "active": ["sent", "signed", "active"],
    "completed": ["sent", "signed", "active", "completed"],
    "cancelled": ["sent", "cancelled"],
}
FREELANCERS = [
    (f"Freelancer {n}", f"f{n}@example.org", country, skills)
    for n, (country, skills) in enumerate(
        [
            ("US", ["ux", "figma"]),
            ("GB", ["python"]),
            ("DE", ["python", "sql"]),
            ("FR", []),
            ("US", ["figma"]),
            ("PT", ["copy"]),
            ("IN", ["python", "ux"]),
            ("BR", ["sql"]),
        ]
    )
]


@dataclass
class Seeded:
    """What the seeding did: each document's tenant, kind and facts as the test knows them."""

    id: str
    tenant: str
    kind: str
    status: str
    made: date
    signed: date | None = None
    number: str | None = None
    category: str | None = None
    team: str | None = None
    cost_center: str | None = None
    currency: str | None = None
    value: Decimal | None = None
    duration: int | None = None
    email: str = ""
    country: str = ""
    skills: list[str] = field(default_factory=list)
    name: str = ""
    expires: date | None = None


def _sow(rng: random.Random, number: str, start: date, freelancer) -> tuple[dict, Decimal, int]:
    name, email, country, skills = freelancer
    data = copy.deepcopy(SOW) | {"sow_number": number}
    data["freelancer"] = data["freelancer"] | {"name": name, "email": email, "country": country, "skills": skills}
    end = start + timedelta(days=rng.randrange(20, 120))
    data["project"] |= {"start_date": start.isoformat(), "end_date": end.isoformat()}
    data["deliverables"] = [d | {"due_date": end.isoformat()} for d in data["deliverables"]]
    currency = rng.choice(["USD", "EUR", "GBP"])
    if rng.random() < 0.7:
        amount = Decimal(rng.randrange(1000, 30000)) + Decimal("0.50")
        data["fee"] = {"model": "fixed", "currency": currency, "amount": str(amount)}
        data["milestones"] = [{"name": "All", "due_date": end.isoformat(), "amount": str(amount)}]
        value = amount
    else:
        rate, units = Decimal(rng.randrange(40, 150)), Decimal(rng.randrange(10, 200))
        cap = rate * units + rng.randrange(0, 5000) if rng.random() < 0.5 else None
        data["fee"] = {
            "model": rng.choice(["hourly", "daily"]),
            "currency": currency,
            "rate": str(rate),
            "estimated_units": str(units),
        }
        if cap is not None:
            data["fee"]["cap"] = str(cap)
        data["milestones"] = []
        value = cap if cap is not None else rate * units
    for key, choices in (
        ("category", ["design", "engineering", None]),
        ("team", ["Brand", "Web", None]),
        ("cost_center", ["CC-1", "CC-2", None]),
    ):
        if (chosen := rng.choice(choices)) is not None:
            data[key] = chosen
    return data, value, (end - start).days + 1


def seed(app, tenant: str, count: int, rng: random.Random) -> list[Seeded]:
    """Make ``count`` documents for ``tenant`` (three SOWs in four), made on days of the last 400, each moved
    along its lifecycle on later days; return what was done."""
    generator, store, lifecycle = services(app).generator, services(app).store, services(app).lifecycle
    seeded: list[Seeded] = []
    numbers: list[tuple[str, date]] = []
    for i in range(count):
        made = TODAY - timedelta(days=rng.randrange(30, 400))
        freelancer = rng.choice(FREELANCERS)
        if rng.random() < 0.75:
            if numbers and rng.random() < 0.2:  # a new draft of an earlier SOW, made after it
                number, first = rng.choice(numbers)
                made = min(TODAY - timedelta(days=25), first + timedelta(days=rng.randrange(0, 10)))
            else:
                number = f"SOW-{tenant[:3]}-{i:04d}"
                numbers.append((number, made))
            data, value, duration = _sow(rng, number, made + timedelta(days=5), freelancer)
            record = generator.generate(tenant, "sow", data).record
            entry = Seeded(
                str(record.id),
                tenant,
                "sow",
                "draft",
                made,
                number=number,
                category=data.get("category"),
                team=data.get("team"),
                cost_center=data.get("cost_center"),
                currency=data["fee"]["currency"],
                value=value,
                duration=duration,
            )
        else:
            kind = rng.choice(["nda-mutual", "nda-one-way"])
            term = rng.choice([1, 2, None])
            effective = made - timedelta(days=rng.choice([0, 300, 700]))
            data = copy.deepcopy(NDA) | {"effective_date": effective.isoformat(), "term_years": term}
            data["freelancer"] = data["freelancer"] | {"name": freelancer[0], "email": freelancer[1]}
            if kind == "nda-one-way":
                data["discloser"] = "client"
            if term is None:
                del data["term_years"]
            record = generator.generate(tenant, kind, data).record
            expires = effective.replace(year=effective.year + term) - timedelta(days=1) if term else None
            entry = Seeded(str(record.id), tenant, kind, "draft", made, expires=expires)
        entry.name, entry.email, entry.country, entry.skills = (
            freelancer[0],
            freelancer[1],
            freelancer[2],
            freelancer[3],
        )
        with store.engine.begin() as connection:
            connection.execute(
                update(DocumentRecord.table())
                .where(DocumentRecord.table().c.id == record.id)
                .values(created_at=datetime.combine(made, datetime.min.time(), UTC), status_on=made)
            )
        final = rng.choice(list(PATHS))
        day = made
        for status in PATHS[final]:
            day = min(TODAY, day + timedelta(days=rng.randrange(0, 8)))
            with store.writing() as session:
                lifecycle.change(session, tenant, entry.id, status, day, "tester")
            if status == "signed":
                entry.signed = day
        entry.status = final
        seeded.append(entry)
    return seeded


@pytest.fixture
def programme(app) -> list[Seeded]:
    """About 220 documents of the local tenant and 60 of another, seeded alike."""
    rng = random.Random(14)
    return seed(app, "local", 220, rng) + seed(app, "other-tenant", 60, rng)

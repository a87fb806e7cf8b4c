"""Programme insight: what a tenant's contracts add up to over a period, each figure with the ids of the
records it was computed from. Aggregate queries over the facts each record keeps (``facts``), so the
database does the counting however many documents there are.

The period selects SOWs by the day they were signed; committed ones are those signed, active or
completed. Money is added per currency, never converted.
"""

from __future__ import annotations

import json
import statistics
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Engine

from ..store import DocumentRecord
from .facts import NDA_KINDS
from .lifecycle import COMMITTED, IN_FORCE

GroupBy = Literal["category", "team", "cost_center", "skill", "country"]
EXPIRY_WINDOW = timedelta(days=90)
"""How far ahead NDAs about to expire are looked for."""

SOW_COLUMNS = (
    "id",
    "engagement",
    "freelancer_name",
    "freelancer_email",
    "country",
    "skills",
    "category",
    "team",
    "cost_center",
    "status",
    "currency",
    "value",
    "signed_on",
    "days_to_engage",
    "start_on",
    "end_on",
)
"""The facts ``sows`` reads of each SOW."""
NDA_COLUMNS = ("id", "template", "freelancer_name", "freelancer_email", "status", "expires_on")
"""The facts ``ndas`` reads of each NDA."""

_GROUPS: dict[str, Any] = {
    "category": DocumentRecord.category,
    "team": DocumentRecord.team,
    "cost_center": DocumentRecord.cost_center,
    "country": DocumentRecord.country,
}


@dataclass(frozen=True)
class Figures:
    """Committed SOWs of one group (None: the total) in one currency."""

    group: str | None
    currency: str
    committed_spend: Decimal
    sows: int
    average_value: Decimal
    average_duration_days: float | None
    median_days_to_engage: float | None
    ids: list[str]


@dataclass(frozen=True)
class Month:
    """SOWs signed in one month (YYYY-MM) and how long they took to engage, on average."""

    month: str
    sows: int
    average_days_to_engage: float | None
    ids: list[str]


@dataclass(frozen=True)
class Demand:
    """How many SOWs signed in a month engaged a freelancer with a skill."""

    month: str
    skill: str
    sows: int
    ids: list[str]


@dataclass(frozen=True)
class Counted:
    """A figure and the ids it counts."""

    value: float | int | None
    ids: list[str]


@dataclass(frozen=True)
class ExpiringNda:
    id: str
    template: str
    freelancer: str | None
    expires_on: date


@dataclass(frozen=True)
class Insight:
    """Everything ``Insights.of`` finds for a period."""

    start: date | None
    end: date | None
    group_by: str
    totals: list[Figures]
    groups: list[Figures]
    median_days_to_engage: Counted
    active_freelancers: Counted
    sows_per_month: list[Month]
    demand: list[Demand]
    ndas_expiring: list[ExpiringNda]


class Insights:
    """A tenant's programme figures, read with a few aggregate queries."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"

    def of(self, tenant: str, start: date | None, end: date | None, group_by: GroupBy = "category") -> Insight:
        """Return the tenant's figures for SOWs signed from ``start`` to ``end`` (both included; None: open),
        broken down ``group_by``; NDAs expiring are those in force ending in the next 90 days."""
        committed = self.committed(tenant, start, end)
        with self._engine.connect() as connection:
            if not self._sqlite:  # JIT compiling costs more than these scans take (it misjudges json_array_elements)
                connection.exec_driver_sql("SET LOCAL jit = off")
            totals = [self._figures(None, *row) for row in connection.execute(self._grouped(committed, None))]
            groups = [self._figures(*row) for row in connection.execute(self._grouped(committed, group_by))]
            days, ids = connection.execute(
                select(self._list(DocumentRecord.days_to_engage), self._list(DocumentRecord.id)).where(
                    committed, DocumentRecord.days_to_engage.is_not(None)
                )
            ).one()
            active = connection.execute(
                select(
                    func.count(
                        func.distinct(func.coalesce(DocumentRecord.freelancer_email, DocumentRecord.freelancer_name))
                    ),
                    self._list(DocumentRecord.id),
                ).where(committed, DocumentRecord.status == "active")
            ).one()
            months = [self._month(*row) for row in connection.execute(self._per_month(committed))]
            demand = [
                Demand(month, skill, count, self._ids(ids))
                for month, skill, count, ids in connection.execute(self._demand(committed))
            ]
            expiring = [ExpiringNda(self._id(row.id), *row[1:]) for row in connection.execute(self._expiring(tenant))]
        values = self._values(days)
        return Insight(
            start,
            end,
            group_by,
            totals,
            groups,
            Counted(statistics.median(values) if values else None, self._ids(ids)),
            Counted(active[0], self._ids(active[1])),
            months,
            demand,
            expiring,
        )

    def sows(self, tenant: str, start: date | None, end: date | None, limit: int) -> list[Any]:
        """Return up to ``limit`` committed SOWs signed in the period (their facts), oldest signature first."""
        columns = [getattr(DocumentRecord, name) for name in SOW_COLUMNS]
        query = (
            select(*columns)
            .where(self.committed(tenant, start, end))
            .order_by(DocumentRecord.signed_on, DocumentRecord.id)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return list(connection.execute(query))

    def ndas(self, tenant: str) -> list[Any]:
        """Return the tenant's NDAs in force today (their facts), the soonest to expire first."""
        today = datetime.now(UTC).date()
        columns = [getattr(DocumentRecord, name) for name in NDA_COLUMNS]
        query = (
            select(*columns)
            .where(
                DocumentRecord.tenant == tenant,
                DocumentRecord.kind.in_(NDA_KINDS),
                DocumentRecord.status.in_(IN_FORCE),
                or_(DocumentRecord.expires_on.is_(None), DocumentRecord.expires_on >= today),
            )
            .order_by(DocumentRecord.expires_on.nulls_last(), DocumentRecord.id)
        )
        with self._engine.connect() as connection:
            return list(connection.execute(query))

    def committed(self, tenant: str, start: date | None, end: date | None) -> ColumnElement[bool]:
        """The condition that selects the tenant's committed SOWs signed in the period."""
        conditions = [
            DocumentRecord.tenant == tenant,
            DocumentRecord.kind == "sow",
            DocumentRecord.status.in_(COMMITTED),
            DocumentRecord.signed_on.is_not(None),
        ]
        if start is not None:
            conditions.append(DocumentRecord.signed_on >= start)
        if end is not None:
            conditions.append(DocumentRecord.signed_on <= end)
        return and_(*conditions)

    def _grouped(self, committed: ColumnElement[bool], group_by: str | None):
        """Spend, count, duration and days to engage of committed SOWs per group (if any) and currency."""
        figures = (
            func.sum(DocumentRecord.value),
            func.count(),
            func.sum(DocumentRecord.duration_days),
            func.count(DocumentRecord.duration_days),
            self._list(DocumentRecord.days_to_engage),
            self._list(DocumentRecord.id),
        )
        if group_by is None:
            return (
                select(DocumentRecord.currency, *figures)
                .where(committed)
                .group_by(DocumentRecord.currency)
                .order_by(DocumentRecord.currency)
            )
        key = self._skill() if group_by == "skill" else _GROUPS[group_by]
        query = select(key, DocumentRecord.currency, *figures)
        if group_by == "skill":
            query = query.select_from(DocumentRecord).join(key.table, true())
        return (
            query.where(committed)
            .group_by(key, DocumentRecord.currency)
            .order_by(key.nulls_last(), DocumentRecord.currency)
        )

    def _per_month(self, committed: ColumnElement[bool]):
        month = self._month_of(DocumentRecord.signed_on)
        return (
            select(
                month,
                func.count(),
                func.sum(DocumentRecord.days_to_engage),
                func.count(DocumentRecord.days_to_engage),
                self._list(DocumentRecord.id),
            )
            .where(committed)
            .group_by(month)
            .order_by(month)
        )

    def _demand(self, committed: ColumnElement[bool]):
        month, skill = self._month_of(DocumentRecord.signed_on), self._skill()
        return (
            select(month, skill, func.count(), self._list(DocumentRecord.id))
            .select_from(DocumentRecord)
            .join(skill.table, true())
            .where(committed)
            .group_by(month, skill)
            .order_by(month, skill)
        )

    def _expiring(self, tenant: str):
        today = datetime.now(UTC).date()
        return (
            select(
                DocumentRecord.id, DocumentRecord.template, DocumentRecord.freelancer_name, DocumentRecord.expires_on
            )
            .where(
                DocumentRecord.tenant == tenant,
                DocumentRecord.kind.in_(NDA_KINDS),
                DocumentRecord.status.in_(IN_FORCE),
                DocumentRecord.expires_on.between(today, today + EXPIRY_WINDOW),
            )
            .order_by(DocumentRecord.expires_on, DocumentRecord.id)
        )

    def _figures(
        self,
        group: str | None,
        currency: str,
        spend: Any,
        count: int,
        duration: Any,
        durations: int,
        days: Any,
        ids: Any,
    ) -> Figures:
        spend = Decimal(str(spend or 0))
        values = self._values(days)
        return Figures(
            group,
            currency,
            _money(spend),
            count,
            _money(spend / count),
            _average(duration, durations),
            statistics.median(values) if values else None,
            self._ids(ids),
        )

    def _month(self, month: str, count: int, days: Any, engaged: int, ids: Any) -> Month:
        return Month(month, count, _average(days, engaged), self._ids(ids))

    # What the two databases spell differently: lists aggregated as JSON, months, a JSON list's items.

    def _list(self, column: Any) -> Any:
        """A group's values as one JSON list (in order on PostgreSQL, which then gives the ids as the API does)."""
        return func.json_group_array(column) if self._sqlite else func.json_agg(aggregate_order_by(column, column))

    def _values(self, aggregated: Any) -> list[int]:
        return [value for value in _json(aggregated) if value is not None]

    def _ids(self, aggregated: Any) -> list[str]:
        if not self._sqlite:  # canonical text already, in order
            return _json(aggregated)
        return sorted(self._id(value) for value in _json(aggregated))  # SQLite keeps a UUID as 32 hex digits

    def _id(self, value: Any) -> str:
        return str(uuid.UUID(str(value)))

    def _month_of(self, column: Any) -> Any:
        return func.strftime("%Y-%m", column) if self._sqlite else func.to_char(column, "YYYY-MM")

    def _skill(self) -> Any:
        """Each skill of a record's freelancer, as a table joined to the record."""
        if self._sqlite:
            return func.json_each(DocumentRecord.skills).table_valued("value").alias("skill").c.value
        return (
            func.json_array_elements_text(DocumentRecord.skills).table_valued("value").render_derived("skill").c.value
        )


def _json(aggregated: Any) -> list[Any]:
    """A list aggregated by the database: parsed already (PostgreSQL) or JSON text (SQLite)."""
    if aggregated is None:
        return []
    return json.loads(aggregated) if isinstance(aggregated, str) else list(aggregated)


def _average(total: Any, count: int) -> float | None:
    """``total`` / ``count`` to two decimals, half away from zero as a spreadsheet's ROUND (None for nothing)."""
    if not count:
        return None
    return float((Decimal(str(total)) / count).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _money(amount: Decimal) -> Decimal:
    """To the cent, half away from zero, as a spreadsheet's ROUND."""
    return amount.quantize(Decimal("0.01"), ROUND_HALF_UP)

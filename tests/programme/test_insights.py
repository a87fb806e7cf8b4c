"""GET /api/insights over a seeded programme: every figure equals what the test adds up on its own from
what it did, with the ids it counts; another tenant's documents, drafts and cancelled SOWs never count."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.programme.conftest import TODAY, Seeded

COMMITTED = ("signed", "active", "completed")


def _committed(programme: list[Seeded], start: date | None = None, end: date | None = None) -> list[Seeded]:
    return [
        s
        for s in programme
        if s.tenant == "local"
        and s.kind == "sow"
        and s.status in COMMITTED
        and (start is None or s.signed >= start)
        and (end is None or s.signed <= end)
    ]


def _rounded(total: int, count: int) -> float:
    """An average to two decimals, half away from zero, as a spreadsheet's ROUND (Python's round() is not)."""
    return float((Decimal(total) / count).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _days(programme: list[Seeded], sow: Seeded) -> int:
    first = min(s.made for s in programme if s.tenant == sow.tenant and s.kind == "sow" and s.number == sow.number)
    return (sow.signed - first).days


def _figures(programme: list[Seeded], sows: list[Seeded], key) -> list[dict]:
    grouped = defaultdict(list)
    for sow in sows:
        for group in key(sow):
            grouped[(group, sow.currency)].append(sow)
    found = []
    for (group, currency), members in grouped.items():
        spend = sum((m.value for m in members), Decimal(0))
        found.append(
            {
                "group": group,
                "currency": currency,
                "committed_spend": str(spend.quantize(Decimal("0.01"))),
                "sows": len(members),
                "average_value": str((spend / len(members)).quantize(Decimal("0.01"))),
                "average_duration_days": _rounded(sum(m.duration for m in members), len(members)),
                "median_days_to_engage": statistics.median(_days(programme, m) for m in members),
                "ids": sorted(m.id for m in members),
            }
        )
    return sorted(found, key=lambda f: (f["group"] is None, f["group"] or "", f["currency"]))


GROUP_KEYS = {
    "category": lambda s: [s.category],
    "team": lambda s: [s.team],
    "cost_center": lambda s: [s.cost_center],
    "country": lambda s: [s.country],
    "skill": lambda s: s.skills,
}


@pytest.mark.parametrize("group_by", list(GROUP_KEYS))
@pytest.mark.parametrize("period", ["all time", "last 200 days"])
def test_every_figure_is_what_the_programme_adds_up_to(client, programme, group_by, period):
    start, end = (None, None) if period == "all time" else (TODAY - timedelta(days=200), TODAY)
    query = f"?group_by={group_by}" + (f"&from={start}&to={end}" if start else "")
    answer = client.get(f"/api/insights{query}")
    assert answer.status_code == 200, answer.json
    got = answer.json
    sows = _committed(programme, start, end)
    assert len(sows) > 20, "the seed commits enough SOWs to mean something"
    assert got["totals"] == _figures(programme, sows, lambda s: [None])
    assert got["groups"] == _figures(programme, sows, GROUP_KEYS[group_by])
    assert got["median_days_to_engage"] == {
        "value": statistics.median(_days(programme, s) for s in sows),
        "ids": sorted(s.id for s in sows),
    }
    active = [s for s in sows if s.status == "active"]
    assert got["active_freelancers"] == {"value": len({s.email for s in active}), "ids": sorted(s.id for s in active)}
    months = defaultdict(list)
    for sow in sows:
        months[sow.signed.strftime("%Y-%m")].append(sow)
    assert got["sows_per_month"] == [
        {
            "month": month,
            "sows": len(members),
            "average_days_to_engage": _rounded(sum(_days(programme, m) for m in members), len(members)),
            "ids": sorted(m.id for m in members),
        }
        for month, members in sorted(months.items())
    ]
    demand = defaultdict(list)
    for sow in sows:
        for skill in sow.skills:
            demand[(sow.signed.strftime("%Y-%m"), skill)].append(sow.id)
    assert got["demand"] == [
        {"month": month, "skill": skill, "sows": len(ids), "ids": sorted(ids)}
        for (month, skill), ids in sorted(demand.items())
    ]


def test_ndas_about_to_expire_are_those_in_force_ending_in_90_days(client, programme):
    expected = sorted(
        (s.expires.isoformat(), s.id)
        for s in programme
        if s.tenant == "local"
        and s.kind.startswith("nda")
        and s.status in ("signed", "active")
        and s.expires is not None
        and TODAY <= s.expires <= TODAY + timedelta(days=90)
    )
    got = client.get("/api/insights").json["ndas_expiring"]
    assert [(nda["expires_on"], nda["id"]) for nda in got] == expected


def test_another_tenants_documents_never_count(client, programme):
    everything = client.get("/api/insights?group_by=country").json
    others = {s.id for s in programme if s.tenant != "local"}
    counted = {i for f in everything["totals"] + everything["groups"] for i in f["ids"]}
    counted |= set(everything["median_days_to_engage"]["ids"]) | {n["id"] for n in everything["ndas_expiring"]}
    assert counted and not counted & others


def test_drafts_sent_and_cancelled_sows_never_count(client, programme):
    counted = set(client.get("/api/insights").json["median_days_to_engage"]["ids"])
    uncommitted = {s.id for s in programme if s.kind == "sow" and s.status in ("draft", "sent", "cancelled")}
    assert uncommitted and not counted & uncommitted


def test_a_period_with_nothing_signed_answers_empty_figures(client, programme):
    got = client.get("/api/insights?from=1990-01-01&to=1990-12-31").json
    assert (got["totals"], got["groups"], got["sows_per_month"], got["demand"]) == ([], [], [], [])
    assert got["median_days_to_engage"] == {"value": None, "ids": []}
    assert got["active_freelancers"] == {"value": 0, "ids": []}


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2027-02-01&to=2027-01-01", "to"),  # a period that ends before it starts
        ("group_by=colour", "group_by"),  # not a breakdown
        ("from=yesterday", "from"),  # not a date
        ("limit=5", "limit"),  # not a parameter
    ],
)
def test_a_query_that_is_not_one_is_refused_naming_the_field(client, query, field):
    answer = client.get(f"/api/insights?{query}")
    assert answer.status_code == 400
    assert [problem["field"] for problem in answer.json["errors"]] == [field]

"""GET /api/insights over a seeded programme of a few hundred real documents: every figure, and every list of
ids, is what the test adds up on its own from what it seeded; the period, the breakdown, another tenant,
drafts and cancelled SOWs, and the NDAs about to expire."""

from __future__ import annotations

import copy
import io
import re
import statistics
import zipfile
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

import pytest

from freelance.web.services import services
from tests.helpers import SOW
from tests.programme.conftest import OTHER_TENANT, TENANT, Programme, Seeded

COMMITTED = ("signed", "active", "completed")
IN_FORCE = ("signed", "active")
CENT = Decimal("0.01")
GROUP_BYS = ("category", "team", "cost_center", "skill", "country")


# -- what the programme adds up to, in plain Python ---------------------------------------------------


def committed(programme: Programme, start: date | None = None, end: date | None = None) -> list[Seeded]:
    """Our SOWs signed, active or completed, signed from ``start`` to ``end`` (both included)."""
    return [
        sow
        for sow in programme.of(TENANT, "sow")
        if sow.status in COMMITTED
        and (start is None or sow.signed_on >= start)
        and (end is None or sow.signed_on <= end)
    ]


def _figures(sows: list[Seeded]) -> dict[str, Any]:
    spend = sum((sow.value for sow in sows), Decimal(0))
    return {
        "committed_spend": spend.quantize(CENT),
        "sows": len(sows),
        "average_value": (spend / len(sows)).quantize(CENT, ROUND_HALF_UP),  # as the workbook's ROUND
        "average_duration_days": _average([sow.duration_days for sow in sows]),
        "median_days_to_engage": statistics.median(sow.days_to_engage for sow in sows),
        "ids": sorted(sow.id for sow in sows),
    }


def _average(days: list[int]) -> float:
    """An average of days to two decimals, rounded half up as a spreadsheet's ROUND does."""
    return float((Decimal(sum(days)) / len(days)).quantize(CENT, ROUND_HALF_UP))


def _groups_of(sow: Seeded, group_by: str) -> set[str | None]:
    return set(sow.skills) if group_by == "skill" else {sow.group(group_by)}


def _month(day: date) -> str:
    return day.strftime("%Y-%m")


def expected(programme: Programme, start: date | None, end: date | None, group_by: str) -> dict[str, Any]:
    """Every figure of the API's answer, keyed so that no order the API does not promise is compared."""
    sows = committed(programme, start, end)
    by_currency, by_group = defaultdict(list), defaultdict(list)
    by_month, by_demand = defaultdict(list), defaultdict(list)
    for sow in sows:
        by_currency[sow.currency].append(sow)
        for group in _groups_of(sow, group_by):
            by_group[(group, sow.currency)].append(sow)
        by_month[_month(sow.signed_on)].append(sow)
        for skill in set(sow.skills):
            by_demand[(_month(sow.signed_on), skill)].append(sow)
    active = [sow for sow in sows if sow.status == "active"]
    today = programme.today
    return {
        "totals": {currency: _figures(members) for currency, members in by_currency.items()},
        "groups": {key: _figures(members) for key, members in by_group.items()},
        "median_days_to_engage": {
            "value": statistics.median(sow.days_to_engage for sow in sows) if sows else None,
            "ids": sorted(sow.id for sow in sows),
        },
        "active_freelancers": {"value": len({sow.email for sow in active}), "ids": sorted(sow.id for sow in active)},
        "sows_per_month": {
            month: {
                "sows": len(members),
                "average_days_to_engage": _average([sow.days_to_engage for sow in members]),
                "ids": sorted(sow.id for sow in members),
            }
            for month, members in by_month.items()
        },
        "demand": {
            key: {"sows": len(members), "ids": sorted(s.id for s in members)} for key, members in by_demand.items()
        },
        "ndas_expiring": sorted(
            (nda.expires_on.isoformat(), nda.id, nda.template, nda.name)
            for nda in programme.of(TENANT)
            if nda.kind.startswith("nda")
            and nda.status in IN_FORCE
            and nda.expires_on is not None
            and today <= nda.expires_on <= today + timedelta(days=90)
        ),
    }


def _api_figures(figures: dict[str, Any]) -> dict[str, Any]:
    return {
        "committed_spend": Decimal(figures["committed_spend"]),
        "sows": figures["sows"],
        "average_value": Decimal(figures["average_value"]),
        "average_duration_days": figures["average_duration_days"],
        "median_days_to_engage": figures["median_days_to_engage"],
        "ids": sorted(figures["ids"]),
    }


def answered(body: dict[str, Any]) -> dict[str, Any]:
    """The API's answer in the shape of ``expected``."""
    return {
        "totals": {f["currency"]: _api_figures(f) for f in body["totals"]},
        "groups": {(f["group"], f["currency"]): _api_figures(f) for f in body["groups"]},
        "median_days_to_engage": {
            "value": body["median_days_to_engage"]["value"],
            "ids": sorted(body["median_days_to_engage"]["ids"]),
        },
        "active_freelancers": {
            "value": body["active_freelancers"]["value"],
            "ids": sorted(body["active_freelancers"]["ids"]),
        },
        "sows_per_month": {
            m["month"]: {
                "sows": m["sows"],
                "average_days_to_engage": m["average_days_to_engage"],
                "ids": sorted(m["ids"]),
            }
            for m in body["sows_per_month"]
        },
        "demand": {(d["month"], d["skill"]): {"sows": d["sows"], "ids": sorted(d["ids"])} for d in body["demand"]},
        "ndas_expiring": sorted(
            (n["expires_on"], n["id"], n["template"], n["freelancer"]) for n in body["ndas_expiring"]
        ),
    }


def insights(programme: Programme, query: str = "") -> dict[str, Any]:
    answer = programme.app.test_client().get(f"/api/insights{query}")
    assert answer.status_code == 200, answer.json
    return answer.json


def _assert_figures(programme: Programme, start: date | None, end: date | None, group_by: str) -> dict[str, Any]:
    query = f"?group_by={group_by}" + (f"&from={start}" if start else "") + (f"&to={end}" if end else "")
    body = insights(programme, query)
    want, got = expected(programme, start, end, group_by), answered(body)
    for part in want:
        assert got[part] == want[part], f"{part} of {query}"
    assert (body["from"], body["to"], body["group_by"]) == (
        start and start.isoformat(),
        end and end.isoformat(),
        group_by,
    )
    return body


# -- the figures ------------------------------------------------------------------------------------


def test_the_seeded_programme_is_large_and_varied_enough_to_mean_something(programme):
    sows = committed(programme)
    assert len(programme.documents) >= 300 and len(sows) >= 120
    assert {sow.currency for sow in sows} == {"USD", "EUR", "GBP"}
    assert {sow.data["fee"]["model"] for sow in sows} == {"fixed", "hourly", "daily"}
    assert len({_month(sow.signed_on) for sow in sows}) >= 12
    assert any(sow.first_draft != sow.created for sow in sows)  # engagements redrafted before signature
    assert {sow.status for sow in programme.of(TENANT, "sow")} == {*COMMITTED, "draft", "sent", "cancelled", "expired"}


@pytest.mark.parametrize("group_by", GROUP_BYS)
def test_every_figure_over_all_time_is_what_the_seeded_programme_adds_up_to(programme, group_by):
    body = _assert_figures(programme, None, None, group_by)
    assert len(body["groups"]) >= 4


def test_months_are_listed_in_order_and_ndas_soonest_to_expire_first(programme):
    body = insights(programme)
    months = [m["month"] for m in body["sows_per_month"]]
    assert months == sorted(months)
    assert [(d["month"]) for d in body["demand"]] == sorted(d["month"] for d in body["demand"])
    expiring = [n["expires_on"] for n in body["ndas_expiring"]]
    assert expiring == sorted(expiring)


def _signed_days(programme: Programme) -> list[date]:
    return sorted({sow.signed_on for sow in committed(programme)})


def _between_signatures(days: list[date]) -> tuple[date, date]:
    """The days between two signature days at least two days apart."""
    before, after = next((a, b) for a, b in pairwise(days) if (b - a).days >= 2)
    return before + timedelta(days=1), after - timedelta(days=1)


@pytest.mark.parametrize(
    "period",
    [
        "from the 40th signature day",  # open at the end
        "to the 40th signature day",  # open at the start
        "from the 20th to the 60th signature day",  # both ends on days SOWs were signed: both included
        "the 30th signature day alone",  # from = to
        "the last 90 days",
        "the day after one signature day to the day before the next",  # ends next to signatures: excluded
    ],
)
@pytest.mark.parametrize("group_by", ["category", "skill"])
def test_a_period_counts_the_sows_signed_in_it_both_ends_included(programme, period, group_by):
    days, today = _signed_days(programme), programme.today
    start, end = {
        "from the 40th signature day": (days[40], None),
        "to the 40th signature day": (None, days[40]),
        "from the 20th to the 60th signature day": (days[20], days[60]),
        "the 30th signature day alone": (days[30], days[30]),
        "the last 90 days": (today - timedelta(days=90), today),
        "the day after one signature day to the day before the next": _between_signatures(days),
    }[period]
    body = _assert_figures(programme, start, end, group_by)
    if "signature day" in period and not period.startswith("the day after"):
        boundary = start or end
        signed_then = {sow.id for sow in committed(programme) if sow.signed_on == boundary}
        assert signed_then <= set(body["median_days_to_engage"]["ids"])


@pytest.mark.parametrize("group_by", GROUP_BYS)
def test_a_period_with_nothing_signed_has_no_figures_but_the_ndas_about_to_expire(programme, group_by):
    body = insights(programme, f"?group_by={group_by}&from=2001-01-01&to=2001-12-31")
    assert (body["totals"], body["groups"], body["sows_per_month"], body["demand"]) == ([], [], [], [])
    assert body["median_days_to_engage"] == {"value": None, "ids": []}
    assert body["active_freelancers"] == {"value": 0, "ids": []}
    assert answered(body)["ndas_expiring"] == expected(programme, None, None, group_by)["ndas_expiring"] != []


def _every_id(body: dict[str, Any]) -> set[str]:
    ids = {i for part in ("totals", "groups", "sows_per_month", "demand") for each in body[part] for i in each["ids"]}
    ids |= set(body["median_days_to_engage"]["ids"]) | set(body["active_freelancers"]["ids"])
    return ids | {nda["id"] for nda in body["ndas_expiring"]}


@pytest.mark.parametrize("group_by", GROUP_BYS)
def test_another_tenants_documents_never_count(programme, group_by):
    theirs = {document.id for document in programme.of(OTHER_TENANT)}
    counted = _every_id(insights(programme, f"?group_by={group_by}"))
    assert counted and not counted & theirs
    assert counted <= {document.id for document in programme.of(TENANT)}


def test_their_earlier_drafts_of_the_same_sow_numbers_do_not_lengthen_our_time_to_engage(programme):
    ours = {sow.data["sow_number"] for sow in committed(programme)}
    theirs = [sow for sow in programme.of(OTHER_TENANT, "sow") if sow.data["sow_number"] in ours]
    assert theirs and all(t.created < min(s.created for s in programme.of(TENANT, "sow")) for t in theirs)
    body = insights(programme)
    assert body["median_days_to_engage"]["value"] == statistics.median(s.days_to_engage for s in committed(programme))
    assert max(m["average_days_to_engage"] for m in body["sows_per_month"]) < 80  # theirs were 440+ days before


def test_drafts_sent_cancelled_and_expired_sows_never_count(programme):
    uncommitted = {sow.id: sow.status for sow in programme.of(TENANT, "sow") if sow.status not in COMMITTED}
    signed_then_dropped = [i for i, s in uncommitted.items() if programme.by_id[i].signed_on is not None]
    assert set(uncommitted.values()) == {"draft", "sent", "cancelled", "expired"} and signed_then_dropped
    for group_by in GROUP_BYS:
        assert not _every_id(insights(programme, f"?group_by={group_by}")) & set(uncommitted)


def test_budget_trackers_and_ndas_never_count_as_sows(programme):
    others = {d.id for d in programme.of(TENANT) if d.kind != "sow"}
    body = insights(programme)
    assert not (_every_id(body) - {n["id"] for n in body["ndas_expiring"]}) & others


def test_ndas_about_to_expire_are_those_in_force_whose_last_day_is_within_90_days(programme):
    today = programme.today
    listed = {n["id"]: n for n in insights(programme)["ndas_expiring"]}
    ours = [d for d in programme.of(TENANT) if d.kind.startswith("nda")]
    for nda in ours:
        days_left = (nda.expires_on - today).days if nda.expires_on else None
        should = nda.status in IN_FORCE and days_left is not None and 0 <= days_left <= 90
        assert (nda.id in listed) == should, f"{nda.status} NDA ending in {days_left} days"
        if should:
            assert listed[nda.id] == {
                "id": nda.id,
                "template": nda.template,
                "freelancer": nda.name,
                "expires_on": nda.expires_on.isoformat(),
            }
    # The window's edges: its last day today and in 90 days are listed, yesterday and in 91 days are not.
    in_force = {(nda.expires_on - today).days for nda in ours if nda.status in IN_FORCE and nda.expires_on}
    assert {-1, 0, 90, 91} <= in_force
    assert {(date.fromisoformat(n["expires_on"]) - today).days for n in listed.values()} == {0, 1, 30, 89, 90}


# -- the query --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2027-02-01&to=2027-01-31", "to"),  # a period that ends before it starts
        ("group_by=freelancer", "group_by"),  # not a breakdown
        ("group_by=", "group_by"),  # an empty breakdown
        ("from=2026-02-30", "from"),  # no such day
        ("to=yesterday", "to"),  # not a date
        ("from=01/02/2026", "from"),  # not ISO 8601
        ("colour=red", "colour"),  # not a parameter
    ],
)
@pytest.mark.parametrize("path", ["/api/insights", "/api/insights/workbook", "/api/insights/insertion"])
def test_a_query_that_is_not_valid_is_refused_naming_its_field(programme, path, query, field):
    answer = programme.app.test_client().get(f"{path}?{query}")
    assert answer.status_code == 400, answer.json
    assert [problem["field"] for problem in answer.json["errors"]] == [field]


# -- SOWs made to show a fault (on the function-scoped app, not the seeded programme) ----------------


def _signed_sow(app, client, data: dict[str, Any]) -> str:
    record = services(app).generator.generate(TENANT, "sow", data).record
    for status in ("sent", "signed"):
        answer = client.patch(f"/api/documents/{record.id}", json={"status": status})
        assert answer.status_code == 200, answer.json
    return str(record.id)


def test_a_skill_listed_twice_counts_its_sow_once(app, client, sow_data):
    sow_data["freelancer"]["skills"] = ["python", "ux", "python"]
    sow = _signed_sow(app, client, sow_data)
    body = client.get("/api/insights?group_by=skill").json
    python = next(g for g in body["groups"] if g["group"] == "python")
    assert (python["sows"], python["ids"], python["committed_spend"]) == (1, [sow], "12250.50")
    assert [(d["skill"], d["sows"], d["ids"]) for d in body["demand"]] == [("python", 1, [sow]), ("ux", 1, [sow])]


def test_an_hourly_sows_value_is_the_estimated_total_its_contract_states(app, client):
    data = copy.deepcopy(SOW) | {"milestones": []}
    data["fee"] = {"model": "hourly", "currency": "USD", "rate": "12.33", "estimated_units": "1.5"}
    ids = [_signed_sow(app, client, data | {"sow_number": f"SOW-H-{n}"}) for n in range(2)]
    contract = services(app).store.content(TENANT, ids[0])[1]
    assert b"18.50" in _document_text(contract)  # 12.33 x 1.5 = 18.495: the contract says $18.50
    totals = client.get("/api/insights").json["totals"]
    assert [(t["currency"], t["committed_spend"], t["average_value"]) for t in totals] == [("USD", "37.00", "18.50")]


def _document_text(docx: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return re.sub(rb"<[^>]+>", b"", archive.read("word/document.xml"))

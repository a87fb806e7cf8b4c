"""The programme dashboard workbook opened by a real spreadsheet: LibreOffice computes the Dashboard sheet's
formulas over the SOWs table and every figure it shows equals the API's JSON; text a user typed stays text;
the file passes openxml-audit; and the insertion plan puts its charts on the blocks they chart."""

from __future__ import annotations

import base64
import csv
import io
import re
import warnings
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
import openxml_audit
import pytest
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries

from tests.helpers import convert_in_libreoffice, needs_libreoffice
from tests.programme.conftest import TYPED_AS_FORMULAS, Programme

pytestmark = needs_libreoffice

CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
"""UTF-8, values as computed (not as shown), one CSV per sheet (<name>-<sheet>.csv)."""
NO_GROUP = "(none)"
WORKBOOKS = {
    "category": "?group_by=category",
    "skill": "?group_by=skill",
    "cost_center in a period": "?group_by=cost_center&from={from_}&to={to}",
}


def _query(programme: Programme, name: str) -> str:
    signed = sorted({d.signed_on for d in programme.documents if d.signed_on})
    return WORKBOOKS[name].format(from_=signed[len(signed) // 4], to=signed[3 * len(signed) // 4])


@pytest.fixture(scope="module")
def dashboards(programme, tmp_path_factory) -> dict[str, tuple[dict, Path, bytes]]:
    """For each of WORKBOOKS: the API's JSON, LibreOffice's CSV of the Dashboard sheet, the workbook's bytes."""
    folder = tmp_path_factory.mktemp("dashboards")
    client, made = programme.app.test_client(), {}
    for number, name in enumerate(WORKBOOKS):
        query = _query(programme, name)
        figures, workbook = client.get(f"/api/insights{query}"), client.get(f"/api/insights/workbook{query}")
        assert (figures.status_code, workbook.status_code) == (200, 200), (figures.json, workbook.json)
        (folder / f"dash{number}.xlsx").write_bytes(workbook.data)
        made[name] = (figures.json, folder / f"dash{number}-Dashboard.csv", workbook.data)
    convert_in_libreoffice(folder, sorted(folder.glob("dash*.xlsx")), CSV_ALL_SHEETS)
    return made


# -- reading LibreOffice's Dashboard ------------------------------------------------------------------


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text("utf-8").splitlines()))


def _block(rows: list[list[str]], heading: str, header: bool = True) -> tuple[list[str], list[list[str]]]:
    """The header (if it has one) and the rows under ``heading`` in column A, down to the first row with nothing
    in column A."""
    start = next(n for n, row in enumerate(rows) if row and row[0] == heading) + 1
    body = []
    for row in rows[start + header :]:
        if not row or not row[0]:
            break
        body.append(row)
    return rows[start] if header else [], body


def _month(shown: str) -> str:
    """LibreOffice writes a month's first day as MM/DD/YYYY; the API as YYYY-MM."""
    month, day, year = shown.split("/")
    assert day == "01", shown
    return f"{year}-{month}"


def _close(shown: str, expected: Any, what: str) -> None:
    if expected is None:
        assert shown == "", f"{what}: LibreOffice shows {shown!r}, the API nothing"
        return
    assert shown != "" and abs(Decimal(shown) - Decimal(str(expected))) <= Decimal("1e-6"), (
        f"{what}: LibreOffice shows {shown!r}, the API {expected}"
    )


FIGURES = ("committed_spend", "sows", "average_value", "average_duration_days", "median_days_to_engage")


def _average_value(figures: dict) -> Decimal:
    """The API's committed spend over its SOWs, rounded to the cent as the workbook's ROUND does (half up).

    The API's own average_value rounds a half cent to even: test_the_api_and_the_workbook_agree_on_every_average_value."""
    return (Decimal(figures["committed_spend"]) / figures["sows"]).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _assert_figures(row: list[str], figures: dict, what: str) -> None:
    for shown, name in zip(row, FIGURES):
        _close(shown, _average_value(figures) if name == "average_value" else figures[name], f"{what} {name}")


def _shown_average_values(rows: list[list[str]], api: dict) -> list[Decimal]:
    _, totals = _block(rows, "Totals per currency")
    label = {"category": "category", "skill": "skill", "cost_center": "cost center"}[api["group_by"]]
    _, groups = _block(rows, f"By {label}")
    return [Decimal(row[3]) for row in totals] + [Decimal(row[4]) for row in groups]


# -- every figure -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(WORKBOOKS))
def test_libreoffice_shows_the_totals_per_currency_the_api_gives(dashboards, name):
    api, dashboard, _ = dashboards[name]
    header, rows = _block(_rows(dashboard), "Totals per currency")
    assert header[:6] == [
        "Currency",
        "Committed spend",
        "SOWs",
        "Average value",
        "Average duration (days)",
        "Median days to engage",
    ]
    assert [row[0] for row in rows] == [figures["currency"] for figures in api["totals"]]
    for row, figures in zip(rows, api["totals"]):
        _assert_figures(row[1:], figures, row[0])


@pytest.mark.parametrize("name", list(WORKBOOKS))
def test_libreoffice_shows_the_key_figures_the_api_gives(dashboards, name):
    api, dashboard, _ = dashboards[name]
    _, rows = _block(_rows(dashboard), "Key figures", header=False)
    shown = {row[0]: row[1] for row in rows}
    _close(shown["Median days to engage"], api["median_days_to_engage"]["value"], "median days to engage")
    _close(shown["Active freelancers"], api["active_freelancers"]["value"], "active freelancers")
    _close(shown["NDAs expiring in the next 90 days"], len(api["ndas_expiring"]), "NDAs expiring")
    assert api["active_freelancers"]["value"] > 3 and api["ndas_expiring"]


@pytest.mark.parametrize("name", list(WORKBOOKS))
def test_libreoffice_shows_each_groups_figures_the_api_gives(dashboards, name):
    api, dashboard, _ = dashboards[name]
    label = {"category": "Category", "skill": "Skill", "cost_center in a period": "Cost center"}[name]
    header, rows = _block(_rows(dashboard), f"By {label.lower()}")
    assert header[:2] == [label, "Currency"]
    assert [(row[0], row[1]) for row in rows] == [(g["group"] or NO_GROUP, g["currency"]) for g in api["groups"]]
    assert len(rows) >= 8
    for row, figures in zip(rows, api["groups"]):
        _assert_figures(row[2:], figures, f"{row[0]} {row[1]}")


@pytest.mark.parametrize("name", list(WORKBOOKS))
def test_libreoffice_shows_the_spend_per_group_and_currency_the_api_gives(dashboards, name):
    api, dashboard, _ = dashboards[name]
    label = {"category": "category", "skill": "skill", "cost_center in a period": "cost center"}[name]
    header, rows = _block(_rows(dashboard), f"Committed spend per {label}")
    currencies = [figures["currency"] for figures in api["totals"]]
    assert header[1 : 1 + len(currencies)] == currencies
    spend = {(g["group"] or NO_GROUP, g["currency"]): g["committed_spend"] for g in api["groups"]}
    assert [row[0] for row in rows] == list(dict.fromkeys(group for group, _ in spend))
    for row in rows:
        for currency, shown in zip(currencies, row[1:]):
            _close(shown, spend.get((row[0], currency), 0), f"{row[0]} {currency}")


@pytest.mark.parametrize("name", list(WORKBOOKS))
def test_libreoffice_shows_the_sows_and_time_to_engage_per_month_the_api_gives(dashboards, name):
    api, dashboard, _ = dashboards[name]
    rows = _rows(dashboard)
    months = api["sows_per_month"]
    assert len(months) >= 6
    for heading, figure in (("SOWs per month", "sows"), ("Time to engage", "average_days_to_engage")):
        _, block = _block(rows, heading)
        assert [_month(row[0]) for row in block] == [month["month"] for month in months]
        for row, month in zip(block, months):
            _close(row[1], month[figure], f"{heading} {month['month']}")


@pytest.mark.parametrize("name", list(WORKBOOKS))
def test_libreoffice_shows_the_demand_by_skill_the_api_gives(dashboards, name):
    api, dashboard, _ = dashboards[name]
    header, rows = _block(_rows(dashboard), "Demand by skill: SOWs per month")
    months = [_month(shown) for shown in header[1:] if shown]
    assert months == sorted({d["month"] for d in api["demand"]})
    demand = {(d["skill"], d["month"]): d["sows"] for d in api["demand"]}
    assert [row[0] for row in rows] == sorted({skill for skill, _ in demand})
    for row in rows:
        for month, shown in zip(months, row[1:]):
            _close(shown, demand.get((row[0], month), 0), f"{row[0]} in {month}")


def test_the_api_and_the_workbook_agree_on_every_average_value(dashboards):
    for name, (api, dashboard, _) in dashboards.items():
        given = [Decimal(f["average_value"]) for f in api["totals"] + api["groups"]]
        assert _shown_average_values(_rows(dashboard), api) == given, name


# -- what a user typed --------------------------------------------------------------------------------


def _load(content: bytes) -> openpyxl.Workbook:
    with warnings.catch_warnings():  # openpyxl's own limits (e.g. print titles), not the file's
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(content))


def test_a_category_typed_like_a_formula_stays_text_in_the_workbook_and_in_libreoffice(dashboards):
    api, dashboard, content = dashboards["category"]
    assert set(TYPED_AS_FORMULAS) <= {g["group"] for g in api["groups"]}, "the seed has SOWs of these categories"
    workbook = _load(content)
    cells = [
        cell
        for sheet in (workbook["Dashboard"], workbook["SOWs"])
        for row in sheet.iter_rows()
        for cell in row
        if cell.value in TYPED_AS_FORMULAS
    ]
    assert {cell.value for cell in cells} == set(TYPED_AS_FORMULAS)
    assert all(cell.data_type == "s" for cell in cells), [(c.coordinate, c.data_type) for c in cells]
    _, rows = _block(_rows(dashboard), "By category")
    assert set(TYPED_AS_FORMULAS) <= {row[0] for row in rows}
    sows = _rows(dashboard.with_name(dashboard.name.replace("-Dashboard", "-SOWs")))
    category = sows[0].index("Category")
    assert set(TYPED_AS_FORMULAS) <= {row[category] for row in sows[1:]}


# -- the file -------------------------------------------------------------------------------------------


def test_openxml_audit_finds_no_error_in_the_dashboard(dashboards, tmp_path):
    for number, (name, (_, _, content)) in enumerate(dashboards.items()):
        path = tmp_path / f"dashboard{number}.xlsx"
        path.write_bytes(content)
        assert [str(error) for error in openxml_audit.OpenXmlValidator().validate(path).errors] == [], name


def _written(sheet, ref: str) -> bool:
    """Whether every cell of ``ref`` holds something."""
    low_column, low_row, high_column, high_row = range_boundaries(ref)
    return all(
        sheet.cell(row, column).value not in (None, "")
        for row in range(low_row, high_row + 1)
        for column in range(low_column, high_column + 1)
    )


def test_the_insertion_plans_three_charts_on_the_blocks_they_chart(programme):
    answer = programme.app.test_client().get("/api/insights/insertion?group_by=category")
    assert answer.status_code == 200, answer.json
    plan = answer.json
    assert plan["sheets"] == ["Dashboard", "SOWs", "NDAs"]
    sheet = _load(base64.b64decode(plan["workbook"]))["Dashboard"]
    headings = {sheet.cell(row, 1).value: row for row in range(1, sheet.max_row + 1)}
    currencies = len(
        {sheet.cell(row, 1).value for row in range(headings["Totals per currency"] + 2, headings["Key figures"] - 1)}
    )
    expected = {
        "Committed spend per category": f"A{headings['Committed spend per category'] + 1}:{get_column_letter(1 + currencies)}",
        "SOWs per month": f"A{headings['SOWs per month'] + 1}:B",
        "Time to engage": f"A{headings['Time to engage'] + 1}:B",
    }
    charts = plan["charts"]
    assert [(chart["sheet"], chart["title"]) for chart in charts] == [("Dashboard", title) for title in expected]
    for chart in charts:
        source = chart["source"]
        assert source.startswith(expected[chart["title"]]), chart
        last_row = int(re.search(r"(\d+)$", source).group(1))
        assert sheet.cell(last_row + 1, 1).value is None, f"{chart['title']} stops at the end of its block"
        assert _written(sheet, source.replace("A", "B", 1)), f"{chart['title']}: {source} holds figures throughout"
        assert column_index_from_string(chart["top_left"].rstrip("0123456789")) > 7, "charts sit right of the blocks"

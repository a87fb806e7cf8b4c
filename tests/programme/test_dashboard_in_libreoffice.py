"""The Excel dashboard, computed by a real spreadsheet nobody here wrote: LibreOffice opens the workbook
(formulas only, no cached values), recalculates it and saves each sheet as CSV; every figure it shows
equals the API's. Typed text stays text, and the workbook passes openxml-audit."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import openxml_audit
import pytest

from tests.helpers import convert_in_libreoffice, needs_libreoffice

pytestmark = needs_libreoffice
ALL_SHEETS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
HEADINGS = (
    "Totals per currency",
    "Key figures",
    "By ",
    "Committed spend per ",
    "SOWs per month",
    "Time to engage",
    "Demand by skill",
)


def _calculated(client, tmp_path: Path, query: str) -> tuple[dict, dict[str, list[list[str]]]]:
    """The API's figures and, by heading, the rows of the Dashboard sheet as LibreOffice computed them."""
    figures = client.get(f"/api/insights?{query}").json
    answer = client.get(f"/api/insights/workbook?{query}")
    assert answer.status_code == 200, answer.json
    (tmp_path / "dashboard.xlsx").write_bytes(answer.data)
    convert_in_libreoffice(tmp_path, [tmp_path / "dashboard.xlsx"], ALL_SHEETS_CSV)
    rows = list(csv.reader((tmp_path / "dashboard-Dashboard.csv").read_text("utf-8").splitlines()))
    blocks: dict[str, list[list[str]]] = {"": []}
    current = ""
    for row in rows[4:]:
        cells = [cell for cell in row if cell != ""]
        if len(cells) == 1 and row[0].startswith(HEADINGS):
            current = row[0]
            blocks[current] = []
        elif cells:
            blocks[current].append(row)
    return figures, blocks


def _close(shown: str, expected) -> None:
    if expected is None:
        assert shown == "", f"LibreOffice shows {shown!r}, the API nothing"
    else:
        assert abs(Decimal(shown) - Decimal(str(expected))) < Decimal("1e-6"), (
            f"LibreOffice {shown}, the API {expected}"
        )


def _month(shown: str) -> str:
    return datetime.strptime(shown, "%m/%d/%Y").strftime("%Y-%m")


@pytest.mark.parametrize("group_by", ["category", "skill"])
def test_the_dashboard_computes_the_figures_of_the_api(client, programme, tmp_path, group_by):
    figures, blocks = _calculated(client, tmp_path, f"group_by={group_by}")
    totals = blocks["Totals per currency"][1:]
    assert [row[0] for row in totals] == [f["currency"] for f in figures["totals"]]
    for row, expected in zip(totals, figures["totals"]):
        for shown, name in zip(
            row[1:6], ("committed_spend", "sows", "average_value", "average_duration_days", "median_days_to_engage")
        ):
            _close(shown, expected[name])
    key = dict(row[:2] for row in blocks["Key figures"])
    _close(key["Median days to engage"], figures["median_days_to_engage"]["value"])
    _close(key["Active freelancers"], figures["active_freelancers"]["value"])
    _close(key["NDAs expiring in the next 90 days"], len(figures["ndas_expiring"]))

    label = {"category": "category", "skill": "skill"}[group_by]
    groups = blocks[f"By {label}"][1:]
    assert [(row[0], row[1]) for row in groups] == [(f["group"] or "(none)", f["currency"]) for f in figures["groups"]]
    for row, expected in zip(groups, figures["groups"]):
        for shown, name in zip(
            row[2:7], ("committed_spend", "sows", "average_value", "average_duration_days", "median_days_to_engage")
        ):
            _close(shown, expected[name])

    matrix = blocks[f"Committed spend per {label}"]
    currencies = [cell for cell in matrix[0][1:] if cell]
    spend = {(f["group"] or "(none)", f["currency"]): f["committed_spend"] for f in figures["groups"]}
    for row in matrix[1:]:
        for currency, shown in zip(currencies, row[1:]):
            _close(shown, spend.get((row[0], currency), 0))

    per_month = {m["month"]: m for m in figures["sows_per_month"]}
    assert [_month(row[0]) for row in blocks["SOWs per month"][1:]] == list(per_month)
    for row in blocks["SOWs per month"][1:]:
        _close(row[1], per_month[_month(row[0])]["sows"])
    for row in blocks["Time to engage"][1:]:
        _close(row[1], per_month[_month(row[0])]["average_days_to_engage"])

    demand = blocks["Demand by skill: SOWs per month"]
    months = [_month(cell) for cell in demand[0][1:] if cell]
    counted = {(d["skill"], d["month"]): d["sows"] for d in figures["demand"]}
    assert sorted(row[0] for row in demand[1:]) == sorted({d["skill"] for d in figures["demand"]})
    for row in demand[1:]:
        for month, shown in zip(months, row[1:]):
            _close(shown, counted.get((row[0], month), 0))


def test_a_period_narrows_the_workbook_as_it_narrows_the_figures(client, programme, tmp_path):
    figures, blocks = _calculated(client, tmp_path, "from=2026-06-01&to=2026-09-30")
    sows = list(csv.reader((tmp_path / "dashboard-SOWs.csv").read_text("utf-8").splitlines()))[1:]
    assert len(sows) == sum(f["sows"] for f in figures["totals"])
    for row, expected in zip(blocks["Totals per currency"][1:], figures["totals"]):
        _close(row[1], expected["committed_spend"])


def test_text_a_user_typed_stays_text_in_the_workbook(client, app, sow_data, tmp_path):
    typed = ['=HYPERLINK("http://evil.example","x")', "=1+1", "@SUM(A1)", "+cmd"]
    for i, text in enumerate(typed):
        record = client.post(
            "/api/documents",
            json={"template": "sow", "data": sow_data | {"sow_number": f"S-{i}", "category": text, "team": text}},
        ).json
        for status in ("sent", "signed"):
            assert client.patch(f"/api/documents/{record['id']}", json={"status": status}).status_code == 200
    content = client.get("/api/insights/workbook").data
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sows = workbook["SOWs"]
    header = [cell.value for cell in sows[1]]
    for row in sows.iter_rows(min_row=2):
        for name in ("Category", "Team"):
            cell = row[header.index(name)]
            assert (cell.data_type, cell.value in typed) == ("s", True)
    by_group = [row[0] for row in workbook["Dashboard"].iter_rows() if row[0].value in typed]
    assert by_group and all(cell.data_type == "s" for cell in by_group)
    (tmp_path / "typed.xlsx").write_bytes(content)
    convert_in_libreoffice(tmp_path, [tmp_path / "typed.xlsx"], ALL_SHEETS_CSV)
    shown = (tmp_path / "typed-SOWs.csv").read_text("utf-8")
    assert all(text.replace('"', '""') in shown for text in typed)
    assert "evil.example" not in (tmp_path / "typed-Dashboard.csv").read_text("utf-8").replace(
        typed[0].replace('"', '""'), ""
    )


def test_the_workbook_passes_openxml_audit_and_its_charts_are_planned_for_excel(client, programme, tmp_path):
    (tmp_path / "dashboard.xlsx").write_bytes(client.get("/api/insights/workbook").data)
    assert [str(error) for error in openxml_audit.OpenXmlValidator().validate(tmp_path / "dashboard.xlsx").errors] == []
    plan = client.get("/api/insights/insertion").json
    assert plan["sheets"] == ["Dashboard", "SOWs", "NDAs"]
    assert [chart["title"] for chart in plan["charts"]] == [
        "Committed spend per category",
        "SOWs per month",
        "Time to engage",
    ]
    assert all(chart["sheet"] == "Dashboard" for chart in plan["charts"]) and plan["warnings"] == []


def test_an_empty_programme_makes_a_workbook_of_empty_figures(client, tmp_path):
    figures, blocks = _calculated(client, tmp_path, "")
    assert figures["totals"] == [] and blocks["Totals per currency"][1:] == []
    key = dict(row[:2] for row in blocks["Key figures"])
    assert (key["Median days to engage"], key["Active freelancers"]) == ("", "0")

"""Budget trackers over HTTP: POST /api/documents makes one, POST /api/budgets/summary reads one back."""

from __future__ import annotations

import io

import openpyxl
import pytest

from freelance.generated import MEDIA_TYPES
from freelance.web import create_app
from freelance.web.services import services
from tests.budget.workbooks import load, saved, totals, workbook_of
from tests.documents.docx_files import zip_of

XLSX = MEDIA_TYPES["xlsx"]


def _generate(client, data):
    return client.post("/api/documents", json={"template": "budget", "format": "xlsx", "data": data})


def _summary(client, content: bytes, **kwargs):
    return client.post("/api/budgets/summary", data={"file": (io.BytesIO(content), "tracker.xlsx")}, **kwargs)


@pytest.fixture
def tracker(client, budget_data) -> bytes:
    record = _generate(client, budget_data).json
    return client.get(record["download_url"]).data


def test_generating_a_tracker_answers_201_with_an_xlsx_named_after_the_project(client, catalog, budget_data):
    response = _generate(client, budget_data)
    assert response.status_code == 201, response.json
    record = response.json
    assert (record["template"], record["format"], record["filename"]) == (
        "budget",
        "xlsx",
        "Budget Website relaunch.xlsx",
    )
    assert record["template_version"] == catalog["budget"].version
    download = client.get(record["download_url"])
    assert download.mimetype == XLSX
    assert load(download.data)["Budget"].tables["BudgetLines"].ref == "A6:N10"


def test_a_tracker_generated_then_uploaded_sums_up_to_its_data(client, tracker, budget_data):
    response = _summary(client, tracker)
    assert response.status_code == 200, response.json
    summary = response.json
    expected = totals(budget_data)
    assert (
        summary["planned"],
        summary["actual"],
        summary["invoiced"],
        summary["remaining"],
        summary["percent_used"],
    ) == (
        f"{expected.planned:.2f}",
        f"{expected.actual:.2f}",
        f"{expected.invoiced:.2f}",
        f"{expected.remaining:.2f}",
        "60.8",
    )
    assert [line["freelancer"] for line in summary["over_budget"]] == ["Zoe Angstrom"]
    assert summary["warnings"] == []


def test_the_tracker_may_also_be_the_request_body(client, tracker):
    response = client.post("/api/budgets/summary", data=tracker, content_type=XLSX)
    assert response.status_code == 200, response.json
    assert response.json["lines"] == 4


@pytest.mark.parametrize(
    "send, status, message",
    [
        (
            dict(data=b"plain text", content_type="text/plain"),
            415,
            "multipart upload in the field 'file'",
        ),  # wrong type
        (dict(data={"other": (io.BytesIO(b"x"), "x.xlsx")}), 400, "no field 'file'"),  # wrong field
        (dict(data=b"", content_type=XLSX), 400, "The file is not a readable .xlsx workbook."),  # empty
        (dict(data=b"PK not a zip", content_type=XLSX), 400, "The file is not a readable .xlsx workbook."),
        (
            dict(data=zip_of({"a.csv": b"Freelancer,Rate\nZoe,90\n"}), content_type=XLSX),
            400,
            "The file is not a readable .xlsx workbook.",
        ),  # a zip, not a workbook
    ],
)
def test_what_cannot_be_a_tracker_gets_a_clear_error(client, send, status, message):
    response = client.post("/api/budgets/summary", **send)
    assert response.status_code == status, response.json
    assert message in response.json["error"]


def test_a_workbook_that_is_not_a_tracker_is_400_saying_what_is_missing(client):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Name", "Email"])
    response = _summary(client, saved(workbook))
    assert response.status_code == 400
    assert response.json["error"] == "The file is not a budget tracker."
    assert response.json["errors"][0]["field"] == "file"
    assert "no table named BudgetLines" in response.json["errors"][0]["message"]


@pytest.mark.parametrize(
    "content, error, message",
    [
        (
            workbook_of(*['<row r="50"><c r="XFD50"><v>1</v></c></row>'] * 16),
            "The file is not a budget tracker.",
            "it has no table named BudgetLines",
        ),  # 6 KB that took 118 s and 3.5 GB, and a killed worker's HTML 500 under gunicorn
        (
            workbook_of('<row r="1"><c r="ZZZZZ99999999"><v>1</v></c></row>'),
            "The file is not a readable .xlsx workbook.",
            "the workbook is damaged: sheet Sheet1 refers to 'ZZZZZ99999999', which is not a cell",
        ),  # reported as a 500; now the damage is named
    ],
)
def test_a_hostile_workbook_is_a_json_400_saying_why(client, content, error, message):
    response = _summary(client, content)
    assert response.status_code == 400, response.data[:200]
    assert response.json["error"] == error
    assert response.json["errors"][0]["field"] == "file"
    assert message in response.json["errors"][0]["message"]


def test_an_upload_over_the_size_limit_is_413(database_url, tracker):
    small = create_app({"DATABASE_URL": database_url, "MAX_UPLOAD_LENGTH": str(len(tracker) - 1)})
    response = small.test_client().post("/api/budgets/summary", data=tracker, content_type=XLSX)
    services(small).store.engine.dispose()
    assert response.status_code == 413
    assert f"larger than the {len(tracker) - 1} bytes" in response.json["error"]


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda d: d["lines"][0].update(role="R" * 121), "lines[0].role"),  # too long for a cell title
        (lambda d: d["lines"][0].update(milestone="M" * 201), "lines[0].milestone"),
        (lambda d: d["lines"][1].update(freelancer="Zoe\x07Angstrom"), "lines[1].freelancer"),  # a control character
        (lambda d: d["lines"][0].update(role="Designer\nLead"), "lines[0].role"),  # a line break in a one-line field
        (lambda d: d["project"].update(title="T" * 201), "project.title"),
        (lambda d: d["lines"][0].update(rate="95.001"), "lines[0].rate"),  # USD has 2 decimals
        (lambda d: d["lines"][0].update(status="done"), "lines[0].status"),  # not in the drop-down
        (lambda d: d.update(lines=[{"freelancer": "A", "role": "B", "planned_units": 1, "rate": 1}] * 5001), "lines"),
    ],
)
def test_data_a_cell_cannot_hold_as_given_is_400_naming_the_field(client, budget_data, change, field):
    change(budget_data)
    response = _generate(client, budget_data)
    assert response.status_code == 400, response.json
    assert field in [error["field"] for error in response.json["errors"]]
    assert client.get("/api/documents").json["total"] == 0


def test_the_summary_endpoint_is_in_the_openapi_document(client):
    document = client.get("/api/openapi.json").json
    operation = document["paths"]["/api/budgets/summary"]["post"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Summary"
    }
    assert {"planned", "remaining", "over_budget", "warnings"} <= set(
        document["components"]["schemas"]["Summary"]["properties"]
    )

"""POST/GET /api/documents: generate, store, list, read and download documents."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from sqlalchemy import text

from freelance.web.services import services
from tests.documents.docx_files import members_of
from tests.reading import text_of


def _generate(client, data, template="sow"):
    return client.post("/api/documents", json={"template": template, "data": data, "format": "docx"})


def test_generating_a_sow_answers_201_with_its_record(client, catalog, sow_data):
    response = _generate(client, sow_data)
    assert response.status_code == 201, response.json
    record = response.json
    assert set(record) == {
        "id",
        "template",
        "template_version",
        "filename",
        "format",
        "sha256",
        "size",
        "created_at",
        "created_by",
        "download_url",
        "kind",
        "client_name",
        "freelancer_name",
        "project_title",
        "sow_number",
        "predecessor_id",
        "data",
        "status",
        "status_on",
        "next_statuses",
        "history",
    }
    assert (record["template"], record["format"], record["created_by"]) == ("sow", "docx", "local")
    assert (record["kind"], record["status"], [event["status"] for event in record["history"]]) == (
        "sow",
        "draft",
        ["draft"],
    )
    assert record["template_version"] == catalog["sow"].version
    assert record["filename"] == "SOW-2027-001 Zoe Angstrom.docx"
    assert response.headers["Location"] == f"/api/documents/{record['id']}"
    assert client.get(f"/api/documents/{record['id']}").json == record


def test_the_download_is_the_document_with_its_name_type_and_hash(client, sow_data):
    record = _generate(client, sow_data).json
    response = client.get(record["download_url"])
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response.headers["Content-Disposition"] == 'attachment; filename="SOW-2027-001 Zoe Angstrom.docx"'
    assert hashlib.sha256(response.data).hexdigest() == record["sha256"]
    assert len(response.data) == record["size"]
    assert "Zoe Angstrom" in text_of(response.data)


def test_a_unicode_file_name_is_sent_with_filename_star(client, sow_data):
    sow_data["freelancer"]["name"] = "Zoë Ångström"
    record = _generate(client, sow_data).json
    disposition = client.get(record["download_url"]).headers["Content-Disposition"]
    assert "filename*=UTF-8''SOW-2027-001%20Zo%C3%AB%20%C3%85ngstr%C3%B6m.docx" in disposition


def test_characters_a_file_system_refuses_are_kept_out_of_file_names(client, sow_data):
    sow_data["sow_number"] = "SOW/2027/001"
    sow_data["freelancer"]["name"] = 'Zoe "Z" Angstrom: <Design>'
    assert _generate(client, sow_data).json["filename"] == "SOW 2027 001 Zoe Z Angstrom Design.docx"


def test_bidi_controls_are_kept_out_of_stored_and_downloaded_file_names(client, budget_data):
    budget_data["project"]["title"] = "Q3 \u202egnp.exe"  # would show as "Budget Q3 exe.png.xlsx"
    record = client.post("/api/documents", json={"template": "budget", "data": budget_data}).json
    assert record["filename"] == "Budget Q3 gnp.exe.xlsx"
    assert "%E2%80%AE" not in client.get(record["download_url"]).headers["Content-Disposition"]


def test_a_file_name_stored_with_bidi_controls_before_they_were_kept_out_is_downloaded_without_them(
    app, client, sow_data
):
    record = _generate(client, sow_data).json
    with services(app).store.engine.begin() as connection:
        connection.execute(
            text("UPDATE documents SET filename = :name WHERE filename = :was"),
            {"name": "Zoe \u202egnp.exe.docx", "was": record["filename"]},
        )
    disposition = client.get(record["download_url"]).headers["Content-Disposition"]
    assert "%E2%80%AE" not in disposition and "\u202e" not in disposition
    assert "filename*=UTF-8''Zoe%20gnp.exe.docx" in disposition or 'filename="Zoe gnp.exe.docx"' in disposition


def _with_raw_amounts(data: dict, raw: str) -> str:
    """The request body with ``raw`` written as is (a JSON number, or a quoted string) where data holds "@AMOUNT@"."""
    return json.dumps({"template": "sow", "data": data, "format": "docx"}).replace('"@AMOUNT@"', raw)


@pytest.mark.parametrize(
    "amount",
    [
        "12250.5000000000000001",  # more digits than a float holds: it would arrive as 12250.5
        "1e400",  # more than a float holds at all
    ],
)
def test_a_json_number_a_float_cannot_hold_is_refused_naming_its_field_not_rounded(client, sow_data, amount):
    sow_data["fee"]["amount"] = "@AMOUNT@"
    response = client.post("/api/documents", data=_with_raw_amounts(sow_data, amount), content_type="application/json")
    assert response.status_code == 400, response.json
    assert response.json["errors"] == [
        {
            "field": "data.fee.amount",
            "message": "has more digits than a JSON number carries exactly: send it as a string",
        }
    ]
    assert client.get("/api/documents").json["total"] == 0


@pytest.mark.parametrize(
    "amount, currency, refused",
    [
        ("12250.505", "USD", True),  # a JSON number with a third decimal: USD has two
        ('"12250.505"', "USD", True),  # the same as a string
        ("12251.5", "JPY", True),  # yen have no decimals
        ('"12251.5"', "JPY", True),
        ("12251.0", "JPY", False),  # 12251 yen, as many JSON writers put it
        ('"12250.500"', "USD", False),  # trailing zeros are not decimals the currency lacks
    ],
)
def test_a_json_number_and_a_string_agree_on_an_amount_the_currency_cannot_hold(
    client, sow_data, amount, currency, refused
):
    sow_data["fee"] |= {"currency": currency, "amount": "@AMOUNT@"}
    sow_data["milestones"] = [sow_data["milestones"][0] | {"amount": "@AMOUNT@"}]
    body = _with_raw_amounts(sow_data, amount)
    response = client.post("/api/documents", data=body, content_type="application/json")
    if refused:
        assert response.status_code == 400, response.json
        digits = 0 if currency == "JPY" else 2
        assert {"field": "fee.amount", "message": f"{currency} amounts have at most {digits} decimal places"} in (
            response.json["errors"]
        )
    else:
        assert response.status_code == 201, response.json


def test_the_same_data_gives_the_same_bytes(client, sow_data):
    first, second = _generate(client, sow_data).json, _generate(client, sow_data).json
    assert first["id"] != second["id"]
    assert first["sha256"] == second["sha256"]


def test_documents_are_listed_newest_first_one_page_at_a_time(client, sow_data, nda_data):
    made = [
        _generate(client, sow_data).json["id"],
        _generate(client, nda_data, "nda-mutual").json["id"],
        _generate(client, sow_data).json["id"],
    ]
    first = client.get("/api/documents?per_page=2").json
    assert [item["id"] for item in first["items"]] == made[::-1][:2]
    assert (first["total"], first["page"], first["per_page"]) == (3, 1, 2)
    second = client.get("/api/documents?per_page=2&page=2").json
    assert [item["id"] for item in second["items"]] == made[:1]
    only_ndas = client.get("/api/documents?template=nda-mutual").json
    assert [item["id"] for item in only_ndas["items"]] == made[1:2]


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=0", "page"),  # pages count from 1
        ("per_page=1000", "per_page"),  # pages are bounded
        ("page=abc", "page"),  # numbers only
        ("sort=name", "sort"),  # unknown parameters are named, not ignored
    ],
)
def test_bad_list_parameters_are_named(client, query, field):
    response = client.get(f"/api/documents?{query}")
    assert response.status_code == 400
    assert [error["field"] for error in response.json["errors"]] == [field]


def test_invalid_data_is_refused_with_every_problem_and_nothing_is_stored(client, sow_data):
    sow_data["milestones"][1]["amount"] = "-5"
    sow_data["freelancer"]["email"] = "nobody"
    response = _generate(client, sow_data)
    assert response.status_code == 400
    assert response.json["error"] == "The data is not valid for template sow."
    assert {error["field"] for error in response.json["errors"]} == {"milestones[1].amount", "freelancer.email"}
    assert client.get("/api/documents").json["total"] == 0


@pytest.mark.parametrize(
    "value",
    [
        "{{ 7*7 }}",  # template code
        "{% for x in range(10) %}x{% endfor %}",
        "Smith & Jones <Design>",  # XML
        "</w:t></w:r><w:r><w:t>",  # XML that tries to close the run
        "\"Quotes\" and 'apostrophes'",
        "Émoji 😀 and 中文",
    ],
)
def test_what_a_user_types_comes_out_exactly_as_typed(client, sow_data, value):
    sow_data["project"]["title"] = value
    record = _generate(client, sow_data).json
    text = text_of(client.get(record["download_url"]).data)
    assert value in text
    assert "49" not in text.replace(value, "")


@pytest.mark.parametrize(
    "body, content_type, status, error",
    [
        ('{"template": "sow", "data":', "application/json", 400, "not valid JSON"),  # malformed
        ("[" * 50_000, "application/json", 400, "recursion limit"),  # nested deeply
        (
            "x" * (1024 * 1024 + 1),
            "application/json",
            413,
            "larger than the 1048576 bytes the server accepts here",
        ),  # over the limit
        ("template=sow", "application/x-www-form-urlencoded", 415, "must be JSON"),  # not JSON
        ('{"template": "sow", "data": {}, "format": "pdf"}', "application/json", 400, "not valid"),
        ('{"template": "sow", "data": []}', "application/json", 400, "not valid"),  # wrong type
        ('{"template": "sow", "data": {"payment_terms_days": 1e999}}', "application/json", 400, "not valid"),
        (
            '{"template": "sow", "data": {"payment_terms_days": 123456789012345678901234567890}}',
            "application/json",
            400,
            "not valid",
        ),
        ("[]", "application/json", 400, "not valid"),
    ],
)
def test_bad_requests_get_a_clear_json_error_never_a_500(client, body, content_type, status, error):
    response = client.post("/api/documents", data=body, content_type=content_type)
    assert response.status_code == status, response.json
    assert error in response.json["error"]
    assert client.get("/api/documents").json["total"] == 0


def test_an_unknown_template_is_404_listing_the_known_ones(client, sow_data):
    response = _generate(client, sow_data, template="lease")
    assert response.status_code == 404
    assert "budget, nda-mutual, nda-one-way, sow" in response.json["error"]


def test_a_format_the_template_does_not_make_is_named(client, sow_data):
    response = client.post("/api/documents", json={"template": "sow", "data": sow_data, "format": "xlsx"})
    assert response.status_code == 400
    assert response.json["errors"] == [{"field": "format", "message": "template sow makes docx or pdf files"}]


@pytest.mark.parametrize(
    "path",
    [
        "/api/documents/0d1f6c2e-5b7a-4c3d-9e8f-a1b2c3d4e5f6",
        "/api/documents/not-an-id",
        "/api/documents/0d1f6c2e-5b7a-4c3d-9e8f-a1b2c3d4e5f6/file",
        "/api/nothing",
    ],
)
def test_unknown_documents_and_addresses_are_404_in_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json["error"]


def test_a_wrong_method_is_405_saying_what_is_allowed(client):
    response = client.put("/api/documents")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert json.loads(response.data)["error"] == "This address does not accept that method."


# -- a workbook to insert into an open one ---------------------------------------------------------


def test_a_tracker_comes_ready_to_insert_with_what_to_add_back(client, budget_data):
    record = client.post("/api/documents", json={"template": "budget", "data": budget_data}).json
    response = client.get(f"/api/documents/{record['id']}/insertion")
    assert response.status_code == 200, response.json
    body = response.json
    assert set(body) == {"workbook", "sheets", "names", "print_settings", "charts", "warnings"}
    assert body["sheets"] == ["Budget"]
    members = members_of(base64.b64decode(body["workbook"], validate=True))
    assert "xl/worksheets/sheet1.xml" in members and not [name for name in members if "chart" in name]
    assert {"name": "ApprovedBudget", "sheet": "Budget", "address": "A4", "scope": "workbook"} in body["names"]
    assert body["print_settings"] == [
        {"sheet": "Budget", "print_titles": "$6:$6", "print_area": "A1:M1048576,P1:AD1048576"}
    ]
    assert [(chart["type"], chart["source"], chart["top_left"]) for chart in body["charts"]] == [
        ("ColumnClustered", "P6:R19", "T6")
    ]
    assert set(body["charts"][0]) == {"sheet", "type", "title", "source", "series_by", "top_left", "bottom_right"}
    assert body["warnings"] == []


def test_a_contract_cannot_be_inserted_as_worksheets(client, sow_data):
    record = _generate(client, sow_data).json
    response = client.get(f"/api/documents/{record['id']}/insertion")
    assert response.status_code == 422
    assert response.json["errors"] == [
        {"field": "format", "message": "is docx: only an xlsx document can be inserted into a workbook"}
    ]


def test_another_tenants_tracker_is_not_found(app, client, catalog, budget_data):
    template = catalog["budget"]
    theirs = services(app).store.add_document("another-tenant", template.generate(template.validate(budget_data)))
    response = client.get(f"/api/documents/{theirs.id}/insertion")
    assert response.status_code == 404
    assert response.json["error"] == f"There is no document {str(theirs.id)!r}."

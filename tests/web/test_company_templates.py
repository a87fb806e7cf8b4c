"""Company templates over the API: publish, generate, version, retire, preview; refusals with every problem."""

from __future__ import annotations

import json
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor

import openxml_audit
import pytest

from freelance.web import create_app
from freelance.web.services import services
from tests.company import COMPANY_SOW, CUSTOM, CUSTOM_DATA, custom_template, publish
from tests.documents.docx_files import Table, make_docx
from tests.helpers import convert_in_libreoffice, needs_libreoffice
from tests.reading import open_document, text_of


def _in_libreoffice(test):
    for mark in needs_libreoffice:
        test = mark(test)
    return test


def _generate(client, data, template="acme-order"):
    return client.post("/api/documents", json={"template": template, "data": data})


def test_a_published_template_is_listed_with_the_schema_its_tags_imply(client):
    published = publish(client, CUSTOM)
    assert published.status_code == 201, published.json
    body = published.json
    assert body["id"] == "acme-order" and body["source"] == "company" and body["number"] == 1
    assert body["kind"] == "custom" and body["format"] == "docx"
    assert published.headers["Location"] == "/api/templates/acme-order"
    schema = body["schema"]
    properties = schema["properties"]
    assert properties["budget"] == {"$ref": "#/$defs/MoneyValue"}
    assert schema["$defs"]["MoneyValue"]["x-format"] == "money"
    assert properties["start"]["format"] == "date"
    task = schema["$defs"][properties["tasks"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert task["properties"]["due"]["format"] == "date" and set(task["required"]) == {"name", "due"}
    assert properties["rush"]["anyOf"] == [{"type": "boolean"}, {"type": "null"}]  # only tested: optional yes/no
    assert properties["client"] == {"$ref": "#/$defs/Client"}  # a contract field keeps its shipped type
    assert {"budget", "start", "hours", "tasks", "client", "effective_date"} <= set(schema["required"])
    assert "rush" not in schema["required"]
    listed = {item["id"]: item for item in client.get("/api/templates").json["items"]}
    assert listed["acme-order"]["source"] == "company" and listed["sow"]["source"] == "shipped"
    assert client.get("/api/templates/acme-order").json["properties"] == properties


def test_a_document_from_a_company_template_writes_its_values_and_records_the_version(client):
    version = publish(client, CUSTOM).json["version"]
    made = _generate(client, CUSTOM_DATA)
    assert made.status_code == 201, made.json
    assert made.json["template"] == "acme-order" and made.json["template_version"] == version
    content = client.get(made.json["download_url"]).data
    text = text_of(content)
    assert "Work order for Contoso Ltd, dated January 4, 2027." in text
    assert "Budget €12,000.00, starting February 1, 2027, about 1,200 hours." in text
    assert "Logo\nMarch 1, 2027\nGuide\nMarch 15, 2027" in text
    assert "Rush delivery applies." in text
    assert open_document(content).sections[0].footer.paragraphs[0].text == "Contoso Ltd"


def test_data_that_breaks_the_derived_schema_names_each_field(client):
    publish(client, CUSTOM)
    data = CUSTOM_DATA | {"budget": {"amount": "-5", "currency": "EUR"}, "tasks": [{"name": "Logo", "due": "soon"}]}
    del data["start"]
    refused = _generate(client, data | {"extra": 1})
    assert refused.status_code == 400
    fields = {problem["field"] for problem in refused.json["errors"]}
    assert {"budget.amount", "tasks[0].due", "start", "extra"} <= fields


def test_a_refused_template_lists_every_problem_where_the_author_sees_it(client):
    bad = make_docx(
        "Dear {{ client.nmae }},",
        "{{ notes|safe }}",
        Table([["{{ x.__class__ }}"]]),
        footer="{{ '{}'.format(1) }}",
    )
    refused = publish(client, bad)
    assert refused.status_code == 422
    assert refused.json["error"] == "The template cannot be published: 4 problems."
    found = {(p["location"], p["tag"], p["message"]) for p in refused.json["errors"]}
    assert found == {
        (
            "body, paragraph 1 ('Dear {{ client.nmae }},')",
            "{{ client.nmae }}",
            "unknown variable client.nmae (did you mean client.name?)",
        ),
        (
            "body, paragraph 2 ('{{ notes|safe }}')",
            "{{ notes|safe }}",
            "|safe would let a value become raw WordprocessingML: values are always escaped",
        ),
        (
            "table 1, row 1 ('{{ x.__class__ }}')",
            "{{ x.__class__ }}",
            ".__class__: attributes starting with _ are not allowed",
        ),
        (
            "footer ('{{ '{}'.format(1) }}')",
            "{{ '{}'.format(1) }}",
            ".format() is not allowed: write the text around the value",
        ),
    }
    assert client.get("/api/templates").json["items"][-1]["id"] != "acme-order"  # nothing was stored


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"template_id": "Acme Order!"}, "id"),
        ({"template_id": "ab"}, "id"),
        ({"title": None}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"schema": "{not json"}, "schema"),
        ({"schema": "[1, 2]"}, "schema"),
        ({"filename": "contract.pdf"}, "file"),
    ],
)
def test_a_bad_upload_names_the_field(client, form, field):
    refused = publish(client, CUSTOM, **form)
    assert refused.status_code == 400
    assert [problem["field"] for problem in refused.json["errors"]] == [field]


def test_a_file_that_is_not_a_word_document_is_refused(client):
    for content in (b"plain text", make_docx("x")[:500]):
        refused = publish(client, content)
        assert refused.status_code == 422
        assert refused.json["errors"][0]["field"] == "file"


def test_an_upload_over_the_limit_is_413(database_url, tmp_path):
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY_FILE": str(tmp_path / "key"), "MAX_UPLOAD_LENGTH": 100_000}
    )
    try:
        assert publish(app.test_client(), CUSTOM + b"\0" * 100_000).status_code == 413
    finally:
        services(app).store.engine.dispose()


def test_a_new_version_keeps_the_old_one_for_its_documents(client):
    first = publish(client, CUSTOM).json
    old_document = _generate(client, CUSTOM_DATA).json
    changed = custom_template("Purchase order for")
    second = publish(client, changed, title="Acme order", new_version=True)
    assert second.status_code == 200, second.json
    assert second.json["number"] == 2 and second.json["title"] == "Acme order"
    assert second.json["version"] != first["version"]
    versions = client.get("/api/templates/acme-order/versions").json
    assert [(v["number"], v["version"]) for v in versions["items"]] == [
        (2, second.json["version"]),
        (1, first["version"]),
    ]
    new_document = _generate(client, CUSTOM_DATA).json
    assert "Purchase order for" in text_of(client.get(new_document["download_url"]).data)
    regenerated = client.post(f"/api/documents/{old_document['id']}/regenerate")
    assert regenerated.status_code == 201, regenerated.json
    assert regenerated.json["template_version"] == first["version"]
    assert "Work order for" in text_of(client.get(regenerated.json["download_url"]).data)
    assert "Work order for" in text_of(client.get(old_document["download_url"]).data)


def test_a_retired_template_makes_no_new_documents_and_its_documents_stay(client):
    publish(client, CUSTOM)
    document = _generate(client, CUSTOM_DATA).json
    assert client.delete("/api/templates/acme-order").status_code == 204
    assert "acme-order" not in {item["id"] for item in client.get("/api/templates").json["items"]}
    assert _generate(client, CUSTOM_DATA).status_code == 409
    assert client.post(f"/api/documents/{document['id']}/regenerate").status_code == 409
    assert publish(client, CUSTOM, new_version=True).status_code == 409
    assert publish(client, CUSTOM).status_code == 409  # the id stays taken
    assert client.get(document["download_url"]).status_code == 200
    assert client.delete("/api/templates/acme-order").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("delete", "/api/templates/sow"), ("put", "/api/templates/nda-mutual"), ("post", "/api/templates")],
)
def test_shipped_templates_cannot_be_replaced_or_retired(client, method, path):
    if method == "delete":
        answer = client.delete(path)
    else:
        answer = publish(client, CUSTOM, "sow" if method == "post" else "nda-mutual", new_version=method == "put")
    assert answer.status_code == 409
    assert client.get("/api/templates/sow").status_code == 200


def test_an_unknown_company_template_is_404(client):
    assert client.get("/api/templates/acme-order/versions").status_code == 404
    assert publish(client, CUSTOM, new_version=True).status_code == 404
    assert client.post("/api/templates/acme-order/preview").status_code == 404


def test_a_preview_without_data_shows_sample_values_and_stores_nothing(client):
    publish(client, CUSTOM)
    preview = client.post("/api/templates/acme-order/preview")
    assert preview.status_code == 200
    assert preview.mimetype.endswith("wordprocessingml.document")
    text = text_of(preview.data)
    assert "Work order for Contoso Ltd" in text  # a contract field: the shipped sample
    assert "[tasks[0].name]" in text and "[tasks[1].name]" in text  # its own text fields name themselves
    assert client.get("/api/documents").json["total"] == 0


def test_a_preview_with_data_renders_it_and_checks_it(client):
    publish(client, CUSTOM)
    preview = client.post("/api/templates/acme-order/preview", json=CUSTOM_DATA)
    assert "Budget €12,000.00" in text_of(preview.data)
    refused = client.post("/api/templates/acme-order/preview", json=CUSTOM_DATA | {"hours": "many"})
    assert refused.status_code == 400 and refused.json["errors"][0]["field"] == "hours"
    assert client.post("/api/templates/sow/preview").status_code == 200  # shipped ones preview too


def test_a_preview_reads_numbers_as_written_like_every_json_body(client):
    publish(client, CUSTOM)
    body = json.dumps(CUSTOM_DATA | {"hours": 0}).replace('"hours": 0', '"hours": 1200.0000000000000001')
    refused = client.post("/api/templates/acme-order/preview", data=body, content_type="application/json")
    assert refused.status_code == 400
    assert [(e["field"], "send it as a string" in e["message"]) for e in refused.json["errors"]] == [("hours", True)]


def test_a_company_sow_takes_the_shipped_sows_types_and_rules(client, sow_data):
    published = publish(client, COMPANY_SOW, "acme-sow", "Acme SOW")
    assert published.status_code == 201, published.json
    assert published.json["kind"] == "sow"
    assert {"sow_number", "fee", "deliverables", "cost_centre"} <= set(published.json["schema"]["required"])
    assert "milestones" in published.json["schema"]["properties"]
    data = sow_data | {"cost_centre": "CC-42"}
    data["milestones"] = [m | {"amount": "1"} for m in data["milestones"]]
    refused = _generate(client, data, "acme-sow")
    assert refused.status_code == 400
    assert any(problem["field"].startswith("milestones") for problem in refused.json["errors"])
    made = _generate(client, sow_data | {"cost_centre": "CC-42"}, "acme-sow")
    assert made.status_code == 201, made.json
    assert "Cost centre CC-42." in text_of(client.get(made.json["download_url"]).data)


def test_a_sidecar_declares_types_descriptions_and_required_fields(client):
    sidecar = {
        "properties": {
            "hours": {"type": "integer", "description": "Estimated hours"},
            "start": {"title": "Start date"},
            "region": {"type": "string", "enum": ["EMEA", "APAC"]},
        },
        "required": ["region"],
    }
    published = publish(client, CUSTOM, schema=sidecar)
    assert published.status_code == 201, published.json
    properties = published.json["schema"]["properties"]
    assert properties["hours"]["type"] == "integer" and properties["hours"]["description"] == "Estimated hours"
    assert properties["start"]["title"] == "Start date"
    assert properties["region"]["enum"] == ["EMEA", "APAC"] and "region" in published.json["schema"]["required"]
    assert published.json["warnings"] == [
        {"field": "schema", "location": "schema (region)", "message": "is declared but no tag uses it"}
    ]
    refused = _generate(client, CUSTOM_DATA | {"hours": "12.5", "region": "EMEA"})
    assert [problem["field"] for problem in refused.json["errors"]] == ["hours"]


def test_a_template_that_loops_too_often_for_its_data_is_stopped_with_422(client):
    looping = make_docx(
        "{% for a in tasks %}{% for b in tasks %}{% for c in tasks %}{{ a.name }}{% endfor %}{% endfor %}{% endfor %}"
    )
    assert publish(client, looping, "looping").status_code == 201  # sample data has two tasks
    many = {"tasks": [{"name": f"T{i}"} for i in range(200)]}  # 8 million iterations
    stopped = _generate(client, many, "looping")
    assert stopped.status_code == 422
    # Whichever limit it meets first on a busy machine: the iterations, or the seconds.
    assert re.search("loops too many times|took longer than", stopped.json["error"])
    assert _generate(client, {"tasks": [{"name": "T"}]}, "looping").status_code == 201  # the server goes on


def test_openxml_audit_finds_no_error_the_company_template_did_not_have(client, tmp_path):
    publish(client, CUSTOM)
    (tmp_path / "template.docx").write_bytes(CUSTOM)
    (tmp_path / "order.docx").write_bytes(client.get(_generate(client, CUSTOM_DATA).json["download_url"]).data)

    def errors(name):
        return {str(error) for error in openxml_audit.OpenXmlValidator().validate(tmp_path / name).errors}

    assert errors("order.docx") <= errors("template.docx")


@_in_libreoffice
def test_libreoffice_opens_a_company_document(client, tmp_path):
    publish(client, CUSTOM)
    path = tmp_path / "order.docx"
    path.write_bytes(client.get(_generate(client, CUSTOM_DATA).json["download_url"]).data)
    convert_in_libreoffice(tmp_path, [path], "pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "order.pdf"), "-"], capture_output=True, check=True).stdout
    assert "Budget €12,000.00" in text.decode("utf-8")


def test_two_publishing_one_id_at_once_get_one_template_and_one_409(app):
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: publish(app.test_client(), CUSTOM).status_code, range(2)))
    assert sorted(answers) == [201, 409]


@pytest.mark.parametrize("locale", ["en-US", "en-GB", "de-DE", "en-CA"])  # each text and paper has its own file
def test_a_shipped_templates_document_regenerates_too(client, sow_data, locale):
    document = client.post("/api/documents", json={"template": "sow", "data": sow_data | {"locale": locale}}).json
    again = client.post(f"/api/documents/{document['id']}/regenerate")
    assert again.status_code == 201, again.json
    assert again.json["sha256"] == document["sha256"]  # same data, same version: the same bytes


@pytest.mark.parametrize("name", ["model_config", "model_dump", "problems", "context", "schema", "json", "copy"])
def test_a_variable_named_like_the_models_own_words_is_refused_where_it_is(client, name):
    refused = publish(client, make_docx(f"Hello {{{{ {name} }}}}"))
    assert refused.status_code == 422
    (problem,) = refused.json["errors"]
    assert problem["location"] == f"body, paragraph 1 ('Hello {{{{ {name} }}}}')"
    assert "name the field otherwise" in problem["message"]


@pytest.mark.parametrize(
    ("sidecar", "where"),
    [
        ({"properties": {"start": {"type": ["string", "null"]}}}, "schema (start)"),
        ({"properties": {"tasks": {"type": "array", "items": {"properties": [1]}}}}, "schema (tasks[])"),
        ({"properties": {"tasks": {"type": "array", "items": {"required": 5}}}}, "schema (tasks[])"),
        ({"required": [["start"]]}, "schema"),
        ({"properties": {"start": {"type": "string", "enum": ["a", 1]}}}, "schema (start)"),
        ({"properties": {"start": {"type": "string", "maxLength": True}}}, "schema (start)"),
        ({"properties": {"hours": {"type": "integer", "enum": ["x"]}}}, "schema (hours)"),
        ({"properties": {"start": {"title": 5}}}, "schema (start)"),
        ({"properties": {"model_config": {"type": "string"}}}, "schema (model_config)"),
    ],
)
def test_a_sidecar_the_toolkit_cannot_honour_is_refused_at_its_place(client, sidecar, where):
    refused = publish(client, CUSTOM, schema=sidecar)
    assert refused.status_code == 422, refused.json
    assert [problem["location"] for problem in refused.json["errors"]] == [where]


def test_a_short_text_limit_still_publishes_with_sample_data_that_fits(client):
    sidecar = {"properties": {"state": {"type": "string", "maxLength": 2}}}
    published = publish(client, make_docx("State {{ state }}"), schema=sidecar)
    assert published.status_code == 201, published.json
    assert published.json["schema"]["properties"]["state"]["maxLength"] == 2


def test_an_item_read_by_its_position_makes_a_list_of_objects(client):
    published = publish(client, make_docx("First task: {{ tasks[0].name }}"))
    assert published.status_code == 201, published.json
    made = _generate(client, {"tasks": [{"name": "Logo"}]})
    assert "First task: Logo" in text_of(client.get(made.json["download_url"]).data)


def test_objects_named_alike_get_their_own_definitions(client):
    published = publish(client, make_docx("{{ a_b.x }} {{ a.b_x.y }}"))
    assert published.status_code == 201, published.json
    definitions = published.json["schema"]["$defs"]
    assert len(definitions) == 3 and not any("freelance" in name for name in definitions)


def test_a_value_split_into_too_many_groups_is_stopped(client):
    published = publish(
        client, make_docx("{{ text|list|slice(parts)|length }}"), schema={"properties": {"parts": {"type": "integer"}}}
    )
    assert published.status_code == 201, published.json
    stopped = _generate(client, {"text": "ab", "parts": 30_000_000})
    assert stopped.status_code == 422 and "slice takes a whole number from 1 to 1000" in stopped.json["error"]

"""The pane's document forms and their templates' JSON Schema agree: every field a form sends is a field of
its template, every field a template requires has its place in the form, and the limits (required, length,
range) are not written by hand in the HTML, where they would drift from the schema the pane applies."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from freelance.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
PANE = lxml.html.parse(str(ROOT / "addin" / "taskpane.html")).getroot()
CATALOG = Catalog(ROOT / "templates")

# Each document form: its templates, and the <template> parts the pane clones into it.
CONTRACT_PARTS = ("tpl-freelancer", "tpl-client")
FORMS = {
    "sow-form": (("sow",), CONTRACT_PARTS),
    "nda-form": (("nda-mutual", "nda-one-way"), CONTRACT_PARTS),
    "budget-form": (("budget",), ()),
    "lines-form": (("budget",), ()),
}
# Fields the pane fills another way than by a control of their own name.
FILLED_OTHERWISE = {
    "freelancer": "the roster picker, or the typed freelancer.* details",
    "lines": "the lines drawn from the roster picker",
}
HAND_WRITTEN_LIMITS = ("required", "maxlength", "minlength", "min", "max", "pattern")


def _parts(form_id: str) -> list[Any]:
    form = PANE.get_element_by_id(form_id)
    ids = list(FORMS[form_id][1]) + [row.get("data-template") for row in form.xpath(".//*[@data-list][@data-template]")]
    return [form] + [PANE.get_element_by_id(part) for part in ids]


def _controls(form_id: str) -> list[Any]:
    """The controls that send a template's data: named, neither the pane's own (data-local) nor hidden."""
    return [
        control
        for part in _parts(form_id)
        for control in part.xpath(".//input[@name] | .//select[@name] | .//textarea[@name]")
        if control.get("data-local") is None and control.get("type") != "hidden"
    ]


def _resolve(schema: dict, node: dict) -> dict:
    while True:
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].removeprefix("#/$defs/")]
        elif "anyOf" in node:
            node = next(part for part in node["anyOf"] if part.get("type") != "null")
        else:
            return node


def _field(schema: dict, path: str) -> dict | None:
    node = _resolve(schema, schema)
    for step in re.findall(r"\[\d+\]|[^.\[\]]+", path):
        if step.startswith("["):
            node = _resolve(schema, node.get("items", {}))
        elif step in node.get("properties", {}):
            node = _resolve(schema, node["properties"][step])
        else:
            return None
    return node


@pytest.mark.parametrize("form_id", FORMS)
def test_every_field_a_form_sends_is_a_field_of_its_template(form_id):
    names = {control.get("name") for control in _controls(form_id)}
    assert names, form_id
    # A form for several templates (the NDA: mutual or one-way) sends a field of the one chosen.
    schemas = [CATALOG[template].model.model_json_schema() for template in FORMS[form_id][0]]
    unknown = sorted(name for name in names if all(_field(schema, name) is None for schema in schemas))
    assert not unknown, f"{form_id} sends fields its templates do not have: {unknown}"


@pytest.mark.parametrize("form_id", FORMS)
def test_no_limit_of_a_template_field_is_written_by_hand(form_id):
    limited = [
        f"{control.get('name')} {attribute}"
        for control in _controls(form_id)
        for attribute in HAND_WRITTEN_LIMITS
        if control.get(attribute) is not None
    ]
    assert not limited, f"{form_id}: the schema gives these limits, not the HTML: {limited}"


@pytest.mark.parametrize("form_id", ["sow-form", "nda-form", "budget-form"])
def test_every_field_a_template_requires_has_its_place_in_the_form(form_id):
    names = {control.get("name") for control in _controls(form_id)}
    roots = {re.split(r"[.\[]", name)[0] for name in names} | {
        group.get("data-list") for part in _parts(form_id) for group in part.xpath(".//*[@data-list]")
    }
    for template in FORMS[form_id][0]:
        schema = CATALOG[template].model.model_json_schema()
        missing = [name for name in schema.get("required", []) if name not in roots and name not in FILLED_OTHERWISE]
        assert not missing, f"{form_id} has no place for {template}'s required {missing}"


def test_the_schema_says_what_each_fee_model_needs_as_the_api_checks_it():
    fee = CATALOG["sow"].model.model_json_schema()["$defs"]["Fee"]
    needs = {part["if"]["properties"]["model"]["const"]: part["then"]["required"] for part in fee["allOf"]}
    assert needs == {"fixed": ["amount"], "hourly": ["rate", "estimated_units"], "daily": ["rate", "estimated_units"]}

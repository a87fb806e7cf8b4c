"""The shipped SOW and NDA templates, rendered with real data and read back with python-docx."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile

import pytest
from docx.oxml.ns import qn

from tests.helpers import ROOT
from tests.reading import content_controls, open_document, paragraph_text, text_of

_LEFTOVER_TAG = re.compile(r"\{\{|\}\}|\{%|%\}|\{#")


def _render(catalog, template_id: str, data: dict) -> bytes:
    template = catalog[template_id]
    return template.generate(template.validate(data)).content


def _table_with_header(content: bytes, first_header_cell: str, second: str):
    for table in open_document(content).tables:
        cells = table.rows[0].cells
        if cells[0].text.strip() == first_header_cell and cells[1].text.strip() == second:
            return table
    raise AssertionError(f"no table headed {first_header_cell!r}, {second!r}")


def _xml_parts(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".xml")}


def _variants(sow: dict, nda: dict) -> list[tuple[str, dict]]:
    hourly = dict(
        sow, fee={"model": "hourly", "currency": "USD", "rate": "95.50", "estimated_units": "120", "cap": "12500"}
    )
    minimal_freelancer = {key: sow["freelancer"][key] for key in ("name", "email", "address", "country")}
    daily = dict(
        sow,
        fee={"model": "daily", "currency": "EUR", "rate": "800", "estimated_units": "15"},
        milestones=[],
        out_of_scope=[],
        po_number=None,
        freelancer=minimal_freelancer,
        locale="de-DE",
    )
    return [
        ("sow", sow),
        ("sow", hourly),
        ("sow", {k: v for k, v in daily.items() if v is not None}),
        ("nda-mutual", nda),
        ("nda-mutual", {k: v for k, v in nda.items() if k != "term_years"}),
        ("nda-one-way", dict(nda, discloser="client")),
        ("nda-one-way", dict(nda, discloser="freelancer", locale="en-GB")),
    ]


@pytest.fixture(
    params=range(7),
    ids=[
        "sow-fixed",
        "sow-hourly-capped",
        "sow-daily-minimal-de",
        "nda-mutual",
        "nda-mutual-until-terminated",
        "nda-one-way-client",
        "nda-one-way-freelancer-gb",
    ],
)
def rendered(request, catalog, sow_data, nda_data) -> tuple[str, dict, bytes]:
    template_id, data = _variants(sow_data, nda_data)[request.param]
    return template_id, data, _render(catalog, template_id, data)


def test_no_template_tag_is_left_in_any_part(rendered):
    _, _, content = rendered
    for name, xml in _xml_parts(content).items():
        assert not _LEFTOVER_TAG.search(xml), f"{name}: {_LEFTOVER_TAG.search(xml).group()} left"


def test_the_parties_appear_with_their_details(rendered):
    _, data, content = rendered
    text = text_of(content)
    for value in (
        data["client"]["name"],
        data["client"]["signatory_name"],
        data["client"]["signatory_title"],
        data["client"]["email"],
        data["client"]["address"],
        data["freelancer"]["name"],
        data["freelancer"]["email"],
        data["freelancer"]["address"],
        data["governing_law"],
    ):
        assert value in text


def test_every_freelancer_field_is_a_content_control_holding_its_value(rendered):
    _, data, content = rendered
    controls = content_controls(content)
    assert {"freelancer.name", "freelancer.email", "freelancer.address"} <= set(controls)
    for tag, texts in controls.items():
        field = tag.removeprefix("freelancer.")
        assert tag.startswith("freelancer.") and set(texts) == {data["freelancer"][field]}, (tag, texts)


def test_headers_footers_and_properties_are_rendered(rendered):
    template_id, data, content = rendered
    document = open_document(content)
    section = document.sections[0]
    footer_fields = [node.text.strip() for node in section.footer._element.iter(qn("w:instrText"))]
    assert footer_fields == ["PAGE", "NUMPAGES"]
    header = "\n".join(paragraph_text(p) for p in section.header._element.iter(qn("w:p")))
    if template_id == "sow":
        title = "Leistungsbeschreibung" if data.get("locale") == "de-DE" else "Statement of work"
        assert data["sow_number"] in header
        assert document.core_properties.title == f"{title} {data['sow_number']}: {data['project']['title']}"
    assert data["freelancer"]["name"] in document.core_properties.subject


@pytest.mark.parametrize(
    "locale, date, money",
    [
        ("en-US", "January 4, 2027", "$12,250.50"),
        ("en-GB", "4 January 2027", "US$12,250.50"),
        ("de-DE", "4. Januar 2027", "12.250,50\xa0$"),  # Babel puts a no-break space before the sign
        ("de-AT", "4. Jänner 2027", "$\xa012.250,50"),  # the German text, Austrian formats
        ("en-AU", "4 January 2027", "USD12,250.50"),  # British English text, Australian formats
        ("fr-FR", "4 January 2027", "US$12,250.50"),  # no French text: British English, values to match
    ],
)
def test_dates_and_money_are_written_out_for_the_locale(catalog, sow_data, locale, date, money):
    text = text_of(_render(catalog, "sow", dict(sow_data, locale=locale)))
    assert date in text and money in text


def test_the_deliverables_table_has_a_row_per_deliverable_with_its_details(catalog, sow_data):
    table = _table_with_header(_render(catalog, "sow", sow_data), "#", "Deliverable")
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert rows == [
        [str(i), d["name"], d["description"], written, d["acceptance_criteria"]]
        for i, (d, written) in enumerate(
            zip(sow_data["deliverables"], ["February 1, 2027", "March 15, 2027", "March 31, 2027"]), 1
        )
    ]


def test_a_fixed_fee_lists_its_milestones_and_their_total(catalog, sow_data):
    table = _table_with_header(_render(catalog, "sow", sow_data), "#", "Milestone")
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert rows == [
        ["1", "Kick-off", "January 15, 2027", "$3,000.00"],
        ["2", "Logo approved", "February 5, 2027", "$4,500.00"],
        ["3", "Final delivery", "March 31, 2027", "$4,750.50"],
        ["", "Total", "", "$12,250.50"],
    ]


def test_an_hourly_fee_states_rate_estimate_and_cap(catalog, sow_data):
    sow_data["fee"] = {"model": "hourly", "currency": "USD", "rate": "95.50", "estimated_units": "120", "cap": "12500"}
    content = _render(catalog, "sow", sow_data)
    text = text_of(content)
    assert all(value in text for value in ("$95.50", "120", "$11,460.00", "$12,500.00"))
    table = _table_with_header(content, "#", "Milestone")
    # The milestones are estimates: under them the estimate and the cap, never a total of the milestones.
    assert [[cell.text for cell in row.cells] for row in table.rows[1 + len(sow_data["milestones"]) :]] == [
        ["", "Estimated fees: 120 hours × $95.50", "", "$11,460.00"],
        ["", "Fee Cap (Section 6)", "", "$12,500.00"],
    ]


def test_a_one_way_nda_names_who_discloses(catalog, nda_data):
    for discloser, disclosing, receiving in (
        ("client", "The Client (Contoso Ltd)", "The Freelancer (Angstrom Design LLC)"),
        ("freelancer", "The Freelancer (Angstrom Design LLC)", "The Client (Contoso Ltd)"),
    ):
        text = text_of(_render(catalog, "nda-one-way", dict(nda_data, discloser=discloser)))
        # The cover page's key terms: the freelancer's company is the party, represented by the freelancer.
        assert f"Disclosing Party\n{disclosing}, the only Party that discloses" in text, discloser
        assert f"Receiving Party\n{receiving}, the Party that receives" in text, discloser
        assert "Angstrom Design LLC, a company based in the United States, represented by Zoe Angstrom" in text


def test_an_nda_states_its_term_or_runs_until_terminated(catalog, nda_data):
    assert "2 years" in text_of(_render(catalog, "nda-mutual", nda_data))
    del nda_data["term_years"]
    assert "until" in text_of(_render(catalog, "nda-mutual", nda_data)).lower()


def test_the_same_data_and_template_give_the_same_bytes(catalog, sow_data):
    assert _render(catalog, "sow", sow_data) == _render(catalog, "sow", sow_data)


def test_the_committed_templates_are_built_from_their_sources():
    result = subprocess.run(
        [sys.executable, "-m", "tools.build_templates", "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_sow_takes_its_liability_cap_courts_and_signatory_title_from_the_data(catalog, sow_data):
    sow_data |= {"liability_cap": "50000", "jurisdiction": "the courts of England and Wales"}
    sow_data["freelancer"] = sow_data["freelancer"] | {"signatory_title": "Managing Member"}
    text = text_of(_render(catalog, "sow", sow_data))
    assert "$50,000.00" in text and "the courts of England and Wales" in text and "Managing Member" in text
    refused = catalog["sow"].model.model_validate(sow_data | {"liability_cap": "50000.001"}).problems()
    assert [problem.field for problem in refused] == ["liability_cap"]


@pytest.mark.parametrize(
    ("locale", "label"), [("en-US", "Cost center"), ("en-GB", "Cost centre"), ("de-DE", "Kostenstelle")]
)
def test_a_sow_prints_its_cost_center_when_given_and_keeps_category_and_team_for_insight(
    catalog, sow_data, locale, label
):
    given = sow_data | {"locale": locale, "cost_center": "MKT-204", "category": "design", "team": "Brand"}
    assert f"{label}\nMKT-204" in text_of(_render(catalog, "sow", given))
    assert label not in text_of(_render(catalog, "sow", sow_data | {"locale": locale}))
    document = catalog["sow"].validate(given)
    assert (document.category, document.team) == ("design", "Brand")  # kept with the record's data

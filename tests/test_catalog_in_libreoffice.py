"""A real client nobody here wrote: LibreOffice opens the generated contracts and prints them to PDF."""

from __future__ import annotations

import subprocess

import pytest

from tests.helpers import convert_in_libreoffice, needs_libreoffice

pytestmark = needs_libreoffice

ONE_WAY = "nda-one-way"


@pytest.fixture(scope="module")
def pdf_texts(tmp_path_factory, catalog) -> dict[str, str]:
    """Each shipped template rendered with the shared data, converted by LibreOffice, as PDF text."""
    from tests.helpers import NDA, SOW

    folder = tmp_path_factory.mktemp("libreoffice")
    inputs = {"sow": SOW, "nda-mutual": NDA, ONE_WAY: dict(NDA, discloser="freelancer")}
    for template_id, data in inputs.items():
        template = catalog[template_id]
        (folder / f"{template_id}.docx").write_bytes(template.generate(template.validate(data)).content)
    convert_in_libreoffice(folder, [folder / f"{t}.docx" for t in inputs], "pdf")
    texts = {}
    for template_id in inputs:
        pdf = folder / f"{template_id}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF"), f"LibreOffice made no PDF of {template_id}"
        texts[template_id] = " ".join(
            subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout.split()
        )
    return texts


@pytest.mark.parametrize("template_id", ["sow", "nda-mutual", ONE_WAY])
def test_libreoffice_prints_the_parties_signatories_and_effective_date(pdf_texts, template_id):
    text = pdf_texts[template_id]
    for value in (
        "Contoso Ltd",
        "Zoe Angstrom",
        "Megan Bowen",
        "Head of Procurement",
        "January 4, 2027",
        "the State of Washington",
        "12 Pike Street",
    ):
        assert value in text, f"{value!r} missing from the PDF of {template_id}"


@pytest.mark.parametrize("template_id", ["sow", "nda-mutual", ONE_WAY])
def test_libreoffice_numbers_the_pages_in_the_footer(pdf_texts, template_id):
    assert "Page 1 of " in pdf_texts[template_id]
    assert "{{" not in pdf_texts[template_id] and "{%" not in pdf_texts[template_id]


def test_libreoffice_prints_the_sow_amounts_dates_and_deliverables(pdf_texts):
    text = pdf_texts["sow"]
    for value in (
        "SOW-2027-001",
        "PO-7781",
        "$3,000.00",
        "$4,500.00",
        "$4,750.50",
        "$12,250.50",
        "February 1, 2027",
        "March 31, 2027",
        "Brand guide",
        "Approved in writing by the CMO",
    ):
        assert value in text, f"{value!r} missing from the SOW PDF"


def test_libreoffice_prints_the_nda_terms(pdf_texts):
    assert "Evaluating a brand refresh engagement" in pdf_texts["nda-mutual"]
    assert "Disclosing Party" in pdf_texts[ONE_WAY]

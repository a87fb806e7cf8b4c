"""Contracts looked at as pages: LibreOffice lays each shipped contract out, and the pages are measured.

Every page but the last is at least a third full (no heading left alone on a page), the clauses a legal team
asks for are there, and the paper is the locale's.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ROOT, convert_in_libreoffice, needs_libreoffice

pytestmark = needs_libreoffice

SAMPLES = ROOT / "templates" / "samples"
LONG_DELIVERABLES = [
    {
        "name": f"Deliverable {number}",
        "description": "A detailed description of the work product, its format and its scope. " * 4,
        "due_date": "2027-03-01",
        "acceptance_criteria": "Reviewed and approved in writing by the Client's project lead. " * 3,
    }
    for number in range(1, 9)
]
GERMAN = {
    "locale": "de-DE",
    "client": {
        "name": "Contoso GmbH",
        "address": "Musterstraße 1\n80331 München",
        "signatory_name": "Petra Berger",
        "signatory_title": "Leiterin Einkauf",
        "email": "einkauf@contoso.example",
    },
    "project": {
        "title": "Markenauffrischung",
        "summary": "Überarbeitung der Marke für die Produktlinie 2027.",
        "start_date": "2027-01-11",
        "end_date": "2027-03-31",
        "location": "Hamburg",
    },
    "in_scope": ["Neugestaltung des Logos", "Farbpalette und Typografie"],
    "out_of_scope": ["Druckerzeugnisse"],
    "deliverables": [
        {
            "name": "Logo",
            "description": "Primäres und sekundäres Logo",
            "due_date": "2027-02-01",
            "acceptance_criteria": "Schriftliche Freigabe durch die Marketingleitung",
        }
    ],
    "governing_law": "Bundesrepublik Deutschland",
    "jurisdiction": "Landgericht München I",
}
ENGLISH = re.compile(r"\b(the|and|of|shall|will|this|with|for|any|Page|Freelancer|Client|Agreement)\b")
"""Words that would betray an English sentence (or label) in the German text."""
CASES = {
    "sow-en-US": ("sow", {}),
    "sow-en-GB": ("sow", {"locale": "en-GB"}),
    "sow-long": ("sow", {"deliverables": LONG_DELIVERABLES}),
    "sow-individual": ("sow", {"locale": "en-GB"}),
    "sow-de-DE": ("sow", GERMAN),
    "nda-mutual-en-US": ("nda-mutual", {}),
    "nda-mutual-de-DE": (
        "nda-mutual",
        {key: GERMAN[key] for key in ("locale", "client", "governing_law", "jurisdiction")}
        | {"purpose": "Prüfung einer Zusammenarbeit"},
    ),
    "nda-one-way-en-GB": ("nda-one-way", {"locale": "en-GB", "discloser": "freelancer"}),
}
LETTER, A4 = (612, 792), (595, 842)
_HEADER_AND_FOOTER = 0.09
"""The share of a page's height at its top and at its bottom that holds the header or the footer."""


def _data(template_id: str, changes: dict) -> dict:
    data = json.loads((SAMPLES / f"{template_id}.json").read_text("utf-8")) | changes
    if data.get("locale") == "de-DE":
        data["freelancer"] = data["freelancer"] | {"address": "Hafenstraße 12\n20459 Hamburg", "country": "DE"}
    return data


@pytest.fixture(scope="module")
def pages(tmp_path_factory, catalog) -> dict[str, tuple[Path, str]]:
    """Each case rendered, printed to PDF by LibreOffice: the PDF and its text."""
    folder = tmp_path_factory.mktemp("pages")
    for case, (template_id, changes) in CASES.items():
        data = _data(template_id, changes)
        if case == "sow-individual":
            data["freelancer"] = {key: value for key, value in data["freelancer"].items() if key != "business_name"}
        template = catalog[template_id]
        (folder / f"{case}.docx").write_bytes(template.generate(template.validate(data)).content)
    convert_in_libreoffice(folder, [folder / f"{case}.docx" for case in CASES], "pdf")
    return {
        case: (
            folder / f"{case}.pdf",
            " ".join(_run("pdftotext", str(folder / f"{case}.pdf"), "-").split()),
        )
        for case in CASES
    }


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _page_fill(pdf: Path) -> list[float]:
    """How far down each page its body text reaches, as a share of the body's height."""
    layout = _run("pdftotext", "-bbox", str(pdf), "-")
    fills = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', layout, re.S):
        height = float(page.group(2))
        top, bottom = height * _HEADER_AND_FOOTER, height * (1 - _HEADER_AND_FOOTER)
        body = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page.group(3)) if top < float(y) < bottom]
        fills.append((max(body) - top) / (bottom - top) if body else 0.0)
    return fills


def _page_size(pdf: Path) -> tuple[int, int]:
    found = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", _run("pdfinfo", str(pdf)))
    assert found is not None
    return round(float(found.group(1))), round(float(found.group(2)))


@pytest.mark.parametrize("case", CASES)
def test_no_page_but_the_last_is_less_than_a_third_full(pages, case):
    fills = _page_fill(pages[case][0])
    assert len(fills) >= 2
    assert all(fill >= 1 / 3 for fill in fills[:-1]), [round(fill, 2) for fill in fills]


@pytest.mark.parametrize(
    ("case", "size"), [("sow-en-US", LETTER), ("sow-en-GB", A4), ("nda-mutual-en-US", LETTER), ("sow-de-DE", A4)]
)
def test_the_paper_is_the_locales(pages, case, size):
    assert _page_size(pages[case][0]) == size


def test_the_sow_has_the_clauses_a_legal_team_signs(pages):
    text = pages["sow-en-US"][1]
    for clause in (
        "Limitation of liability",
        "indirect",
        "consequential",
        "hereby assigns",
        "moral rights",
        "indemnif",
        "Data protection",
        "courts",
        "Notices",
    ):
        assert clause.lower() in text.lower(), clause
    assert "on payment in full" not in text


def test_a_company_contracts_through_its_director_and_an_individual_by_residence(pages):
    company, individual = pages["sow-en-US"][1], pages["sow-individual"][1]
    assert "Angstrom Design LLC" in company and "Director" in company
    assert "an individual resident in the United States" in individual
    assert not re.search(r"Title:? Independent contractor", company + individual)


def test_british_english_reads_british_throughout(pages):
    text = pages["sow-en-GB"][1]
    assert "licence" in text and "4 January 2027" in text
    assert not re.search(r"\b(license|authorized|itemize|January 4)\b", text)


def test_the_nda_opens_with_a_cover_page_of_key_terms(pages):
    cover = _run("pdftotext", "-l", "1", str(pages["nda-mutual-en-US"][0]), "-")
    for term in ("Purpose", "Effective Date", "Governing Law", "Chosen Courts", "Confidentiality Period"):
        assert term in cover, term


@pytest.mark.parametrize("case", ["sow-de-DE", "nda-mutual-de-DE"])
def test_a_german_contract_has_no_english_sentence(pages, case):
    text = pages[case][1]
    assert not ENGLISH.findall(text), sorted(set(ENGLISH.findall(text)))
    assert "Seite 1 von" in text and "4. Januar 2027" in text


def test_the_german_sow_grants_rights_of_use_instead_of_assigning_copyright(pages):
    text = pages["sow-de-DE"][1]
    assert "Nutzungsrecht" in text and "ausschließlich" in text
    assert "Landgericht München I" in text


@pytest.mark.parametrize(
    ("case", "count"),
    [("sow-en-US", 8), ("sow-en-GB", 8), ("sow-de-DE", 10), ("nda-mutual-en-US", 5), ("nda-mutual-de-DE", 5)],
)
def test_the_example_data_gives_the_expected_number_of_pages(pages, case, count):
    assert len(_page_fill(pages[case][0])) == count

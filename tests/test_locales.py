"""The locale decides a contract's text language, how its values are written, and its paper."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from freelance.locales import paper_for, text_locale, value_locale
from tools.british import british

SHIPPED = ("en-US", "en-GB", "de-DE")
SAMPLES = Path(__file__).resolve().parent.parent / "templates" / "samples"


@pytest.mark.parametrize(
    ("locale", "text", "values"),
    [
        ("en-US", "en-US", "en-US"),
        ("en-GB", "en-GB", "en-GB"),
        ("de-DE", "de-DE", "de-DE"),
        ("de-AT", "de-DE", "de-AT"),  # the German text, Austrian formats: both German
        ("en-AU", "en-GB", "en-AU"),
        ("en-CA", "en-GB", "en-CA"),
        ("es-US", "en-US", "en-US"),  # no Spanish text: US English, its values in US English too
        ("fr-FR", "en-GB", "en-GB"),  # never "1 mars 2027" inside an English sentence
        ("ja-JP", "en-GB", "en-GB"),
        ("en", "en-US", "en"),
    ],
)
def test_a_locale_reads_its_own_language_or_english_with_values_to_match(locale, text, values):
    assert text_locale(locale, SHIPPED) == text
    assert value_locale(locale, text) == values


def test_without_a_text_in_its_language_a_locale_reads_the_first_text():
    assert text_locale("fr-FR", ("en-US",)) == "en-US"


@pytest.mark.parametrize(
    ("locale", "paper"),
    [
        *[(locale, "letter") for locale in ("en-US", "en-CA", "es-US", "fr-CA", "es-MX", "en")],
        *[(locale, "a4") for locale in ("en-GB", "de-DE", "fr-FR", "en-AU", "de")],
    ],
)
def test_the_paper_is_the_locales_countrys(locale, paper):
    assert paper_for(locale) == paper


def test_british_spelling_changes_words_of_the_text_and_never_a_tag():
    assert british("The Licensee is Authorized to itemize {{ cost_center }} in a License {% if x.center %}") == (
        "The Licensee is Authorised to itemise {{ cost_center }} in a Licence {% if x.center %}"
    )
    assert british("WILLFUL misconduct, defense costs, canceled") == "WILFUL misconduct, defence costs, cancelled"


def _generated(catalog, template_id: str, data: dict) -> tuple[str, str]:
    template = catalog[template_id]
    with zipfile.ZipFile(io.BytesIO(template.generate(template.validate(data)).content)) as package:
        return package.read("word/document.xml").decode(), package.read("word/styles.xml").decode()


@pytest.mark.parametrize("template_id", ["sow", "nda-mutual", "nda-one-way"])
@pytest.mark.parametrize(
    ("locale", "paper", "language", "date"),
    [
        ("en-US", ('w:w="12240"', 'w:h="15840"'), "en-US", "January 4, 2027"),
        ("en-GB", ('w:w="11906"', 'w:h="16838"'), "en-GB", "4 January 2027"),
        ("fr-FR", ('w:w="11906"', 'w:h="16838"'), "en-GB", "4 January 2027"),
        ("en-CA", ('w:w="12240"', 'w:h="15840"'), "en-GB", "January 4, 2027"),
        ("de-DE", ('w:w="11906"', 'w:h="16838"'), "de-DE", "4. Januar 2027"),
        ("de-AT", ('w:w="11906"', 'w:h="16838"'), "de-DE", "4. Jänner 2027"),
    ],
)
def test_a_shipped_contract_takes_its_text_paper_and_language_from_the_locale(
    catalog, template_id, locale, paper, language, date
):
    sample = json.loads((SAMPLES / f"{template_id}.json").read_text("utf-8"))
    document, styles = _generated(catalog, template_id, sample | {"locale": locale})
    page_size = re.search(r"<w:pgSz [^>]*>", document)
    assert page_size is not None and all(size in page_size.group() for size in paper)
    assert f'<w:lang w:val="{language}"' in styles
    assert date in document
    assert ("Licence" in document or "licence" in document) == (language == "en-GB")


@pytest.mark.parametrize(("locale", "code"), [("en-US", "1"), ("de-DE", "9"), ("en-GB", "9")])  # 1, Letter: the default
def test_the_budget_tracker_prints_on_the_locales_paper(catalog, budget_data, locale, code):
    template = catalog["budget"]
    content = template.generate(template.validate(budget_data | {"locale": locale})).content
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    setup = re.search(r"<pageSetup [^>]*>", sheet)
    assert setup is not None
    size = re.search(r'paperSize="(\d+)"', setup.group())
    assert (size.group(1) if size else "1") == code

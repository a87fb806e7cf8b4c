"""What the request models accept and refuse, with the field and the reason."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from freelance.company.model import MoneyValue
from freelance.errors import InvalidData
from freelance.problems import problems_of


def _set(data: dict, path: str, value) -> dict:
    """Set ``value`` at a dotted path with [i] indexes, e.g. "milestones[1].amount"; None deletes."""
    *parents, last = path.replace("[", ".").replace("]", "").split(".")
    node = data
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    if value is None:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return data


def _errors(catalog, template: str, data: dict) -> dict[str, str]:
    with pytest.raises(InvalidData) as caught:
        catalog[template].validate(data)
    return {problem.field: problem.message for problem in caught.value.problems}


def test_the_shared_sow_data_is_valid(catalog, sow_data):
    sow = catalog["sow"].validate(sow_data)
    assert str(sow.fee.total) == "12250.50"


@pytest.mark.parametrize(
    "path, value, field, message",
    [
        # required fields are named when missing
        ("sow_number", None, "sow_number", "is required"),
        ("client.signatory_name", None, "client.signatory_name", "is required"),
        # emails, codes and URLs are checked
        ("freelancer.email", "zoe-at-example", "freelancer.email", "email"),
        ("freelancer.country", "XX", "freelancer.country", "ISO 3166-1"),
        ("fee.currency", "EURO", "fee.currency", "ISO 4217"),
        ("freelancer.profile_url", "javascript:alert(1)", "freelancer.profile_url", "URL"),
        ("locale", "xx-YY", "locale", "unknown locale"),
        # dates are ISO strings in a plausible range, never numbers
        ("effective_date", 1798761600, "effective_date", "YYYY-MM-DD"),
        ("effective_date", "04/01/2027", "effective_date", "date"),
        ("project.start_date", "1066-10-14", "project.start_date", "1900"),
        # money is positive, bounded, and has no more decimals than the currency allows
        ("milestones[1].amount", "-4500", "milestones[1].amount", "greater than 0"),
        ("milestones[1].amount", "1e40", "milestones[1].amount", "digits"),
        ("milestones[1].amount", "4500.001", "milestones[1].amount", "2 decimal places"),
        ("milestones[1].amount", "NaN", "milestones[1].amount", "finite"),
        # sane lengths and no control characters
        ("project.title", "x" * 201, "project.title", "at most 200"),
        ("project.title", "Brand\x07refresh", "project.title", "U+0007"),
        ("project.title", "Brand\nrefresh", "project.title", "single line"),
        ("client.address", "", "client.address", "must not be empty"),
        ("in_scope", [], "in_scope", "at least 1"),
        # unknown fields are refused, not ignored
        ("fee.discount", "10", "fee.discount", "not a known field"),
        # integers are integers, not strings or floats
        ("payment_terms_days", "30", "payment_terms_days", "integer"),
    ],
)
def test_invalid_sow_fields_are_named_with_the_reason(catalog, sow_data, path, value, field, message):
    errors = _errors(catalog, "sow", _set(sow_data, path, value))
    assert field in errors, errors
    assert message.lower() in errors[field].lower()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        # the project cannot end before it starts
        ({"project.end_date": "2027-01-01"}, "project.end_date", "before the start date"),
        # deliverables and milestones fall within the project
        ({"deliverables[0].due_date": "2027-06-01"}, "deliverables[0].due_date", "after the project ends"),
        ({"milestones[0].due_date": "2027-01-01"}, "milestones[0].due_date", "before the project starts"),
        # a fixed fee equals the sum of its milestones
        ({"fee.amount": "12000.00"}, "milestones", "add up to 12250.50, not to the fixed fee of 12000.00"),
        # an hourly fee needs a rate and estimated units, and no fixed amount
        ({"fee.model": "hourly"}, "fee.rate", "required when the fee model is hourly"),
        (
            {
                "fee.model": "daily",
                "fee.amount": None,
                "fee.rate": "800",
                "fee.estimated_units": "20",
                "fee.cap": "10000",
                "milestones": [],
            },
            "fee.cap",
            "below the estimated total 16000",
        ),
        # a yen amount has no decimals
        ({"fee.currency": "JPY"}, "fee.amount", "JPY amounts have at most 0 decimal places"),
    ],
)
def test_inconsistent_sows_are_refused_naming_the_field(catalog, sow_data, changes, field, message):
    for path, value in changes.items():
        _set(sow_data, path, value)
    errors = _errors(catalog, "sow", sow_data)
    assert message in errors.get(field, ""), errors


def test_a_time_based_fee_totals_rate_times_units(catalog, sow_data):
    sow_data["fee"] = {
        "model": "hourly",
        "currency": "EUR",
        "rate": "95.50",
        "estimated_units": "120.5",
        "cap": "13000",
    }
    fee = catalog["sow"].validate(sow_data).fee
    assert (str(fee.estimated_total), fee.unit) == ("11507.75", "hour")


def test_a_one_way_nda_names_its_discloser(catalog, nda_data):
    assert _errors(catalog, "nda-one-way", nda_data) == {"discloser": "is required"}
    nda_data["discloser"] = "freelancer"
    assert catalog["nda-one-way"].validate(nda_data).discloser == "freelancer"


def test_a_mutual_nda_has_no_discloser(catalog, nda_data):
    nda_data["discloser"] = "client"
    assert _errors(catalog, "nda-mutual", nda_data) == {"discloser": "is not a known field"}


def test_an_nda_without_a_term_runs_until_terminated(catalog, nda_data):
    del nda_data["term_years"]
    assert catalog["nda-mutual"].validate(nda_data).term_years is None


# -- names that read as what they are -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "freelancer.name",
        "freelancer.business_name",
        "client.name",
        "client.signatory_name",
    ],
)
@pytest.mark.parametrize(
    "control",
    [
        "\u202e",  # right-to-left override: "Zoe \u202egnp.exe" shows as "Zoe exe.png"
        "\u202a",  # left-to-right embedding
        "\u2066",  # left-to-right isolate
        "\u2069",  # pop directional isolate
        "\u200f",  # right-to-left mark
        "\u061c",  # Arabic letter mark
    ],
)
def test_a_name_with_a_bidi_control_is_refused_naming_the_field(catalog, sow_data, path, control):
    errors = _errors(catalog, "sow", _set(sow_data, path, f"Zoe {control}gnp.exe"))
    assert f"U+{ord(control):04X}" in errors.get(path, ""), errors
    assert "bidirectional control" in errors[path]


def test_a_budget_lines_freelancer_name_with_a_bidi_control_is_refused(catalog, budget_data):
    budget_data["lines"][0]["freelancer"] = "Zoe \u202egnp.exe"
    assert "U+202E" in _errors(catalog, "budget", budget_data)["lines[0].freelancer"]


@pytest.mark.parametrize(
    "name",
    [
        "زهرة الحسيني",  # Arabic: right-to-left script needs no control characters
        "דנה לוי",  # Hebrew
        "Zoë Ångström",  # accents
    ],
)
def test_names_in_any_script_are_accepted(catalog, sow_data, name):
    sow_data["freelancer"]["name"] = name
    assert catalog["sow"].validate(sow_data).freelancer.name == name


# -- money no more precise than its currency ------------------------------------------------------------


@pytest.mark.parametrize(
    "rate, currency",
    [
        ("100.005", "USD"),  # cents are the smallest unit
        (100.005, "USD"),  # a JSON number too
        ("10.5", "JPY"),  # yen have no decimals
        (10.5, "JPY"),
    ],
)
def test_a_freelancers_rate_with_more_decimals_than_its_currency_is_refused_naming_the_rate(
    catalog, sow_data, rate, currency
):
    sow_data["freelancer"] |= {"rate": rate, "rate_unit": "hour", "currency": currency}
    digits = 0 if currency == "JPY" else 2
    assert _errors(catalog, "sow", sow_data) == {
        "freelancer.rate": f"{currency} amounts have at most {digits} decimal places"
    }


def test_a_company_templates_money_field_with_more_decimals_than_its_currency_is_refused_naming_the_amount():
    with pytest.raises(ValidationError) as caught:
        MoneyValue.model_validate({"amount": 10.5, "currency": "JPY"})
    assert {(problem.field, problem.message) for problem in problems_of(caught.value)} == {
        ("amount", "JPY amounts have at most 0 decimal places")
    }
    assert MoneyValue.model_validate({"amount": "1500.00", "currency": "JPY"}).amount == 1500

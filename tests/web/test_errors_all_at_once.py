"""Every problem of a request in one answer, in a person's words: a missing object as the fields it
needs, field errors beside the cross-field rules the valid parts break, dates with the form they take."""

from __future__ import annotations

import copy

import pytest

from tests.helpers import NDA, SOW


def _problems(client, template: str, data: dict) -> dict[str, str]:
    answer = client.post("/api/documents", json={"template": template, "data": data})
    assert answer.status_code == 400, answer.json
    return {problem["field"]: problem["message"] for problem in answer.json["errors"]}


def test_a_missing_client_is_reported_as_each_field_it_needs(client):
    data = {k: v for k, v in copy.deepcopy(SOW).items() if k != "client"}
    problems = _problems(client, "sow", data)
    assert problems == {
        "client.name": "is required",
        "client.address": "is required",
        "client.signatory_name": "is required",
        "client.signatory_title": "is required",
        "client.email": "is required",
    }


def test_a_bad_date_no_longer_hides_that_the_milestones_miss_the_fee(client):
    data = copy.deepcopy(SOW)
    data["project"]["end_date"] = "31/12/2027"
    data["fee"]["amount"] = "1"
    problems = _problems(client, "sow", data)
    assert problems["project.end_date"] == "is not a date: write it as YYYY-MM-DD, e.g. 2027-01-31"
    assert problems["milestones"].startswith("the milestone amounts add up to 12250.50, not to the fixed fee of 1")
    assert set(problems) == {"project.end_date", "milestones"}


def test_rules_that_read_a_wrong_part_are_left_to_that_part_s_error(client):
    data = copy.deepcopy(SOW)
    data["fee"] = {"model": "fixed", "currency": "USD", "amount": "lots"}
    data["deliverables"][0]["due_date"] = "2000-01-01"  # before the project starts: a rule on valid parts
    problems = _problems(client, "sow", data)
    assert set(problems) == {"fee.amount", "deliverables[0].due_date"}
    assert problems["deliverables[0].due_date"].startswith("is before the project starts")


def test_a_missing_nested_object_in_a_list_item_is_named_at_its_place(client):
    data = copy.deepcopy(SOW)
    del data["deliverables"][0]["name"]
    del data["project"]
    problems = _problems(client, "sow", data)
    assert problems["deliverables[0].name"] == "is required"
    assert {"project.title", "project.summary", "project.start_date", "project.end_date"} <= set(problems)


@pytest.mark.parametrize("value", ["2027-02-30", "tomorrow", "2027/01/04", 20270104])
def test_a_date_that_is_not_one_says_the_form_it_takes(client, value):
    data = copy.deepcopy(NDA) | {"effective_date": value}
    problems = _problems(client, "nda-mutual", data)
    assert "YYYY-MM-DD" in problems["effective_date"]

"""The roster store itself (services(app).roster): tenants kept apart, upserts all-or-nothing."""

from __future__ import annotations

import pytest

from freelance.errors import Conflict, NotFound
from freelance.models import RosterFreelancer as Freelancer
from freelance.roster.service import Query
from tests.roster.files import TENANT, person

OTHER = "contoso-eu"
"""Another tenant, with a roster of its own."""


def _freelancer(i: int, **changes) -> Freelancer:
    return Freelancer.model_validate(person(i, **changes))


def _rows(*freelancers: Freelancer) -> list[tuple[int, Freelancer]]:
    """The freelancers as an upsert takes them: each with its row number, from 2 (under a header)."""
    return list(enumerate(freelancers, start=2))


@pytest.fixture
def others_freelancer(roster):
    """A freelancer of the other tenant, with the same email as one of ours."""
    roster.add(TENANT, _freelancer(1))
    return roster.add(OTHER, _freelancer(1, name="Someone Else"))


@pytest.mark.parametrize(
    "act",
    [
        lambda roster, id_: roster.get(TENANT, id_),  # read
        lambda roster, id_: roster.update(TENANT, id_, lambda f: f.model_copy(update={"phone": "1"})),  # change
        lambda roster, id_: roster.remove(TENANT, id_),  # remove
    ],
    ids=["get", "update", "remove"],
)
def test_another_tenants_freelancer_is_not_found(roster, others_freelancer, act):
    with pytest.raises(NotFound):
        act(roster, str(others_freelancer.id))
    assert roster.get(OTHER, str(others_freelancer.id)).details() == _freelancer(1, name="Someone Else")


def test_search_sees_only_the_tenants_own_freelancers(roster, others_freelancer):
    page = roster.search(TENANT, Query(q="freelancer0001"))
    assert [r.name for r in page.items] == ["Freelancer 0001"] and page.total == 1
    assert [r.name for r in roster.search(OTHER, Query()).items] == ["Someone Else"]
    assert [r.name for r in roster.each(TENANT)] == ["Freelancer 0001"]


def test_the_same_email_may_be_on_two_tenants_rosters_but_only_once_on_each(roster, others_freelancer):
    with pytest.raises(Conflict):
        roster.add(OTHER, _freelancer(1, email="FREELANCER0001@example.org"))
    counts = roster.upsert(OTHER, _rows(_freelancer(1, name="Renamed"), _freelancer(2)), commit=True)
    assert (counts.created, counts.updated, counts.unchanged) == (1, 1, 0)
    assert [r.name for r in roster.each(TENANT)] == ["Freelancer 0001"]


def test_an_upsert_abandoned_midway_writes_nothing(roster, roster_state):
    roster.add(TENANT, _freelancer(0))
    before = roster_state()

    def rows_then_failure():
        yield 1, _freelancer(0, name="Changed")
        for i in range(1, 2200):  # past two chunks of 1,000: earlier chunks are planned, not written
            yield i + 1, _freelancer(i)
        raise ValueError("row 2201 is broken")

    with pytest.raises(ValueError, match="row 2201"):
        roster.upsert(TENANT, rows_then_failure(), commit=True)
    assert roster_state() == before


def test_a_dry_run_upsert_counts_but_writes_nothing(roster, roster_state):
    roster.add(TENANT, _freelancer(0))
    roster.add(TENANT, _freelancer(1))
    before = roster_state()
    counts = roster.upsert(TENANT, _rows(_freelancer(0), _freelancer(1, name="Changed"), _freelancer(2)), commit=False)
    assert (counts.created, counts.updated, counts.unchanged) == (1, 1, 1)
    assert roster_state() == before


def test_an_upsert_matches_emails_without_case_and_keeps_the_record(roster):
    record = roster.add(TENANT, _freelancer(0))
    counts = roster.upsert(
        TENANT, _rows(_freelancer(0, email="FREELANCER0000@example.org", name="New Name")), commit=True
    )
    assert (counts.created, counts.updated) == (0, 1)
    again = roster.get(TENANT, str(record.id))
    assert (again.name, again.email, again.created_at) == ("New Name", "FREELANCER0000@example.org", record.created_at)

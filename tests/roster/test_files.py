"""Reading roster files directly (freelance.roster.files / importing), without the web layer."""

from __future__ import annotations

import gc
import io
import warnings

import pytest

from freelance.roster.files import RosterFileRefused, open_roster
from freelance.roster.importing import import_roster
from tests.roster.files import HEADER, TENANT, csv_bytes, person


def test_importing_a_csv_leaves_the_callers_file_open_and_warns_nothing(roster, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes([HEADER, list(person(1).values())]))
    with warnings.catch_warnings(record=True) as caught, path.open("rb") as stream:
        warnings.simplefilter("always")
        result = import_roster(roster, TENANT, stream, path.name)
        gc.collect()
        assert result.counts.created == 1
        assert not stream.closed
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_a_refused_file_is_a_bad_request_saying_why(roster):
    with pytest.raises(RosterFileRefused, match="no column for email, country"):
        open_roster(io.BytesIO(csv_bytes([["Name", "Address"], ["Zoe", "1 Road"]])), "roster.csv")

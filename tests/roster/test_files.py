"""Reading roster files directly (freelance.roster.files / importing), without the web layer."""

from __future__ import annotations

import csv
import gc
import io
import warnings

import pytest

from freelance.roster.files import RosterFileRefused, open_roster
from freelance.roster.importing import MAX_ROWS, ImportRejected, import_roster
from tests.helpers import ROOT
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


def test_a_refused_file_is_a_bad_request_saying_why_and_which_headers_it_takes(roster):
    with pytest.raises(RosterFileRefused, match=r"no column for email \(its headers: Name, Address\)") as refused:
        open_roster(io.BytesIO(csv_bytes([["Name", "Address"], ["Zoe", "1 Road"]])), "roster.csv")
    assert "Headers it takes, in any case: email: email, e-mail, email address" in refused.value.message
    assert "contact email" in refused.value.message


@pytest.mark.parametrize(
    "header, delimiter",
    [
        ("name,email,address,country", ","),  # commas
        ("name;email;address;country", ";"),  # semicolons, as Excel writes in much of Europe
        ("name\temail\taddress\tcountry", "\t"),  # tabs
        ("name|email|address|country", "|"),  # pipes
        ('name;email;address;country;"Notes, to, self"', ";"),  # commas inside quotes are not delimiters
        ('name,email,address,country,"Rate; per; hour"', ","),  # nor are semicolons
        ('name;email;address;country;"Notes,\nand, more"', ";"),  # a quoted header spanning two lines
    ],
)
def test_the_delimiter_is_the_one_the_header_line_holds_most(header, delimiter):
    content = (header + "\r\n" + delimiter.join(["Zoe", "zoe@example.org", "1 Road", "US", ""]) + "\r\n").encode()
    sheet = open_roster(io.BytesIO(content), "roster.csv")
    assert [row.email for _, row in sheet.rows()] == ["zoe@example.org"]


def test_a_first_line_of_65_kb_of_quotes_and_commas_is_refused_without_the_quadratic_sniffer(monkeypatch):
    # csv.Sniffer took 20 s over this line, holding the interpreter (every other request of the process
    # waited): the delimiter is found by counting, linear in a bounded sample, never by the sniffer.
    class NoSniffer:
        def __init__(self):
            raise AssertionError("csv.Sniffer is quadratic in a line's quotes: it must not read uploads")

    monkeypatch.setattr(csv, "Sniffer", NoSniffer)
    line = "'," * (65 * 1024 // 2)
    with pytest.raises(RosterFileRefused) as refused:
        open_roster(io.BytesIO((line + "\r\nZoe,zoe@example.org,1 Road,US\r\n").encode()), "roster.csv")
    message = refused.value.message
    assert message.startswith("The roster has no column for name or email (its headers: ")
    assert f"and {len(line) // 2 - 30:,} more)." in message  # 30 headers named, not 33,280
    assert len(message) < 800


def _rows(count: int) -> bytes:
    return csv_bytes([HEADER] + [list(person(i).values()) for i in range(count)])


def test_a_roster_of_as_many_rows_as_the_cap_is_imported(roster):
    result = import_roster(roster, TENANT, io.BytesIO(_rows(3)), "roster.csv", max_rows=3)
    assert result.counts.created == 3


def test_a_roster_over_the_row_cap_is_refused_naming_the_cap_and_the_row_and_nothing_is_written(roster):
    with pytest.raises(ImportRejected) as rejected:
        import_roster(roster, TENANT, io.BytesIO(_rows(4)), "roster.csv", max_rows=3)
    assert rejected.value.message == (
        "The roster has more than 3 freelancer rows, the most one import takes: split it into several files. "
        "Nothing was imported."
    )
    assert [(p.row, p.message) for p in rejected.value.problems] == [
        (5, "is freelancer row 4, past the 3 an import takes")
    ]
    assert list(roster.each(TENANT)) == []


def test_the_readme_states_the_row_cap_of_an_import():
    assert f"{MAX_ROWS:,} freelancer rows" in (ROOT / "README.md").read_text("utf-8")

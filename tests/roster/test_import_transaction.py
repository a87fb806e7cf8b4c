"""An import reads and checks its file before it writes, then writes in one short transaction: the roster
stays open to readers and editors while a long file is read (imports of 200,000-557,000 rows once held
SQLite's write lock for 27-60 s, and a GET meanwhile failed with "database is locked")."""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import event

from freelance.models import Freelancer
from freelance.roster.importing import import_roster
from tests.roster.files import HEADER, TENANT, csv_bytes, person

WAIT = 10.0
"""Seconds a request made while an import reads its file may take, at most (it takes milliseconds)."""


def _file(numbers: range, **changes) -> io.BytesIO:
    return io.BytesIO(csv_bytes([HEADER] + [list(person(i, **changes).values()) for i in numbers]))


def _meanwhile(work: Callable[[], object]) -> object:
    """Run ``work`` on another thread (as another request would) and return what it returned; fail if it
    has not finished within WAIT seconds, as when it waits for the roster's write lock."""
    done: dict[str, object] = {}
    thread = threading.Thread(target=lambda: done.setdefault("result", work()), daemon=True)
    thread.start()
    thread.join(WAIT)
    assert "result" in done, "a request made while the import read its file waited for the import"
    return done["result"]


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
def test_reads_and_edits_go_through_while_an_import_reads_its_file(app, roster, add, dry_run):
    zoe = add(person(9_999))
    answers = []

    def on_row(row: int) -> None:
        if row == 1_500:  # the first thousand rows are checked and planned, the rest not yet read
            client = app.test_client()
            answers.append(_meanwhile(lambda: client.get("/api/freelancers?per_page=1").status_code))
            answers.append(
                _meanwhile(lambda: client.patch(f"/api/freelancers/{zoe['id']}", json={"phone": "1"}).status_code)
            )

    result = import_roster(roster, TENANT, _file(range(2_000)), "roster.csv", dry_run=dry_run, progress=on_row)
    assert answers == [200, 200]
    assert result.counts.created == 2_000
    assert len(list(roster.each(TENANT))) == (1 if dry_run else 2_001)


def test_records_changed_while_an_import_was_planned_are_planned_again_and_lose_no_change(app, roster):
    # Freelancers 0-1199 are on the roster, but for 500; the file gives everyone 0-1499 a new address.
    roster.upsert(
        TENANT,
        ((i + 2, Freelancer.model_validate(person(i))) for i in range(1_200) if i != 500),
        commit=True,
    )
    ids = {r.email: str(r.id) for r in roster.each(TENANT)}
    client = app.test_client()

    def on_row(row: int) -> None:
        if row == 1_400:  # rows 2-1001 are planned: change their records behind the plan's back
            edit = client.patch(f"/api/freelancers/{ids[person(5)['email']]}", json={"phone": "+1 555 0100"})
            assert edit.status_code == 200
            assert client.delete(f"/api/freelancers/{ids[person(9)['email']]}").status_code == 204
            assert client.post("/api/freelancers", json=person(500, tax_id="NEW-500")).status_code == 201

    result = import_roster(roster, TENANT, _file(range(1_500), address="New address"), "roster.csv", progress=on_row)
    records = {r.email: r for r in roster.each(TENANT)}
    assert len(records) == 1_500
    assert {r.address for r in records.values()} == {"New address"}
    assert records[person(5)["email"]].phone == "+1 555 0100"  # the edit kept, the import's change made
    assert records[person(500)["email"]].tax_id == "NEW-500"  # created meanwhile: updated, not created twice
    # 1200-1499 are new, and 9, removed meanwhile, is created again; the rest are updated.
    assert (result.counts.created, result.counts.updated, result.counts.unchanged) == (301, 1_199, 0)


def test_the_write_transaction_runs_a_few_statements_per_thousand_rows(roster):
    engine = roster.engine
    statements: dict[int, list[str]] = {}
    transactions: list[list[str]] = []

    def begin(connection) -> None:
        statements[id(connection)] = []

    def execute(connection, _cursor, statement, *_args) -> None:
        statements.setdefault(id(connection), []).append(statement.split()[0].upper())

    def end(connection) -> None:
        transactions.append(statements.pop(id(connection), []))

    listeners = [("begin", begin), ("before_cursor_execute", execute), ("commit", end), ("rollback", end)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        result = import_roster(roster, TENANT, _file(range(2_500)), "roster.csv")
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
    assert result.counts.created == 2_500
    writes = [t for t in transactions if "INSERT" in t]
    assert len(writes) == 1  # one transaction writes everything
    chunks = math.ceil(2_500 / 1_000)
    # A check of the chunk's records and one INSERT per chunk (and a lock on PostgreSQL): no row by row.
    assert writes[0].count("INSERT") == chunks
    assert len(writes[0]) <= 2 * chunks + 2

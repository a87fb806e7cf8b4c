"""Concurrent writers on one roster, for real: the app under a threaded werkzeug server, two imports
and a stream of PATCHes fired from threads. No update is lost and no email is duplicated."""

from __future__ import annotations

import gc
import http.client
import json
import threading
import time
import warnings
from collections.abc import Callable
from decimal import Decimal

import pytest

from freelance.models import Freelancer
from freelance.roster.service import Query
from tests.helpers import ON_POSTGRESQL
from tests.network import served
from tests.roster.files import HEADER, TENANT, csv_bytes, multipart, person, xlsx_bytes

REQUEST_TIMEOUT = 20.0
"""Seconds any one request may take."""
TEST_DEADLINE = 30.0
"""Seconds the whole race may take."""
ON_SQLITE = not ON_POSTGRESQL


@pytest.fixture
def server(app):
    """The app served by werkzeug's threaded server on an ephemeral port of 127.0.0.1; yields the port."""
    with served(app) as port:
        yield port


def _call(port: int, method: str, path: str, body: bytes | None = None, content_type: str | None = None):
    """One request on its own connection; returns (status, JSON body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": content_type} if content_type else {})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def _patch(port: int, freelancer_id: str, changes: dict) -> None:
    status, body = _call(
        port, "PATCH", f"/api/freelancers/{freelancer_id}", json.dumps(changes).encode(), "application/json"
    )
    assert status == 200, body


def _import(port: int, content: bytes, filename: str) -> dict:
    body, content_type = multipart(content, filename)
    status, answer = _call(port, "POST", "/api/freelancers/import", body, content_type)
    assert status == 200, answer
    return answer


def _imported(file: str, i: int) -> dict:
    """Row ``i`` of import ``file`` ("A" or "B"): the two files give a shared email different details."""
    street, base = {"A": ("Avenue", 100), "B": ("Boulevard", 200)}[file]
    return person(i, name=f"{file} Freelancer {i:04d}", address=f"{i} {street}, Lisbon", country="PT") | {
        "rate": str(base + i),
        "rate_unit": "hour",
        "currency": "EUR",
    }


def _roster_file(file: str, numbers: range) -> tuple[bytes, str]:
    rows = [[*HEADER, "Hourly rate", "Currency"]]
    rows += [[*(_imported(file, i)[k] for k in HEADER), _imported(file, i)["rate"], "EUR"] for i in numbers]
    return (csv_bytes(rows), "a.csv") if file == "A" else (xlsx_bytes(rows), "b.xlsx")


def _run(threads: list[threading.Thread], deadline: float) -> None:
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0.1))
    assert not [t.name for t in threads if t.is_alive()], "the race did not finish in time"


class _Worker(threading.Thread):
    """A thread that keeps the exception its work raised, for the test to re-raise."""

    def __init__(self, name: str, work: Callable[[], object]):
        super().__init__(name=name, daemon=True)
        self.work, self.error, self.result = work, None, None

    def run(self) -> None:
        try:
            self.result = self.work()
        except BaseException as exc:
            self.error = exc


FILE_A, FILE_B = range(0, 300), range(100, 400)
"""300 rows each, 200 emails shared (100-299)."""


@pytest.mark.parametrize(
    "patched",
    [
        "bystanders",  # 100 freelancers the imports do not touch
        "imported",  # 100 freelancers both imports update (their files have no phone, tax_id or business_name column)
    ],
)
def test_two_imports_and_a_stream_of_edits_lose_no_update_and_duplicate_no_email(app, roster, server, patched):
    deadline = time.monotonic() + TEST_DEADLINE
    numbers = range(1000, 1100) if patched == "bystanders" else range(150, 250)
    ids = {i: str(roster.add(TENANT, Freelancer.model_validate(person(i))).id) for i in numbers}
    halves = [list(numbers)[:50], list(numbers)[50:]]
    imports_may_start = threading.Barrier(len(halves) * 2 + 1, timeout=REQUEST_TIMEOUT)

    def phones_then_business_names(half: list[int]) -> None:
        for i in half:  # before the imports start
            _patch(server, ids[i], {"phone": f"+351 21 000 {i:04d}"})
        imports_may_start.wait()
        for i in half:  # while they run
            _patch(server, ids[i], {"business_name": f"Studio {i}"})

    def tax_ids(half: list[int]) -> None:
        imports_may_start.wait()
        for i in half:  # while the imports and the other stream run, on the same records
            _patch(server, ids[i], {"tax_id": f"PT{i:09d}"})

    patchers = [
        _Worker(f"{work.__name__}-{n}", lambda work=work, half=half: work(half))
        for n, half in enumerate(halves)
        for work in (phones_then_business_names, tax_ids)
    ]
    importers = {
        file: _Worker(f"import-{file}", lambda file=file, numbers=rows: _import(server, *_roster_file(file, numbers)))
        for file, rows in (("A", FILE_A), ("B", FILE_B))
    }
    for thread in patchers:
        thread.start()
    imports_may_start.wait()
    for thread in importers.values():
        thread.start()
    _run([*patchers, *importers.values()], deadline)
    for thread in [*patchers, *importers.values()]:
        if thread.error:
            raise thread.error

    records = {r.email_key: r for r in roster.each(TENANT)}
    emails = {person(i)["email"] for i in [*numbers, *FILE_A, *FILE_B]}
    assert len(records) == len(list(roster.each(TENANT))) == len(emails)  # one record per email, no more
    assert set(records) == emails

    lost = [
        (i, field)
        for i in numbers
        for field, value in (
            ("phone", f"+351 21 000 {i:04d}"),
            ("business_name", f"Studio {i}"),
            ("tax_id", f"PT{i:09d}"),
        )
        if getattr(records[person(i)["email"]], field) != value
    ]
    assert lost == [], f"{len(lost)} PATCHed values lost, e.g. {lost[:5]}"

    def source(i: int) -> str:
        record = records[person(i)["email"]]
        for file in ("A", "B"):
            expected = _imported(file, i)
            if (record.name, record.address, record.rate) == (
                expected["name"],
                expected["address"],
                Decimal(expected["rate"]),
            ):
                return file
        raise AssertionError(f"freelancer {i} has details from neither import: {record.name!r}, {record.rate}")

    shared = {source(i) for i in range(100, 300)}
    assert len(shared) == 1, (
        "each import is all-or-nothing: the shared rows all come from the import that committed last"
    )
    second = shared.pop()
    first = "A" if second == "B" else "B"
    rows = {"A": {person(i)["email"] for i in FILE_A}, "B": {person(i)["email"] for i in FILE_B}}
    existing = {person(i)["email"] for i in numbers}
    assert {source(i) for i in FILE_A if i < 100} == {"A"} and {source(i) for i in FILE_B if i >= 300} == {"B"}
    expected = {
        first: {"created": len(rows[first] - existing), "updated": len(rows[first] & existing), "unchanged": 0},
        second: {
            "created": len(rows[second] - existing - rows[first]),
            "updated": len(rows[second] & (existing | rows[first])),
            "unchanged": 0,
        },
    }
    answers = {
        file: {k: worker.result[k] for k in ("created", "updated", "unchanged")} for file, worker in importers.items()
    }
    assert answers == expected


def test_edits_go_through_while_a_csv_export_is_being_downloaded(app, roster):
    for i in range(30):
        roster.add(TENANT, Freelancer.model_validate(person(i)))
    target = str(roster.search(TENANT, Query(per_page=1)).items[0].id)
    download = app.test_client().get("/api/freelancers/export?format=csv", buffered=False)
    try:
        chunks = iter(download.response)
        for _ in range(3):  # the BOM, the header, the first freelancer: the download is under way
            next(chunks)
        editor = _Worker(
            "editor", lambda: app.test_client().patch(f"/api/freelancers/{target}", json={"phone": "+1 555 0100"})
        )
        editor.start()
        editor.join(5)
        finished_during_download = not editor.is_alive()
    finally:
        with warnings.catch_warnings():  # (PostgreSQL's open cursor warns: see the next test)
            warnings.simplefilter("ignore", ResourceWarning)
            download.close()  # the client hangs up: the export's session ends
            gc.collect()
    editor.join(REQUEST_TIMEOUT)
    assert editor.error is None and editor.result.status_code == 200
    assert finished_during_download, "a PATCH waited for a CSV download to finish"


def test_an_export_the_client_abandons_midway_closes_its_database_cursor(app, roster):
    for i in range(30):
        roster.add(TENANT, Freelancer.model_validate(person(i)))
    download = app.test_client().get("/api/freelancers/export?format=csv", buffered=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chunks = iter(download.response)
        for _ in range(3):
            next(chunks)
        download.close()
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_the_same_new_email_posted_eight_times_at_once_is_created_once(server, roster):
    barrier = threading.Barrier(8, timeout=REQUEST_TIMEOUT)

    def post(n: int):
        barrier.wait()
        body = json.dumps(person(1, name=f"Racer {n}")).encode()
        return _call(server, "POST", "/api/freelancers", body, "application/json")

    workers = [_Worker(f"post-{n}", lambda n=n: post(n)) for n in range(8)]
    for worker in workers:
        worker.start()
    _run(workers, time.monotonic() + TEST_DEADLINE)
    assert [w.error for w in workers if w.error] == []
    statuses = sorted(w.result[0] for w in workers)
    assert statuses == [201] + [409] * 7
    winner = next(w.result[1] for w in workers if w.result[0] == 201)
    assert all(winner["id"] in w.result[1]["error"] for w in workers if w.result[0] == 409)
    assert [r.name for r in roster.each(TENANT)] == [winner["name"]]

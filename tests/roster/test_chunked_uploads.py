"""Bodies sent in chunks (Transfer-Encoding: chunked), whose length no header gives: one over the limit is a
413, never its first bytes imported as if they were the whole file (a 105,366-row roster was once cut at
20 MiB, 91,676 rows imported with a 200, one address cut mid-value)."""

from __future__ import annotations

import http.client
import io
import json
from collections.abc import Iterator

import pytest

from freelance.web import create_app
from tests.helpers import discard
from tests.network import served
from tests.roster.files import HEADER, csv_bytes, multipart, person

LIMIT = 40_000
"""MAX_UPLOAD_LENGTH of the app under test, in bytes."""
UNDER = csv_bytes([HEADER] + [list(person(i).values()) for i in range(100)])  # 8 KB
OVER = csv_bytes([HEADER] + [list(person(i).values()) for i in range(1_000)])  # 83 KB, every row whole


@pytest.fixture
def small_app(database_url, tmp_path):
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY_FILE": str(tmp_path / "key"), "MAX_UPLOAD_LENGTH": str(LIMIT)}
    )
    yield app
    discard(app)


def _total(app) -> int:
    return app.test_client().get("/api/freelancers").json["total"]


def _chunked(client, path: str, body: bytes, content_type: str):
    """POST ``body`` as a server hands a chunked request to the app: a stream with no length, ended by the server."""
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", "Content-Type": content_type},
        environ_overrides={"wsgi.input_terminated": True},
    )


@pytest.mark.parametrize("as_multipart", [False, True], ids=["body", "multipart"])
def test_a_chunked_roster_over_the_limit_is_a_413_and_imports_nothing(small_app, as_multipart):
    assert len(UNDER) < LIMIT < len(OVER) < 3 * LIMIT
    body, content_type = multipart(OVER, "roster.csv") if as_multipart else (OVER, "text/csv")
    response = _chunked(small_app.test_client(), "/api/freelancers/import", body, content_type)
    assert response.status_code == 413, response.json
    assert response.json["error"] == f"The request body is larger than the {LIMIT} bytes the server accepts here."
    assert _total(small_app) == 0


@pytest.mark.parametrize("as_multipart", [False, True], ids=["body", "multipart"])
def test_a_chunked_roster_under_the_limit_is_imported_whole(small_app, as_multipart):
    body, content_type = multipart(UNDER, "roster.csv") if as_multipart else (UNDER, "text/csv")
    response = _chunked(small_app.test_client(), "/api/freelancers/import", body, content_type)
    assert response.status_code == 200, response.json
    assert response.json["created"] == 100


def test_a_chunked_json_body_over_its_limit_is_a_413(small_app):
    limit = small_app.config["MAX_CONTENT_LENGTH"]
    # Valid JSON however it is cut after its first object: a truncated body would be read as a smaller one.
    body = json.dumps(person(1)).encode() + b" " * limit
    response = _chunked(small_app.test_client(), "/api/freelancers", body, "application/json")
    assert response.status_code == 413, response.json
    assert _total(small_app) == 0


def _pieces(body: bytes, size: int = 7_000) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.fixture
def server(small_app):
    """``small_app`` under werkzeug's threaded server on loopback, which de-chunks request bodies itself."""
    with served(small_app) as port:
        yield port


@pytest.mark.parametrize(
    "content, status, created",
    [
        (UNDER, 200, 100),  # under the limit: all of it
        (OVER, 413, 0),  # over: none of it
    ],
    ids=["under", "over"],
)
@pytest.mark.parametrize("as_multipart", [False, True], ids=["body", "multipart"])
def test_a_chunked_upload_through_a_real_server(small_app, server, content, status, created, as_multipart):
    body, content_type = multipart(content, "roster.csv") if as_multipart else (content, "text/csv")
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=20)
    try:
        connection.request(
            "POST", "/api/freelancers/import", _pieces(body), {"Content-Type": content_type}, encode_chunked=True
        )
        response = connection.getresponse()
        answer = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == status, answer
    assert _total(small_app) == created

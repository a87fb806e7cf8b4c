"""Batches through the API: freelancers in the roster, a batch's request body, and waiting for a batch to finish."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.roster.files import person

WAIT_SECONDS = 60.0


def finished(client: FlaskClient, location: str, seconds: float = WAIT_SECONDS) -> dict:
    """Poll the batch at ``location`` until no item is pending or running; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        batch = client.get(location).json
        if batch["pending"] + batch["running"] == 0:
            return batch
        assert time.monotonic() < deadline, f"the batch did not finish in {seconds} s: {batch}"
        time.sleep(0.05)


def zip_entries(content: bytes) -> dict[str, bytes]:
    """Return each file of a zip by name."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def three(add) -> list[dict]:
    """Three freelancers of the local roster, two of them in France."""
    return [add(person(1, country="FR")), add(person(2)), add(person(3, country="FR"))]


@pytest.fixture
def batch_body(nda_data) -> Callable[..., dict]:
    """``batch_body(**changes)``: a mutual NDA batch request (its data without a freelancer), with ``changes``."""
    del nda_data["freelancer"]

    def body(**changes) -> dict:
        return {"template": "nda-mutual", "data": nda_data} | changes

    return body

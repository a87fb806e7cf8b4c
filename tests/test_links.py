"""Signed document links: a token grants one tenant's document for five minutes, and nothing else."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer

from freelance.errors import LinkExpired, NotFound
from freelance.links import LIFETIME, Link, Links, key_from_file, sign, verify

SECRET = "a-secret-of-this-test"
TENANT, DOCUMENT = "72f988bf-86f1-41af-91ab-2d7cd011db47", "0d1f6c2e-5b7a-4c3d-9e8f-a1b2c3d4e5f6"
SIGNED = datetime(2027, 1, 4, 9, 30, 15, tzinfo=UTC)


def test_a_token_grants_the_tenants_document_it_was_signed_for():
    token, _ = sign(SECRET, TENANT, DOCUMENT, now=SIGNED)
    assert verify(SECRET, token, now=SIGNED) == Link(TENANT, DOCUMENT)


def test_a_link_lives_five_minutes_from_the_whole_second_it_was_signed():
    token, expires_at = sign(SECRET, TENANT, DOCUMENT, now=SIGNED + timedelta(microseconds=900_000))
    assert expires_at == SIGNED + timedelta(minutes=5) == SIGNED + LIFETIME and expires_at.tzinfo == UTC
    assert verify(SECRET, token, now=expires_at - timedelta(microseconds=1)) == Link(TENANT, DOCUMENT)
    with pytest.raises(LinkExpired, match="expired: download the document again from the pane"):
        verify(SECRET, token, now=expires_at)


def test_a_time_in_another_zone_is_the_same_moment():
    paris = SIGNED.astimezone(datetime.fromisoformat("2027-01-04T10:30:15+01:00").tzinfo)
    assert sign(SECRET, TENANT, DOCUMENT, now=paris) == sign(SECRET, TENANT, DOCUMENT, now=SIGNED)


def _tampered(token: str) -> dict[str, str]:
    payload, timestamp, signature = token.rsplit(".", 2)
    other_payload = sign(SECRET, TENANT, "another-document", now=SIGNED)[0].rsplit(".", 2)[0]
    other_time = sign(SECRET, TENANT, DOCUMENT, now=SIGNED + timedelta(days=1))[0].rsplit(".", 2)[1]
    # The first character: the last one of base64 carries bits that decoding ignores.
    other_signature = ("B" if signature[0] == "A" else "A") + signature[1:]
    return {
        "another payload under its signature": f"{other_payload}.{timestamp}.{signature}",
        "another time under its signature": f"{payload}.{other_time}.{signature}",
        "a changed signature": f"{payload}.{timestamp}.{other_signature}",
        "no signature": f"{payload}.{timestamp}",
        "cut short": token[:-5],
        "not a token at all": "hello",
        "empty": "",
    }


@pytest.mark.parametrize("case", list(_tampered(sign(SECRET, TENANT, DOCUMENT)[0])))
def test_a_tampered_token_is_unknown_even_long_after(case):
    token, _ = sign(SECRET, TENANT, DOCUMENT, now=SIGNED)
    tampered = _tampered(token)[case]
    for now in (SIGNED, SIGNED + timedelta(days=1)):  # never "expired": that would confirm a signature
        with pytest.raises(NotFound, match="no such download link"):
            verify(SECRET, tampered, now=now)


@pytest.mark.parametrize(
    "token",
    [
        sign("another server's secret", TENANT, DOCUMENT, now=SIGNED)[0],  # another key
        URLSafeTimedSerializer(SECRET, salt="password-reset").dumps([TENANT, DOCUMENT]),  # the key, another purpose
        URLSafeTimedSerializer(SECRET, salt="document-link").dumps({"tenant": TENANT}),  # a shape no link has
    ],
)
def test_a_token_this_server_did_not_sign_as_a_link_is_unknown(token):
    with pytest.raises(NotFound):
        verify(SECRET, token, now=SIGNED)


def test_the_key_file_is_made_once_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "instance" / "secret.key"
    key = key_from_file(path)
    assert len(key) >= 43  # 32 random bytes, base64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_from_file(path) == key == path.read_text()
    assert [p.name for p in path.parent.iterdir()] == ["secret.key"]  # no temporary file left behind


def test_processes_starting_together_agree_on_one_key(tmp_path):
    path = tmp_path / "secret.key"
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: key_from_file(path), range(32)))
    assert keys == {path.read_text()}


def test_an_empty_key_file_is_refused_saying_what_to_do(tmp_path):
    path = tmp_path / "secret.key"
    path.touch()
    with pytest.raises(ValueError, match="is empty: delete it"):
        key_from_file(path)


def test_a_given_secret_wins_and_no_key_file_is_made(tmp_path):
    links = Links(SECRET, tmp_path / "secret.key")
    token, _ = links.sign(TENANT, DOCUMENT, now=SIGNED)
    assert verify(SECRET, token, now=SIGNED) == Link(TENANT, DOCUMENT)
    assert not (tmp_path / "secret.key").exists()


def test_without_a_secret_the_key_file_is_made_when_the_first_link_is_signed(tmp_path):
    path = tmp_path / "secret.key"
    links = Links("", path)
    assert not path.exists()
    token, _ = links.sign(TENANT, DOCUMENT, now=SIGNED)
    assert verify(path.read_text(), token, now=SIGNED) == Link(TENANT, DOCUMENT)
    assert Links("", path).verify(token, now=SIGNED) == Link(TENANT, DOCUMENT)  # a restart reads the same key

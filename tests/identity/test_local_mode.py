"""Local mode (no sign-in settings): one local user, on this machine only."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from freelance.roster.records import FreelancerRecord
from freelance.web import create_app
from freelance.web.config import Settings
from freelance.web.services import services
from tests.helpers import ROOT, discard
from tests.identity.microsoft import ENTRA_CONFIG
from tests.roster.files import person

REASON = "so the server listens on 127.0.0.1 only"


@pytest.mark.parametrize(
    "host",
    [
        "0.0.0.0",  # every IPv4 address
        "::",  # every IPv6 (and, dual-stack, IPv4) address
        "",  # an empty host binds every address too
        "10.1.2.3",  # one LAN address
        "freelance.contoso.com",  # a name other machines reach
    ],
)
def test_local_mode_refuses_to_listen_beyond_this_machine_and_says_why(host):
    with pytest.raises(ValueError, match=REASON) as refused:
        Settings.load({"HOST": host})
    assert "ENTRA_CLIENT_ID" in str(refused.value)  # and how to serve other machines


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",  # the default
        "localhost",  # by name
        "::1",  # IPv6 loopback
    ],
)
def test_local_mode_listens_on_a_loopback_address(host):
    assert host == Settings.load({"HOST": host}).HOST


def test_local_mode_listens_on_127_0_0_1_by_default():
    settings = Settings.load({})
    assert (settings.HOST, settings.identity) == ("127.0.0.1", None)


def test_with_sign_in_the_server_may_listen_on_every_address():
    assert Settings.load({"HOST": "0.0.0.0", **ENTRA_CONFIG}).HOST == "0.0.0.0"


def test_server_py_asked_to_listen_on_every_address_without_sign_in_exits_saying_why(tmp_path):
    env = {name: value for name, value in os.environ.items() if not name.startswith("ENTRA_")}
    env.update(
        HOST="0.0.0.0", PORT="0", DATABASE_URL=f"sqlite:///{tmp_path / 'server.db'}", CERT_DIR=str(tmp_path / "certs")
    )
    finished = subprocess.run(
        [sys.executable, "server.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert finished.returncode != 0
    assert "HOST=0.0.0.0" in finished.stderr and REASON in finished.stderr, finished.stderr


def test_server_py_serves_the_pane_and_the_api_over_https_with_its_development_certificate(tmp_path):
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {name: value for name, value in os.environ.items() if not name.startswith("ENTRA_")}
    env.update(PORT=str(port), DATABASE_URL=f"sqlite:///{tmp_path / 'server.db'}", CERT_DIR=str(tmp_path / "certs"))
    server = subprocess.Popen([sys.executable, "server.py"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"https://127.0.0.1:{port}/api/templates", verify=False, timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()[1]
                assert time.monotonic() < deadline, "server.py did not answer within a minute"
                time.sleep(0.2)
        assert answer.status_code == 200
        assert {item["id"] for item in answer.json()["items"]} >= {"sow", "nda-mutual", "nda-one-way", "budget"}
        assert (tmp_path / "certs").is_dir()
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stderr.close()


def test_every_local_request_is_the_local_user_of_the_local_tenant(app, client, sow_data):
    freelancer = client.post("/api/freelancers", json=person(1))
    document = client.post("/api/documents", json={"template": "sow", "data": sow_data})
    assert (freelancer.status_code, document.status_code) == (201, 201)
    assert document.json["created_by"] == "local"
    with services(app).roster.engine.connect() as connection:
        row = connection.execute(
            select(FreelancerRecord.tenant, FreelancerRecord.created_by, FreelancerRecord.updated_by)
        ).one()
    assert tuple(row) == ("local", "local", "local")
    assert client.get(f"/api/documents/{document.json['id']}").status_code == 200


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/freelancers"),  # search the roster
        ("post", "/api/freelancers"),  # add to it
        ("get", "/api/freelancers/export"),  # take all of it away
        ("post", "/api/freelancers/import"),  # overwrite it
        ("get", "/api/documents"),  # list the contracts
        ("post", "/api/documents"),  # generate one
        ("get", "/api/templates"),  # even the catalog
    ],
)
@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",  # a machine on the LAN
        "192.168.0.7",  # another private range
        "2001:db8::7",  # IPv6
        "::ffff:10.1.2.3",  # IPv4-mapped IPv6
    ],
)
def test_a_request_from_another_machine_is_refused_in_local_mode(app, method, path, address, sow_data):
    client = app.test_client()
    response = getattr(client, method)(
        path,
        environ_base={"REMOTE_ADDR": address},
        json=person(1) if path == "/api/freelancers" else {"template": "sow", "data": sow_data},
    )
    assert response.status_code == 403
    assert "local mode" in response.json["error"]
    assert app.test_client().get("/api/freelancers").json["total"] == 0  # nothing was added


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",  # IPv4 loopback
        "127.8.9.1",  # all of 127/8 is this machine
        "::1",  # IPv6 loopback
    ],
)
def test_a_request_from_this_machine_is_served_in_local_mode(app, address):
    assert app.test_client().get("/api/freelancers", environ_base={"REMOTE_ADDR": address}).status_code == 200


@pytest.mark.parametrize(
    "forwarded",
    [
        {"X-Forwarded-For": "127.0.0.1"},  # the de-facto header
        {"X-Real-IP": "127.0.0.1"},  # nginx's
        {"Forwarded": "for=127.0.0.1"},  # RFC 7239
        {"True-Client-IP": "127.0.0.1"},  # Akamai's and Cloudflare Enterprise's
        {"CF-Connecting-IP": "127.0.0.1"},  # Cloudflare's
        {"X-Client-IP": "127.0.0.1"},  # others'
    ],
)
def test_a_request_from_another_machine_cannot_claim_to_be_forwarded_from_this_one(app, forwarded):
    response = app.test_client().get("/api/freelancers", environ_base={"REMOTE_ADDR": "10.1.2.3"}, headers=forwarded)
    assert response.status_code == 403


# -- the Host a request is addressed to (DNS rebinding) ----------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/freelancers",  # the roster
        "/api/freelancers/export",  # all of it at once
        "/taskpane.html",  # the pane, whose scripts then call the API
    ],
)
@pytest.mark.parametrize(
    "host",
    [
        "evil.example",  # a rebinding page on port 80 (the test client's port)
        "evil.example:3000",  # ... or on the server's own port
        "localhost.evil.example:3000",  # a name that starts like ours
        "127.0.0.1.nip.io:3000",  # a public name that resolves to loopback
        "evil.example@localhost:3000",  # user info is no part of a Host
        "localhost:4000",  # our name on a port we do not serve
        "[::1]:8080",  # nor that one
        "",  # no host at all
    ],
)
def test_in_local_mode_a_request_addressed_to_another_host_is_refused(app, path, host, add):
    add(person(1))
    response = app.test_client().get(path, headers={"Host": host})
    assert response.status_code == 403
    assert "local mode" in response.json["error"] and "https://localhost:3000" in response.json["error"]
    assert "freelancer0001" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "host",
    [
        "localhost:3000",  # the configured PORT, by name
        "127.0.0.1:3000",  # by IPv4 address
        "[::1]:3000",  # by IPv6 address
        "LocalHost:3000",  # host names are case-insensitive
        "localhost",  # the port the test client says it listens on (80)
    ],
)
def test_in_local_mode_a_request_addressed_to_this_machine_is_served(app, host):
    assert app.test_client().get("/api/freelancers", headers={"Host": host}).status_code == 200


def test_in_local_mode_the_public_url_and_the_port_listened_on_are_this_machine_too(database_url, tmp_path):
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY_FILE": str(tmp_path / "key"),
            "PUBLIC_URL": "https://freelance.test:8443",
        }
    )
    client = app.test_client()
    try:
        assert client.get("/api/templates", headers={"Host": "freelance.test:8443"}).status_code == 200
        assert client.get("/api/templates", base_url="http://127.0.0.1:8123").status_code == 200
        assert (
            client.get("/api/templates", base_url="http://127.0.0.1:8123", headers={"Host": "127.0.0.1:9"}).status_code
            == 403
        )
    finally:
        discard(app)


def test_a_real_server_in_local_mode_refuses_a_rebound_host_name(app):
    """What a DNS-rebinding page does: its own host name, resolved to 127.0.0.1, on the server's port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_port
        rebound = httpx.get(f"http://127.0.0.1:{port}/api/freelancers", headers={"Host": f"evil.example:{port}"})
        direct = httpx.get(f"http://127.0.0.1:{port}/api/freelancers")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
    assert (rebound.status_code, direct.status_code) == (403, 200)


def test_with_sign_in_the_host_is_not_checked(make_entra_app):
    client = make_entra_app().test_client()
    assert client.get("/api/config", headers={"Host": "freelance.contoso.com"}).status_code == 200

"""Another site's page cannot change anything here, and local mode does not serve through a proxy."""

from __future__ import annotations

import pytest

ZOE = {"name": "Zoe Angstrom", "email": "zoe@angstrom.example", "address": "1 Road", "country": "US"}


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},  # another origin says so
        {"Sec-Fetch-Site": "cross-site"},  # the browser says so
        {"Sec-Fetch-Site": "same-site", "Origin": "https://localhost:4000"},  # another port of this host
    ],
)
def test_a_change_sent_from_another_site_is_refused_and_nothing_is_written(client, headers):
    response = client.post("/api/freelancers", json=ZOE, headers=headers)
    assert response.status_code == 403
    assert "another site" in response.json["error"]
    assert client.get("/api/freelancers").json["total"] == 0


@pytest.mark.parametrize(
    "headers",
    [
        {},  # a script or curl: no browser headers
        {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},  # the pane itself
    ],
)
def test_a_change_from_this_servers_own_pages_or_a_script_goes_through(client, headers):
    assert client.post("/api/freelancers", json=ZOE, headers=headers).status_code == 201


def test_reading_is_allowed_from_anywhere_on_this_machine(client):
    assert client.get("/api/freelancers", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200


@pytest.mark.parametrize(
    "header", ["X-Forwarded-For", "Forwarded", "X-Real-IP", "True-Client-IP", "CF-Connecting-IP", "X-Client-IP"]
)
def test_local_mode_refuses_requests_that_came_through_a_proxy(client, header):
    response = client.get("/api/freelancers", headers={header: "203.0.113.7"})
    assert response.status_code == 403
    assert "proxy" in response.json["error"]

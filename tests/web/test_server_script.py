"""``python server.py``, as a newcomer starts it: help, a host and port of their choosing (the served
manifest follows the port), and one sentence, never a traceback, for what it cannot do."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from freelance.web.config import Settings
from tests.network import free_port

ROOT = Path(__file__).resolve().parents[2]


def _server(*args: str, database: Path, **popen) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("HOST", "PORT", "PUBLIC_URL")} | {
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY_FILE": str(database.parent / "secret.key"),
    }
    return subprocess.Popen(
        [sys.executable, "server.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def _finished(*args: str, database: Path) -> subprocess.CompletedProcess:
    process = _server(*args, database=database)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_help_lists_the_options_and_exits_0(tmp_path):
    shown = _finished("--help", database=tmp_path / "db.sqlite")
    assert shown.returncode == 0, shown.stderr
    for option in ("--host", "--port", "--http"):
        assert option in shown.stdout


def test_a_port_moves_the_served_manifest_with_it(tmp_path):
    port = free_port()
    server = _server("--http", "--port", str(port), database=tmp_path / "db.sqlite")
    try:
        for _ in range(150):
            try:
                manifest = httpx.get(f"http://127.0.0.1:{port}/manifest.xml", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        assert manifest.status_code == 200
        assert f"https://localhost:{port}/taskpane.html" in manifest.text
        assert "https://localhost:3000" not in manifest.text
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_public_url_follows_the_port_unless_it_is_set():
    assert Settings.load({"PORT": "3456"}).PUBLIC_URL == "https://localhost:3456"
    assert Settings.load({"PORT": "3456", "PUBLIC_URL": "https://addin.contoso.com"}).PUBLIC_URL == (
        "https://addin.contoso.com"
    )
    assert Settings.load({}).PUBLIC_URL == "https://localhost:3000"


def test_another_host_without_sign_in_is_refused_in_one_sentence(tmp_path):
    refused = _finished("--host", "0.0.0.0", database=tmp_path / "db.sqlite")
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    assert refused.stderr.count("\n") == 1 and refused.stderr.count(". ") == 0
    assert refused.stderr.startswith("server.py: HOST=0.0.0.0 is refused")


def test_a_port_in_use_is_named_with_the_setting_that_changes_it(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused = _finished("--port", str(port), database=tmp_path / "db.sqlite")
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert f"port {port} on 127.0.0.1 is in use by another program" in refused.stderr
    assert f"PORT={port + 1}" in refused.stderr

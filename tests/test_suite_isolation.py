"""The suite cannot hurt anyone's data: a DATABASE_URL (or REDIS_URL) in the environment is never used."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from tests.helpers import ROOT


def test_the_database_the_environment_names_is_never_touched(tmp_path):
    victim = tmp_path / "production.db"
    with sqlite3.connect(victim) as connection:
        connection.execute("CREATE TABLE freelancers (name TEXT)")
        connection.execute("INSERT INTO freelancers VALUES ('Zoë Ångström')")
    before = victim.read_bytes()
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"} | {
        "DATABASE_URL": f"sqlite:///{victim}",
        "REDIS_URL": "redis://127.0.0.1:1/0",  # were it used, every batch test would fail: nothing listens there
    }
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/roster/test_export.py",
            "tests/batches/test_batches_api.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,  # a guard against a hang, not a time limit: a busy machine runs it slowly
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert victim.read_bytes() == before

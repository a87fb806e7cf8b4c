"""The command line: ``flask --app server freelancers import`` and ``flask --app server documents generate``,
through click's CliRunner on the test app, and once as real processes on a SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from freelance.database import connect
from freelance.roster.service import Query, Roster
from freelance.web.services import services
from tests.helpers import ROOT
from tests.reading import content_controls
from tests.roster.files import HEADER, TENANT, csv_bytes, pdf_bytes, person, xlsx_bytes

FLASK = Path(sys.executable).parent / "flask"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def roster_file(tmp_path) -> Path:
    """A 1,200-row .xlsx roster: long enough for the progress bar to move."""
    path = tmp_path / "roster.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [["Full name", "E-mail", "Address", "Country code", "Hourly rate", "Currency"]]
            + [[*person(i).values(), "45", "USD"] for i in range(1_200)]
        )
    )
    return path


def test_importing_a_roster_prints_the_counts_and_exits_0(runner, roster, roster_file):
    result = runner.invoke(args=["freelancers", "import", str(roster_file)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "created 1200, updated 0, unchanged 0\n"
    assert "Importing" in result.stderr  # the progress bar writes to stderr, keeping stdout for scripts
    assert roster.search(TENANT, Query()).total == 1200
    again = runner.invoke(args=["freelancers", "import", str(roster_file)])
    assert again.stdout == "created 0, updated 0, unchanged 1200\n"


def test_a_dry_run_says_what_would_happen_and_writes_nothing(runner, roster_state, roster_file):
    result = runner.invoke(args=["freelancers", "import", "--dry-run", str(roster_file)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "would create 1200, updated 0, unchanged 0\n"
    assert roster_state() == []


def test_a_refused_roster_exits_1_listing_each_problem_on_stderr(runner, roster_state, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["Full name", "E-mail", "Address", "Country code"],
                ["Zoe", "zoe@example.org", "1 Road", "US"],
                ["Bao", "bao", "2 Road", "Narnia"],
            ]
        )
    )
    result = runner.invoke(args=["freelancers", "import", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "error: 2 problems in the roster; nothing was imported." in result.stderr
    assert "  row 3, E-mail: " in result.stderr and "  row 3, Country code: " in result.stderr
    assert roster_state() == []


def test_columns_the_roster_does_not_know_are_named_on_stderr(runner, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx_bytes([[*HEADER, "Notes"], [*person(1).values(), "met in Lisbon"]]))
    result = runner.invoke(args=["freelancers", "import", str(path)])
    assert result.exit_code == 0
    assert "ignored columns: Notes" in result.stderr


@pytest.mark.parametrize(
    "filename, content",
    [
        ("empty.csv", b""),  # nothing in it
        ("headers.xlsx", xlsx_bytes([HEADER])),  # headers only
        ("damaged.xlsx", b"PK\x05\x06" + bytes(18)),  # an empty zip (openpyxl cannot count its rows)
        ("roster.pdf", pdf_bytes()),  # not a roster at all
    ],
    ids=["empty", "headers-only", "damaged-xlsx", "pdf"],
)
def test_a_file_that_is_not_a_roster_exits_1_with_a_one_line_reason(runner, tmp_path, filename, content):
    path = tmp_path / filename
    path.write_bytes(content)
    result = runner.invoke(args=["freelancers", "import", str(path)])
    assert (result.exit_code, type(result.exception)) == (1, SystemExit), result.exception
    assert result.stderr.splitlines()[-1].startswith("error: ")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["freelancers", "import", "missing.csv"],  # no such file
        ["freelancers", "import"],  # no file named
        ["freelancers", "import", "--force", "x"],  # an option that does not exist
    ],
)
def test_bad_usage_exits_2(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert "Usage:" in result.output


def test_generating_a_contract_for_a_roster_freelancer_writes_the_file_and_records_it(
    app, runner, add, sow_data, tmp_path
):
    zoe = add(person(7, name="Zoe Angstrom"))
    data = tmp_path / "data.json"
    data.write_text(json.dumps({k: v for k, v in sow_data.items() if k != "freelancer"} | {"freelancer_id": zoe["id"]}))
    out = tmp_path / "out.docx"
    result = runner.invoke(args=["documents", "generate", "sow", str(data), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert set(content_controls(out.read_bytes())["freelancer.name"]) == {"Zoe Angstrom"}
    page = services(app).store.documents(TENANT, 1, 10)
    assert page.total == 1 and page.items[0].data["freelancer"]["email"] == zoe["email"]
    assert result.stdout.startswith(f"{out} (") and str(page.items[0].id) in result.stdout


EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_each_example_in_the_api_body_form_generates_its_template(app, runner, example, tmp_path):
    body = json.loads(example.read_text("utf-8"))
    out = tmp_path / f"out.{'xlsx' if body['template'] == 'budget' else 'docx'}"
    result = runner.invoke(args=["documents", "generate", str(example), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(out)
    assert services(app).store.documents(TENANT, 1, 10).items[0].template == body["template"]


def test_the_examples_cover_every_shipped_template_and_both_fee_kinds():
    bodies = [json.loads(path.read_text("utf-8")) for path in EXAMPLES]
    assert {body["template"] for body in bodies} == {"sow", "nda-mutual", "nda-one-way", "budget"}
    assert {body["data"]["fee"]["model"] for body in bodies if body["template"] == "sow"} == {"fixed", "hourly"}


@pytest.mark.parametrize(
    "args, words",
    [
        (["nda-mutual", "examples/sow-fixed.json"], "is for template 'sow', not 'nda-mutual'"),  # two templates
        (["bare.json"], "Name the template"),  # bare data without a template
        (["sow", "a.json", "b.json"], "at most a template and a data file"),  # one file too many
        (["sow", "missing.json"], "cannot be read"),  # no such file
    ],
)
def test_a_data_file_the_command_cannot_use_is_bad_usage(runner, tmp_path, sow_data, args, words, monkeypatch):
    monkeypatch.chdir(ROOT if "examples/sow-fixed.json" in args else tmp_path)
    (tmp_path / "bare.json").write_text(json.dumps(sow_data))
    result = runner.invoke(args=["documents", "generate", *args])
    assert result.exit_code == 2, result.output
    assert words in result.output


def test_the_body_form_s_format_is_used_unless_the_option_says_otherwise(runner, tmp_path, sow_data):
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"template": "sow", "data": sow_data, "format": "xlsx"}))
    result = runner.invoke(args=["documents", "generate", str(body)])
    assert result.exit_code == 1 and "template sow makes docx" in result.stderr
    out = tmp_path / "out.docx"
    result = runner.invoke(args=["documents", "generate", str(body), "--format", "docx", "-o", str(out)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "template, content, words",
    [
        ("sow", "{not json", "is not valid JSON"),  # broken JSON
        ("sow", json.dumps({"sow_number": "X"}), "not valid"),  # data missing most fields
        ("sow", json.dumps({"freelancer_id": "00000000-0000-0000-0000-000000000000"}), "freelancer_id"),  # nobody
        ("invoice", "{}", "no template 'invoice'"),  # an unknown template
    ],
)
def test_a_document_that_cannot_be_generated_exits_1_saying_why(runner, tmp_path, template, content, words):
    data = tmp_path / "data.json"
    data.write_text(content)
    result = runner.invoke(args=["documents", "generate", template, str(data), "-o", str(tmp_path / "out.docx")])
    assert result.exit_code == 1, result.output
    assert words in result.stderr
    assert not (tmp_path / "out.docx").exists()


def _flask(*args: str, database: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    env = os.environ | {"DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [str(FLASK), "--app", "server", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_the_flask_command_imports_a_roster_and_generates_a_contract_from_it(tmp_path, roster_file, sow_data):
    database = tmp_path / "cli.db"
    imported = _flask("freelancers", "import", str(roster_file), database=database)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout == "created 1200, updated 0, unchanged 0\n"

    refused = tmp_path / "bad.csv"
    refused.write_bytes(csv_bytes([HEADER, ["Zoe", "zoe", "1 Road", "US"]]))
    failed = _flask("freelancers", "import", str(refused), database=database)
    assert failed.returncode == 1 and failed.stdout == ""
    assert "row 2, email: " in failed.stderr

    engine = connect(f"sqlite:///{database}")
    try:
        roster = Roster(engine)
        records = list(roster.each(TENANT))
        assert len(records) == 1200
        chosen = records[0]
    finally:
        engine.dispose()

    data = tmp_path / "data.json"
    data.write_text(
        json.dumps({k: v for k, v in sow_data.items() if k != "freelancer"} | {"freelancer_id": str(chosen.id)})
    )
    out = tmp_path / "out.docx"
    generated = _flask("documents", "generate", "sow", str(data), "-o", str(out), database=database)
    assert generated.returncode == 0, generated.stderr
    assert zipfile.is_zipfile(out)
    assert set(content_controls(out.read_bytes())["freelancer.name"]) == {chosen.name}


def test_a_batch_writes_a_zip_of_one_contract_per_freelancer(runner, add, sow_data, tmp_path):
    chosen = [add(person(i, name=name)) for i, name in enumerate(["Zoe Angstrom", "Ann Brook"])]
    data = tmp_path / "data.json"
    data.write_text(json.dumps({k: v for k, v in sow_data.items() if k != "freelancer"}))
    out = tmp_path / "out.zip"
    ids = ",".join(freelancer["id"] for freelancer in chosen)
    result = runner.invoke(args=["documents", "batch", "sow", str(data), "--freelancers", ids, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{out}: 2 documents, 0 failed"
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["SOW-2027-001 Ann Brook.docx", "SOW-2027-001 Zoe Angstrom.docx"]


def test_a_batch_naming_an_unknown_freelancer_exits_1_saying_which(runner, sow_data, tmp_path):
    data = tmp_path / "data.json"
    data.write_text(json.dumps({k: v for k, v in sow_data.items() if k != "freelancer"}))
    unknown = "0d1f6c2e-5b7a-4c3d-9e8f-a1b2c3d4e5f6"
    result = runner.invoke(
        args=["documents", "batch", "sow", str(data), "--freelancers", unknown, "-o", str(tmp_path / "out.zip")]
    )
    assert result.exit_code == 1
    assert unknown in result.stderr
    assert not (tmp_path / "out.zip").exists()

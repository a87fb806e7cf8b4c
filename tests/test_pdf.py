"""PDF contracts: LibreOffice kept warm converts a Word document to PDF/A-2b, tagged, once per record."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from freelance.pdf import PdfConverter, PdfSettings
from freelance.web import create_app
from freelance.web.services import services
from tests.helpers import needs_libreoffice

pytestmark = [
    *needs_libreoffice,
    pytest.mark.skipif(
        not os.environ.get("CI")
        and subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True).returncode != 0,
        reason="LibreOffice's Python module is not installed: apt-get install -y python3-uno",
    ),
]


def _pdf_info(tmp_path, content: bytes, *options: str) -> str:
    path = tmp_path / "contract.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdfinfo", *options, str(path)], capture_output=True, check=True, text=True).stdout


def _pdf_text(tmp_path, content: bytes) -> str:
    path = tmp_path / "contract.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_a_contract_asked_as_pdf_is_stored_and_returned_as_pdf_a(client, sow_data, tmp_path):
    made = client.post("/api/documents", json={"template": "sow", "data": sow_data, "format": "pdf"})
    assert made.status_code == 201, made.json
    assert made.json["format"] == "pdf" and made.json["filename"] == "SOW-2027-001 Zoe Angstrom.pdf"
    download = client.get(made.json["download_url"])
    assert download.mimetype == "application/pdf" and download.data.startswith(b"%PDF")
    assert "SOW-2027-001" in _pdf_text(tmp_path, download.data)
    info = _pdf_info(tmp_path, download.data)
    assert "Tagged:          yes" in info  # accessible: a structure tree
    assert "Title:           Statement of work SOW-2027-001: Brand refresh" in info  # the document's title
    metadata = _pdf_info(tmp_path, download.data, "-meta")
    assert "<pdfaid:part>2</pdfaid:part>" in metadata and "<pdfaid:conformance>B</pdfaid:conformance>" in metadata
    assert b"/Lang(en-US)" in download.data  # the document's language, for screen readers


def test_a_word_document_downloads_as_pdf_converted_once_and_kept(client, sow_data):
    document = client.post("/api/documents", json={"template": "sow", "data": sow_data}).json
    first = client.get(f"{document['download_url']}?format=pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.headers["Content-Disposition"].endswith('SOW-2027-001 Zoe Angstrom.pdf"')
    again = client.get(f"{document['download_url']}?format=pdf")
    assert again.data == first.data  # kept: a second conversion would differ in its timestamps
    assert client.get(document["download_url"]).mimetype.endswith("wordprocessingml.document")


def test_a_pdf_document_regenerates_as_pdf(client, sow_data):
    document = client.post("/api/documents", json={"template": "sow", "data": sow_data, "format": "pdf"}).json
    again = client.post(f"/api/documents/{document['id']}/regenerate")
    assert again.status_code == 201 and again.json["format"] == "pdf"


@pytest.mark.parametrize(("template", "format"), [("budget", "pdf"), ("sow", "xlsx")])
def test_a_format_the_template_cannot_make_is_refused(client, sow_data, template, format):
    refused = client.post("/api/documents", json={"template": template, "data": sow_data, "format": format})
    assert refused.status_code == 400
    assert refused.json["errors"][0]["field"] == "format"


def test_a_document_in_another_format_is_not_applicable(client, sow_data):
    document = client.post("/api/documents", json={"template": "sow", "data": sow_data}).json
    assert client.get(f"{document['download_url']}?format=xlsx").status_code == 422
    assert client.get(f"{document['download_url']}?format=odt").status_code == 400


@pytest.fixture
def sow_docx(sow_data, catalog) -> bytes:
    """The sample SOW, rendered."""
    return catalog["sow"].generate(catalog["sow"].validate(sow_data)).content


def test_a_crashed_converter_is_replaced_for_the_next_conversion(sow_docx):
    converter = PdfConverter(PdfSettings(converters=1))
    try:
        assert converter.convert(sow_docx).startswith(b"%PDF")
        (running,) = converter._converters
        os.killpg(running._process.pid, signal.SIGKILL)  # LibreOffice and its server die mid-life
        running._process.wait()
        assert converter.convert(sow_docx).startswith(b"%PDF")
    finally:
        converter.close()


def test_a_closed_pool_leaves_no_files_behind(sow_docx, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # where the converters' LibreOffice would leave its own
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    converter = PdfConverter(PdfSettings(converters=1))
    try:
        assert converter.convert(sow_docx).startswith(b"%PDF")
    finally:
        converter.close()
    assert list(tmp_path.iterdir()) == []


def test_the_converters_stop_when_the_service_is_killed(sow_docx, tmp_path):
    (tmp_path / "sow.docx").write_bytes(sow_docx)
    folder = tmp_path / "converters"  # named in the converters' command lines (their profiles), and theirs only
    folder.mkdir()
    service = subprocess.Popen(
        [sys.executable, "-c", _SERVICE, str(tmp_path / "sow.docx")],
        env=os.environ | {"TMPDIR": str(folder)},
        stdout=subprocess.PIPE,
    )
    try:
        assert service.stdout.readline() == b"converted\n"
        running = " ".join(_processes_naming(folder).values())
        assert "pdf_server" in running and "soffice.bin" in running  # unoserver and its LibreOffice
    finally:
        service.kill()  # no atexit, no clean-up: only the closed pipe tells the converter
        service.communicate()
    deadline = time.monotonic() + 60
    while (left := _processes_naming(folder)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in left:  # a failure leaves nothing running
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, left


_SERVICE = """
import pathlib, sys, time
from freelance.pdf import PdfConverter, PdfSettings
PdfConverter(PdfSettings(converters=1)).convert(pathlib.Path(sys.argv[1]).read_bytes())
print("converted", flush=True)
time.sleep(600)
"""


def _processes_naming(folder: Path) -> dict[int, str]:
    """The running processes whose command lines name ``folder`` (zombies have none), by pid."""
    named = {}
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended while read
            continue
        if str(folder) in command:
            named[int(cmdline.parent.name)] = command
    return named


def test_without_libreoffice_pdf_answers_503_saying_what_to_install_and_the_rest_works(
    database_url, tmp_path, sow_data
):
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY_FILE": str(tmp_path / "key"), "PDF_SOFFICE": "/nonexistent/soffice"}
    )
    client = app.test_client()
    try:
        refused = client.post("/api/documents", json={"template": "sow", "data": sow_data, "format": "pdf"})
        assert refused.status_code == 503
        assert "apt-get install" in refused.json["error"]
        assert client.post("/api/documents", json={"template": "sow", "data": sow_data}).status_code == 201
    finally:
        services(app).store.engine.dispose()


def test_a_full_queue_answers_503_with_retry_after(client, sow_data, app):
    pool = services(app).pdf
    taken = 0
    while pool._admitted.acquire(blocking=False):  # every converter busy, every place in the queue taken
        taken += 1
    try:
        refused = client.post("/api/documents", json={"template": "sow", "data": sow_data, "format": "pdf"})
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
    finally:
        for _ in range(taken):
            pool._admitted.release()


def test_a_signed_link_downloads_the_pdf_of_a_word_document(client, sow_data):
    document = client.post("/api/documents", json={"template": "sow", "data": sow_data}).json
    link = client.post(f"/api/documents/{document['id']}/link?format=pdf").json
    assert link["url"].endswith("?format=pdf")
    downloaded = client.get(link["url"].split("localhost:3000", 1)[1])
    assert downloaded.status_code == 200 and downloaded.mimetype == "application/pdf"


def test_a_table_of_contents_gets_its_entries_and_page_numbers(tmp_path):
    document = Document()
    document.element.body.insert(
        0,
        parse_xml(
            f"<w:p {nsdecls('w')}><w:r>"
            '<w:fldChar w:fldCharType="begin"/><w:instrText xml:space="preserve"> TOC \\o "1-1" \\h </w:instrText>'
            '<w:fldChar w:fldCharType="separate"/><w:t>Update this field</w:t><w:fldChar w:fldCharType="end"/>'
            "</w:r></w:p>"
        ),
    )
    document.add_heading("Scope of work", level=1)
    document.add_page_break()
    document.add_heading("Payment terms", level=1)
    buffer = io.BytesIO()
    document.save(buffer)
    converter = PdfConverter(PdfSettings(converters=1))
    try:
        text = _pdf_text(tmp_path, converter.convert(buffer.getvalue()))
    finally:
        converter.close()
    assert "Update this field" not in text  # the contents were made afresh, with their page numbers
    assert re.search(r"Payment terms\W*2", text), text

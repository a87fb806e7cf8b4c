"""Roster files as people make them: CSV text in the encodings Excel writes, .xlsx workbooks made
with openpyxl, and uploads that are not rosters at all (a PDF, a PNG, an old .xls, zip bombs)."""

from __future__ import annotations

import csv
import functools
import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook

TENANT = "local"
"""The tenant of local mode, whose roster the tests fill."""

HEADER = ["name", "email", "address", "country"]


ZOE = {
    "name": "Zoe Angstrom",
    "business_name": "Angstrom Design LLC",
    "email": "zoe@angstrom.example",
    "phone": "+1 206 555 0134",
    "address": "12 Pike Street\nSeattle, WA 98101",
    "country": "US",
    "tax_id": "98-7654321",
    "rate": "95.5",
    "rate_unit": "hour",
    "currency": "USD",
    "profile_url": "https://www.upwork.com/freelancers/~01zoe",
}
"""A freelancer with every detail a contract prints (a multi-line address, a business name, a rate)."""


def person(i: int, **changes: Any) -> dict[str, Any]:
    """Valid JSON details of freelancer ``i`` (a distinct email per ``i``), with ``changes`` applied."""
    details = {
        "name": f"Freelancer {i:04d}",
        "email": f"freelancer{i:04d}@example.org",
        "address": f"{i} Pike Street\nSeattle, WA 98101",
        "country": "US",
    }
    return details | changes


def csv_bytes(
    rows: Iterable[Sequence[Any]], *, delimiter: str = ",", encoding: str = "utf-8", bom: bool = False
) -> bytes:
    """Return ``rows`` (the first is the header) as CSV in ``encoding``, Windows line ends as Excel writes."""
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + text.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Iterable[Sequence[Any]], *, blank_rows: dict[int, int] | None = None, title: str = "Roster"
) -> bytes:
    """Return ``rows`` as the first sheet of an .xlsx; ``blank_rows`` {after row n: count} inserts rows
    that look empty but are there (cells holding "" across the columns, as a cleared sheet keeps them)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    number = 0
    for index, row in enumerate(rows, start=1):
        number += 1
        for column, value in enumerate(row, start=1):
            sheet.cell(number, column).value = value
        for _ in range((blank_rows or {}).get(index, 0)):
            number += 1
            for column in range(1, len(row) + 1):
                sheet.cell(number, column).value = ""
    out = io.BytesIO()
    workbook.save(out)
    workbook.close()
    return out.getvalue()


def _zip(members: Iterable[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return out.getvalue()


_XLSX_SKELETON = [
    (
        "[Content_Types].xml",
        b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    ),
    (
        "_rels/.rels",
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>',
    ),
]


@functools.cache
def zip_bomb() -> bytes:
    """An .xlsx-shaped zip whose sheet is 100 MB of zeros: about 100 KB on the wire."""
    return _zip([*_XLSX_SKELETON, ("xl/worksheets/sheet1.xml", bytes(100 * 1024 * 1024))])


@functools.cache
def zip_of_many_members() -> bytes:
    """An .xlsx-shaped zip of 5,000 tiny members (more than any workbook has)."""
    return _zip([*_XLSX_SKELETON, *((f"xl/media/image{i}.png", b"x") for i in range(5_000))])


@functools.cache
def zip_expanding_to_300_mb() -> bytes:
    """An .xlsx-shaped zip of 300 members of 1 MB of zeros each: no single member looks like a bomb."""
    megabyte = bytes(1024 * 1024)
    return _zip([*_XLSX_SKELETON, *((f"xl/worksheets/sheet{i}.xml", megabyte) for i in range(1, 301))])


def png_bytes() -> bytes:
    """A real 64x64 RGB PNG (a colour gradient): binary bytes that are neither UTF-8 nor Windows-1252."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = b"".join(b"\x00" + bytes(((x * x + y * y) // 3) % 256 for x in range(64 * 3)) for y in range(64))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(pixels, 9))
        + chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    """A one-page PDF with a deflated content stream, as every PDF writer makes them."""
    content = zlib.compress(b"BT /F1 24 Tf 72 720 Td (Freelancer roster) Tj ET\n" * 20)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def xls_bytes() -> bytes:
    """The start of an old Excel 97-2003 workbook: an OLE2 compound file header and its sectors."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9)
    return header.ljust(512, b"\x00") + bytes(range(256)) * 6


def docx_bytes() -> bytes:
    """A Word document (a zip, but not a workbook)."""
    import docx

    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("name, email, address, country")
    document.save(out)
    return out.getvalue()


def multipart(content: bytes, filename: str, field: str = "file") -> tuple[bytes, str]:
    """Return (body, content type) of a multipart/form-data upload of ``content``, as a browser sends it.

    (Werkzeug's test client would encode large uploads into a temporary file it never closes.)
    """
    boundary = "----RosterUpload7MA4YWxkTrZu0gW"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"

"""pack() writes ZIPs that zipfile reads back exactly; open_checked() refuses ZIPs unsafe to open."""

from __future__ import annotations

import io
import random
import zipfile
import zlib

import pytest

from freelance.documents import UnsafeZip, ZipLimits, open_checked
from freelance.documents.ziparchive import Member, pack
from tests.documents.docx_files import make_docx, members_of, zip_of

MiB = 1024 * 1024
_UTF8_NAME_FLAG = 0x800

MEMBERS = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
    "word/document.xml": "<w:document>Zoë Ångström</w:document>".encode(),
    "word/media/Ångström logo ✓.png": random.Random(1).randbytes(40_000),  # non-ASCII name, incompressible
    "word/media/zeros.bin": bytes(100_000),  # very compressible
    "customXml/empty.xml": b"",  # empty
}


def _packed(members: dict[str, bytes] = MEMBERS) -> bytes:
    return pack([Member.of(name, content) for name, content in members.items()])


def _infos(archive: bytes) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return opened.infolist()


# --- pack ---------------------------------------------------------------------------------------


def test_a_packed_archive_passes_zipfiles_own_integrity_check():
    with zipfile.ZipFile(io.BytesIO(_packed())) as archive:
        assert archive.testzip() is None


def test_packed_members_keep_their_names_contents_and_order():
    members = members_of(_packed())
    assert list(members) == list(MEMBERS)
    assert members == MEMBERS


def test_each_packed_member_records_the_crc_and_size_of_its_content():
    assert [(info.CRC, info.file_size) for info in _infos(_packed())] == [
        (zlib.crc32(content), len(content)) for content in MEMBERS.values()
    ]


def test_every_packed_member_is_deflated_and_dated_1980_01_01():
    infos = _infos(_packed())
    assert {info.compress_type for info in infos} == {zipfile.ZIP_DEFLATED}
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize(
    ("name", "utf8_flag"),
    [
        ("word/document.xml", False),  # ASCII names need no flag, as every reader takes them the same way
        ("word/media/Ångström logo ✓.png", True),  # others are marked UTF-8, or readers take them as CP437
    ],
)
def test_a_member_name_is_marked_utf8_only_when_it_is_not_ascii(name, utf8_flag):
    (info,) = _infos(_packed({name: b"content"}))
    assert info.filename == name
    assert bool(info.flag_bits & _UTF8_NAME_FLAG) is utf8_flag


def test_packing_the_same_members_twice_gives_identical_bytes():
    assert _packed() == _packed()


def test_no_members_pack_to_an_empty_archive():
    assert _infos(pack([])) == []


# --- open_checked -------------------------------------------------------------------------------

_THREE_SMALL = {"a.xml": b"<a/>" * 250, "b.xml": b"<b/>" * 250, "c.xml": b"<c/>" * 250}  # 3000 bytes in all


@pytest.mark.parametrize(
    ("archive", "limits", "why"),
    [
        # not a ZIP at all
        (b"%PDF-1.7 a PDF, not a .docx", ZipLimits(), r"^the file is not a valid ZIP archive"),
        # more members than allowed
        (
            zip_of(_THREE_SMALL | {"d.xml": b"<d/>"}),
            ZipLimits(max_members=3),
            r"^the archive has 4 members; at most 3 are accepted$",
        ),
        # more bytes, once decompressed, than allowed
        (
            zip_of(_THREE_SMALL),
            ZipLimits(max_total_size=2999),
            r"^the archive would expand to 3000 bytes; at most 2999 are accepted$",
        ),
        # a member over 1 MiB deflated a thousandfold: a zip bomb
        (
            zip_of({"word/document.xml": b"<w:document/>", "word/media/zeros.bin": bytes(2 * MiB)}),
            ZipLimits(),
            r"^member 'word/media/zeros\.bin' expands \d+-fold, which only a zip bomb does$",
        ),
    ],
    ids=["not-a-zip", "too-many-members", "too-large-in-total", "over-compressed-member"],
)
def test_open_checked_refuses_an_unsafe_archive_saying_why(archive, limits, why):
    with pytest.raises(UnsafeZip, match=why):
        open_checked(archive, limits)


@pytest.mark.parametrize(
    ("archive", "limits"),
    [
        # a .docx written by python-docx
        (make_docx("Statement of work", header="Contoso"), ZipLimits()),
        # what pack() writes
        (_packed(), ZipLimits()),
        # exactly as many members as allowed
        (zip_of(_THREE_SMALL), ZipLimits(max_members=3)),
        # exactly as many bytes as allowed
        (zip_of(_THREE_SMALL), ZipLimits(max_total_size=3000)),
        # compresses a thousandfold, but is only 1 MiB: too small to be a bomb
        (zip_of({"word/media/zeros.bin": bytes(MiB)}), ZipLimits()),
        # over 1 MiB, but hardly compressible
        (zip_of({"word/media/photo.jpg": random.Random(2).randbytes(2 * MiB)}), ZipLimits()),
    ],
    ids=[
        "python-docx-docx",
        "packed",
        "members-at-limit",
        "size-at-limit",
        "small-compressible",
        "large-incompressible",
    ],
)
def test_open_checked_accepts_an_archive_within_its_limits(archive, limits):
    with open_checked(archive, limits) as opened:
        assert opened.infolist()

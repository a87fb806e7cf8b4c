"""Deterministic ZIP writing from pre-compressed members, and safe reading of untrusted ZIPs.

Python's ``zipfile`` compresses every member it writes. A compiled template keeps its unchanged
members already compressed, so a render only deflates what changed; this module lays those bytes
out as a ZIP (PKWARE APPNOTE 4.3: local headers, data, central directory) with fixed timestamps,
so the same members always give the same bytes.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from io import BytesIO

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1
_VERSION = 20
_DEFLATED = 8
_UTF8_NAME = 0x800


@dataclass(frozen=True, slots=True)
class Member:
    """One ZIP member: its name and its content, raw-deflated."""

    name: str
    crc: int
    size: int
    deflated: bytes

    @classmethod
    def of(cls, name: str, content: bytes, level: int = 6) -> Member:
        """Return the member holding ``content``, deflated now at zlib ``level`` (1 fastest, 9 smallest)."""
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        deflated = compressor.compress(content) + compressor.flush()
        return cls(name, zlib.crc32(content), len(content), deflated)


def pack(members: list[Member]) -> bytes:
    """Return the ZIP archive of ``members`` in the order given, every timestamp 1980-01-01."""
    out = bytearray()
    directory = bytearray()
    for member in members:
        name = member.name.encode("utf-8")
        flags = 0 if name.isascii() else _UTF8_NAME
        offset = len(out)
        # What the local header and the central directory entry both say of the member (APPNOTE 4.3.7, 4.3.12):
        # flags, method, time, date, CRC, compressed size, size, name length.
        described = (
            flags,
            _DEFLATED,
            0,
            _DOS_DATE_1980_01_01,
            member.crc,
            len(member.deflated),
            member.size,
            len(name),
        )
        out += _LOCAL.pack(0x04034B50, _VERSION, *described, 0)
        out += name
        out += member.deflated
        # Then: extra, comment, disk, internal and external attributes, and where the local header is.
        directory += _CENTRAL.pack(0x02014B50, _VERSION, _VERSION, *described, 0, 0, 0, 0, 0, offset)
        directory += name
    if len(out) + len(directory) >= 0xFFFFFFFF or len(members) >= 0xFFFF:
        raise ValueError("archive too large for a ZIP without ZIP64")
    start = len(out)
    out += directory
    out += _END.pack(0x06054B50, 0, 0, len(members), len(members), len(directory), start, 0)
    return bytes(out)


@dataclass(frozen=True)
class ZipLimits:
    """What an uploaded or template ZIP may hold before anything in it is decompressed."""

    max_members: int = 2_000
    max_total_size: int = 200 * 1024 * 1024
    max_member_size: int = 100 * 1024 * 1024
    max_ratio: int = 200


class UnsafeZip(ValueError):
    """The bytes are not a ZIP, or a ZIP that would be unsafe to open (a zip bomb)."""


def open_checked(data: bytes, limits: ZipLimits = ZipLimits()) -> zipfile.ZipFile:
    """Return ``data`` opened as a ZIP after checking its directory against ``limits``.

    Raises UnsafeZip, saying why, for a non-ZIP, too many members, a name given twice, too large a
    total size, or a member whose compression ratio only a zip bomb has. Only the central directory is read.
    """
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise UnsafeZip("the file is not a valid ZIP archive (.docx and .xlsx files are)") from exc
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise UnsafeZip(f"the archive has {len(members)} members; at most {limits.max_members} are accepted")
    names = [info.filename for info in members]
    if len(set(names)) < len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise UnsafeZip(f"the archive holds {twice!r} twice: which one a reader takes differs, so it is refused")
    total = sum(info.file_size for info in members)
    if total > limits.max_total_size:
        raise UnsafeZip(f"the archive would expand to {total} bytes; at most {limits.max_total_size} are accepted")
    for info in members:
        if info.file_size > limits.max_member_size:
            raise UnsafeZip(
                f"member {info.filename!r} would expand to {info.file_size} bytes; "
                f"at most {limits.max_member_size} are accepted"
            )
        if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise UnsafeZip(
                f"member {info.filename!r} expands {info.file_size // max(info.compress_size, 1)}-fold, "
                "which only a zip bomb does"
            )
    return archive

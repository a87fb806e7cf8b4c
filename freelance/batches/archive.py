"""A zip written as it is read: each file added is sent on, the archive never held whole in memory."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime


class _Sink(io.RawIOBase):
    """A write-only stream the zip writes into; ``take`` returns what was written since the last call."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        chunk, self._chunks = b"".join(self._chunks), []
        return chunk


def zipped(files: Iterable[tuple[str, bytes]], made: datetime) -> Iterator[bytes]:
    """Yield a zip of ``files`` (name and bytes, read as the zip goes) in chunks, one file at a time, each
    dated ``made``: the same files make the same bytes, whenever downloaded.

    Documents are zips already: they are stored, not compressed again.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, content in files:
            archive.writestr(zipfile.ZipInfo(name, made.timetuple()[:6]), content)
            yield sink.take()
    yield sink.take()


class UniqueNames:
    """Makes each name given unique (ignoring case) among those given before: ``SOW.docx``, ``SOW (2).docx``."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def unique(self, name: str) -> str:
        stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
        candidate, number = name, 1
        while candidate.lower() in self._seen:
            number += 1
            candidate = f"{stem} ({number}){dot}{extension}"
        self._seen.add(candidate.lower())
        return candidate

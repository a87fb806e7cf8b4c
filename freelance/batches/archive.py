"""A zip written as it is read: each file added is sent on, the archive never held whole in memory."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator


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


def zipped(files: Iterable[tuple[str, Callable[[], bytes]]]) -> Iterator[bytes]:
    """Yield a zip of ``files`` (name, and a function reading its bytes) in chunks, one file at a time.

    Documents are zips already: they are stored, not compressed again.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, content in files:
            archive.writestr(name, content())
            yield sink.take()
    yield sink.take()


def unique_names(names: Iterable[str]) -> list[str]:
    """Return ``names`` with each repeat (ignoring case) made unique: ``SOW.docx``, ``SOW (2).docx``."""
    seen: set[str] = set()
    unique = []
    for name in names:
        stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
        candidate, number = name, 1
        while candidate.lower() in seen:
            number += 1
            candidate = f"{stem} ({number}){dot}{extension}"
        seen.add(candidate.lower())
        unique.append(candidate)
    return unique

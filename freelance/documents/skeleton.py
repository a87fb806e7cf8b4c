"""XML parts cut at their slots: parsed and serialised once, then filled in at every render.

A compiler puts ``skeleton.slot(text)`` markers where the part changes (an attribute value, an
element's text or tail), then ``seal(root)`` serialises the tree once and splits it at the
markers. A render joins the fixed bytes with each slot's text: no XML is parsed or copied.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from lxml import etree

from .ziparchive import Member

State = TypeVar("State")
# DEL is legal in XML 1.0 yet never in a real template part: a marker made of it cannot clash.
RESERVED = b"\x7f"
_MARK = "\x7fslot{}\x7f"
_MARKS = re.compile(rb"\x7fslot(\d+)\x7f")
_CACHE_SIZE = 64


class Skeleton(Generic[State]):
    """One part's XML with slots; ``render(state)`` returns it as a Member.

    ``text`` functions of the slots read a render's state and return text already escaped for
    where the slot stands. A render deflates the part at zlib ``level``; with ``cache_key``,
    renders that give the same key share one Member.
    """

    def __init__(self, name: str, level: int, cache_key: Callable[[State], Hashable] | None = None):
        self.name, self._level = name, level
        self._texts: list[Callable[[State], str]] = []
        self._cache_key = cache_key
        self._cache: dict[Hashable, Member] = {}
        self._fixed: list[bytes] = []
        self._order: list[int] = []

    def slot(self, text: Callable[[State], str]) -> str:
        """Return the marker to put where ``text(state)`` goes."""
        self._texts.append(text)
        return _MARK.format(len(self._texts) - 1)

    def seal(self, root: etree._Element) -> Skeleton[State]:
        """Serialise ``root`` (holding this skeleton's markers) once; return self."""
        pieces = _MARKS.split(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))
        self._fixed, self._order = pieces[0::2], [int(index) for index in pieces[1::2]]
        return self

    def render(self, state: State) -> Member:
        """Return the part with every slot filled for ``state``, compressed."""
        key = self._cache_key(state) if self._cache_key else None
        if key is not None and key in self._cache:
            return self._cache[key]
        out = [self._fixed[0]]
        for index, fixed in zip(self._order, self._fixed[1:]):
            out += (self._texts[index](state).encode("utf-8"), fixed)
        member = Member.of(self.name, b"".join(out), self._level)
        if key is not None and len(self._cache) < _CACHE_SIZE:
            self._cache[key] = member
        return member

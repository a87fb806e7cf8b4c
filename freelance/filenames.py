"""File names of generated documents: what every file system takes and every browser shows as it is."""

from __future__ import annotations

import re

from .fields import BIDI_CONTROLS

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f]+')
_LONGEST = 150


def file_name(text: str, fallback: str) -> str:
    """Return ``text`` as a file name stem, or ``fallback`` when nothing of it is left.

    Bidirectional controls go (they make ``Zoe \\u202egnp.exe`` show as ``Zoe exe.png``); characters Windows
    forbids in names and control characters become spaces; white space is collapsed, the name cut to 150
    characters, leading and trailing dots dropped.
    """
    text = _UNSAFE.sub(" ", BIDI_CONTROLS.sub("", text))
    return " ".join(text.split())[:_LONGEST].strip(" .") or fallback

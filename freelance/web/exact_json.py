"""JSON bodies read so that every number means exactly what was written.

A JSON number becomes a float, which holds 15 significant digits: ``100.0000000000000001`` would arrive as
``100.0``, an amount rounded without a word, where the same amount sent as a string is refused for its
decimals. A number that a float cannot hold as written is refused instead, naming its field.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pydantic_core

from ..errors import InvalidData
from ..problems import Problem, field_path

_INEXACT = "has more digits than a JSON number carries exactly: send it as a string"
_MAYBE_INEXACT = re.compile(rb"[0-9.]{16,}|[0-9][eE][+-]?[0-9]{3,}")
"""Where a float may differ from what was written: 16 or more digits, or an exponent past 99 (overflow, underflow).
Up to 15 significant digits within range, a float is exact."""


class _Inexact:
    """Stands in for a number a float cannot hold as written, until its place is found and named."""


def parse(raw: bytes) -> Any:
    """Return the JSON document ``raw``.

    Raises ValueError when it is not JSON (NaN and Infinity are not; pydantic-core bounds the nesting depth),
    InvalidData naming the field of each number a float cannot hold as written.
    """
    document = pydantic_core.from_json(raw, allow_inf_nan=False)
    if _MAYBE_INEXACT.search(raw):
        inexact = _places(json.loads(raw, parse_float=_exact_or_marked))
        if inexact:
            raise InvalidData("The request body is not valid.", [Problem(path, _INEXACT) for path in inexact])
    return document


def _exact_or_marked(text: str) -> float | _Inexact:
    value = float(text)
    return value if Decimal(repr(value)) == Decimal(text) else _Inexact()


def _places(document: Any) -> list[str]:
    """Return the field path of each inexact number in ``document``, sorted."""
    found: list[str] = []
    pending: list[tuple[tuple[str | int, ...], Any]] = [((), document)]
    while pending:  # not recursive: the document may be as deep as pydantic-core allows
        path, value = pending.pop()
        if isinstance(value, _Inexact):
            found.append(field_path(path) or "(body)")
        elif isinstance(value, dict):
            pending += [((*path, key), item) for key, item in value.items()]
        elif isinstance(value, list):
            pending += [((*path, index), item) for index, item in enumerate(value)]
    return sorted(found)

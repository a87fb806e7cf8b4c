"""SpreadsheetML pieces a workbook render writes: cells as XML text, and A1 references.

A workbook template is filled through a ``Layout``: the tables whose rows a render writes, the
named cells it sets, and the function that turns a context into those values (a ``Fill``).
Text always becomes a string cell, never a formula, whatever it starts with.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl.utils.cell import column_index_from_string, get_column_letter

Value = str | Decimal | int | None
"""What a cell holds: text, a number, or nothing. A formula cell's value is its cached result."""

# A cell or rectangle, optionally after its sheet: the groups keep each part's "$" (absolute) mark.
_RANGE = re.compile(
    r"(?P<sheet>(?:'(?:[^']|'')+'|[^'!]+)!)?"
    r"(?P<c1>\$?[A-Z]{1,3})(?P<r1>\$?\d+)(?::(?P<c2>\$?[A-Z]{1,3})(?P<r2>\$?\d+))?"
)
# Characters XML 1.0 cannot carry, written the OOXML way (_xHHHH_); a literal "_xHHHH_" in the
# text is protected by escaping its underscore, so Excel shows it as typed.
_OOXML_ESCAPES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


@dataclass(frozen=True)
class TableSpec:
    """An Excel table a render fills: its input columns, and its computed (formula) columns."""

    name: str
    inputs: tuple[str, ...]
    computed: tuple[str, ...]


@dataclass(frozen=True)
class Fill:
    """What one render writes.

    ``tables`` maps a table name to its rows (column name -> value); ``cells`` maps a defined
    name to its value; ``currency_format`` replaces every number format containing ``¤``.
    """

    tables: Mapping[str, list[Mapping[str, Value]]]
    cells: Mapping[str, Value]
    currency_format: str


@dataclass(frozen=True)
class Layout:
    """What a workbook template must hold (tables, named input and formula cells) and how to fill it."""

    tables: tuple[TableSpec, ...]
    inputs: tuple[str, ...]
    computed: tuple[str, ...]
    fill: Callable[[Mapping[str, Any]], Fill]


@dataclass(frozen=True)
class Range:
    """A cell or a rectangle of cells, 1-based, optionally on a named sheet (``'Q1 plan'!$A$7:$M$9``)."""

    sheet: str
    first_column: int
    first_row: int
    last_column: int
    last_row: int
    absolute: tuple[str, str, str, str]

    @classmethod
    def parse(cls, text: str) -> Range | None:
        """Return the range ``text`` names, or None if it is not a single cell or rectangle."""
        found = _RANGE.fullmatch(text.strip())
        if not found:
            return None
        c1, r1 = found["c1"], found["r1"]
        c2, r2 = found["c2"] or c1, found["r2"] or r1
        marks = (_mark(c1), _mark(r1), _mark(c2), _mark(r2))
        first_column, last_column = (column_index_from_string(column.removeprefix("$")) for column in (c1, c2))
        first_row, last_row = (int(row.removeprefix("$")) for row in (r1, r2))
        return cls(found["sheet"] or "", first_column, first_row, last_column, last_row, marks)

    @property
    def is_cell(self) -> bool:
        return self.first_column == self.last_column and self.first_row == self.last_row

    def ending_at(self, last_row: int) -> str:
        """Return this range's text with its last row moved to ``last_row``."""
        c1, r1, c2, r2 = self.absolute
        return (
            f"{self.sheet}{c1}{get_column_letter(self.first_column)}{r1}{self.first_row}"
            f":{c2}{get_column_letter(self.last_column)}{r2}{last_row}"
        )


def _mark(part: str) -> str:
    return "$" if part.startswith("$") else ""


def xml_text(text: str) -> str:
    """Return ``text`` escaped for XML element or attribute content."""
    return text.translate(_XML_ESCAPES)


def cell_text(text: str) -> str:
    """Return ``text`` escaped as an OOXML string: XML escapes, and _xHHHH_ for what XML cannot carry."""
    return xml_text(_OOXML_ESCAPES.sub(lambda found: f"_x{ord(found.group()):04X}_", text))


def number_text(value: Decimal | int) -> str:
    """Return a number as a cell stores it: the shortest text that reads back as the same double."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def cell(ref: str, style: str, value: Value, formula: str | None = None) -> str:
    """Return the ``<c>`` element of a cell at ``ref``.

    ``style`` is the ``s`` attribute text (``' s="3"'`` or ``""``); ``formula`` is already
    XML-escaped. With a formula, ``value`` is its cached result; text is always a string, never
    a formula.
    """
    if formula is not None:
        if value is None:
            return f'<c r="{ref}"{style}><f>{formula}</f></c>'
        if isinstance(value, str):
            return f'<c r="{ref}"{style} t="str"><f>{formula}</f><v>{cell_text(value)}</v></c>'
        return f'<c r="{ref}"{style}><f>{formula}</f><v>{number_text(value)}</v></c>'
    if value is None:
        return f'<c r="{ref}"{style}/>'
    if isinstance(value, str):
        return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{cell_text(value)}</t></is></c>'
    return f'<c r="{ref}"{style}><v>{number_text(value)}</v></c>'

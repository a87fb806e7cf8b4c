"""A list of skills in one spreadsheet cell: ``Branding; Logo design``.

An export joins skills with "; " and puts a skill holding a comma or a semicolon (or starting with a double
quote) in double quotes, doubling the quotes inside, as CSV does: ``"C, C++"; Go``. An import splits on
commas and semicolons outside double quotes, so an export reads back unchanged and a person's own file,
with either separator, reads as meant.
"""

from __future__ import annotations

import re

# One item and the separator after it: a quoted skill ("" inside for "), or plain text up to a separator.
_ITEM = re.compile(r'\s*(?:"(?P<quoted>(?:[^"]|"")*)"\s*(?=[,;]|$)|(?P<plain>[^,;]*))')


def skills_cell(skills: list[str]) -> str:
    """Return ``skills`` as the text of one cell."""
    return "; ".join(_quoted(skill) if _needs_quotes(skill) else skill for skill in skills)


def skills_of(cell: str) -> list[str]:
    """Return the skills in a cell's text, split on commas and semicolons outside double quotes, each
    stripped; empty ones are left out."""
    skills, position = [], 0
    while position <= len(cell):
        item = _ITEM.match(cell, position)
        assert item is not None  # the plain alternative matches anywhere, if only the empty string
        skill = item["plain"] if item["quoted"] is None else item["quoted"].replace('""', '"')
        if skill.strip():
            skills.append(skill.strip())
        position = item.end() + 1  # past the separator
    return skills


def _needs_quotes(skill: str) -> bool:
    return "," in skill or ";" in skill or skill.startswith('"')


def _quoted(skill: str) -> str:
    return '"' + skill.replace('"', '""') + '"'

"""Skills in one cell (freelance.roster.lists): written so that they read back as they were."""

from __future__ import annotations

import pytest

from freelance.roster.lists import skills_cell, skills_of


@pytest.mark.parametrize(
    "skills, cell",
    [
        (["Figma", "Branding"], "Figma; Branding"),  # plain skills, as before
        (["C, C++", "Go"], '"C, C++"; Go'),  # a comma inside a skill
        (["R&D; Strategy", "SEO"], '"R&D; Strategy"; SEO'),  # a semicolon inside a skill
        (['5" screens', "UX"], '5" screens; UX'),  # a quote inside a plain skill needs nothing
        (['"Quoted" work'], '"""Quoted"" work"'),  # a skill starting with a quote is quoted, quotes doubled
        (['Say "a, b"'], '"Say ""a, b"""'),  # quotes and a comma
        ([], ""),  # none
    ],
)
def test_skills_written_in_one_cell_read_back_unchanged(skills, cell):
    assert skills_cell(skills) == cell
    assert skills_of(cell) == skills


@pytest.mark.parametrize(
    "cell, skills",
    [
        ("Figma, Branding", ["Figma", "Branding"]),  # a person's commas
        ("Figma; Branding;Logo design", ["Figma", "Branding", "Logo design"]),  # semicolons, spaces trimmed
        ("Figma,, ;Branding;", ["Figma", "Branding"]),  # empty pieces dropped
        ('"C, C++" ,Go', ["C, C++", "Go"]),  # spaces around a quoted skill
        ('"a"b, c', ['"a"b', "c"]),  # text after a closing quote: the whole piece, as typed
        ('"unclosed, d', ['"unclosed', "d"]),  # a quote never closed: plain text
    ],
)
def test_a_cell_a_person_typed_splits_on_commas_and_semicolons_outside_quotes(cell, skills):
    assert skills_of(cell) == skills

"""A real spreadsheet nobody here wrote: LibreOffice recalculates a tracker made ready for insertion,
without its names and cached values, and finds the totals of the generated tracker."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from freelance.documents.insertion import insertion_of
from tests.budget.workbooks import BUDGET, render, totals, without_cached_values
from tests.helpers import convert_in_libreoffice, needs_libreoffice

CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false"  # UTF-8, values not as shown

pytestmark = needs_libreoffice


@pytest.fixture(scope="module")
def summaries(tmp_path_factory, catalog) -> dict[str, list[str]]:
    """Row 4 (the totals) of the generated tracker and of its insertion, each recalculated by LibreOffice."""
    folder = tmp_path_factory.mktemp("libreoffice-insertion")
    tracker = render(catalog, BUDGET)
    workbooks = {"generated": tracker, "inserted": insertion_of(tracker).workbook}
    for name, content in workbooks.items():
        (folder / f"{name}.xlsx").write_bytes(without_cached_values(content))
    convert_in_libreoffice(folder, [folder / f"{name}.xlsx" for name in workbooks], CSV_FILTER)
    return {name: list(csv.reader((folder / f"{name}.csv").read_text("utf-8").splitlines()))[3] for name in workbooks}


def _number(text: str) -> Decimal:
    return Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)


def test_remaining_and_percent_used_recalculate_to_the_generated_trackers_without_names(summaries):
    expected = totals(BUDGET)
    remaining, used = summaries["inserted"][4:6]
    assert (remaining, used) == tuple(summaries["generated"][4:6])
    assert abs(_number(remaining) - expected.remaining) < Decimal("1e-9")
    assert abs(_number(used) - expected.used) < Decimal("1e-9")


def test_every_other_total_recalculates_the_same(summaries):
    assert summaries["inserted"] == summaries["generated"]

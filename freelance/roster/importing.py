"""Importing a roster file: every row checked, then all rows upserted by email, or none."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from typing import IO

from ..errors import InvalidData
from ..models import RosterFreelancer
from ..problems import Problem
from .files import RosterSheet, open_roster
from .plan import CannotMerge, ImportCounts
from .service import Roster

MAX_ROWS = 200_000
"""The most freelancer rows one import takes (the README says so): a longer file is refused, to be split."""
MAX_PROBLEMS = 500


class ImportRejected(InvalidData):
    """Rows that cannot be imported: ``problems`` holds one for each, by row and column."""


@dataclass(frozen=True)
class ImportResult:
    counts: ImportCounts
    ignored_columns: list[str]
    dry_run: bool


def import_roster(
    roster: Roster,
    tenant: str,
    stream: IO[bytes],
    filename: str,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    by: str = "local",
    max_rows: int = MAX_ROWS,
    rate_unit: str | None = None,
) -> ImportResult:
    """Upsert every freelancer of the file by email, all or none, in one short write transaction (the file
    is read and checked before it begins).

    Raises RosterFileRefused for an unreadable file, ImportRejected listing every problem row, or naming
    the row past ``max_rows`` (nothing is written). With ``dry_run`` the counts say what would happen;
    nothing is written. ``rate_unit`` (hour or day) is the unit of a rate that neither its cell nor its header
    gives.
    """
    with closing(open_roster(stream, filename)) as sheet:
        sheet.default_unit = rate_unit
        try:
            counts = roster.upsert(
                tenant, _checked(sheet, progress, max_rows), commit=not dry_run, by=by, fields=sheet.fields
            )
        except CannotMerge as exc:  # its problems name fields: name the file's headers instead
            raise _rejected([replace(p, column=sheet.header(str(p.column))) for p in exc.problems]) from None
    return ImportResult(counts, sheet.ignored, dry_run)


def _checked(
    sheet: RosterSheet, progress: Callable[[int], None] | None, max_rows: int
) -> Iterator[tuple[int, RosterFreelancer]]:
    """Yield (row number, freelancer) of the valid rows while no row has failed; at the end, raise if any did."""
    problems: list[Problem] = []
    first_row_of: dict[str, int] = {}
    count = 0
    for count, (number, row) in enumerate(sheet.rows(), start=1):
        if progress:
            progress(number)
        if count > max_rows:
            raise ImportRejected(
                f"The roster has more than {max_rows:,} freelancer rows, the most one import takes: "
                "split it into several files. Nothing was imported.",
                [Problem.in_row(number, "", f"is freelancer row {count:,}, past the {max_rows:,} an import takes")],
            )
        if isinstance(row, list):
            problems += row
            continue
        email = row.email.lower()
        if email in first_row_of:
            problems.append(
                Problem.in_row(number, sheet.header("email"), f"{row.email} is also on row {first_row_of[email]}")
            )
            continue
        first_row_of[email] = number
        if not problems:
            yield number, row
    if count == 0:
        raise ImportRejected("The roster has headers but no freelancer rows.", [])
    if problems:
        raise _rejected(problems)


def _rejected(problems: list[Problem]) -> ImportRejected:
    shown = problems[:MAX_PROBLEMS]
    more = f" (the first {MAX_PROBLEMS} are listed)" if len(problems) > MAX_PROBLEMS else ""
    plural = "s" if len(problems) != 1 else ""
    return ImportRejected(f"{len(problems)} problem{plural} in the roster; nothing was imported{more}.", shown)

"""Importing a roster file: every row checked, then all rows upserted by email, or none."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from ..errors import InvalidData
from ..models import Freelancer
from ..problems import Problem
from .files import RosterSheet, open_roster
from .service import ImportCounts, Roster

MAX_ROWS = 200_000
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
) -> ImportResult:
    """Upsert every freelancer of the file by email, in one transaction.

    Raises RosterFileRefused for an unreadable file, ImportRejected listing every problem row
    (nothing is written). With ``dry_run`` the counts say what would happen; nothing is written.
    """
    sheet = open_roster(stream, filename)
    counts = roster.upsert(tenant, _checked(sheet, progress), commit=not dry_run, by=by, fields=sheet.fields)
    return ImportResult(counts, sheet.ignored, dry_run)


def _checked(sheet: RosterSheet, progress: Callable[[int], None] | None) -> Iterator[Freelancer]:
    """Yield the valid freelancers while no row has failed; at the end, raise if any did."""
    problems: list[Problem] = []
    first_row_of: dict[str, int] = {}
    count = 0
    for count, (number, row) in enumerate(sheet.rows(), start=1):
        if progress:
            progress(number)
        if count > MAX_ROWS:
            problems.append(Problem.in_row(number, "", f"a roster has at most {MAX_ROWS} rows: split the file"))
            break
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
            yield row
    if count == 0:
        raise ImportRejected("The roster has headers but no freelancer rows.", [])
    if problems:
        shown = problems[:MAX_PROBLEMS]
        more = f" (the first {MAX_PROBLEMS} are listed)" if len(problems) > MAX_PROBLEMS else ""
        plural = "s" if len(problems) != 1 else ""
        raise ImportRejected(f"{len(problems)} problem{plural} in the roster; nothing was imported{more}.", shown)

"""An upsert's plan: for each freelancer, whether it creates a record, updates one (to what) or leaves it.

A plan is made against the records as read before the write, outside any write transaction, and kept in a
temporary file a chunk at a time: a long roster costs disk, not memory. The write then only checks that
each record is still the version it was planned against, and plans again the few that changed in between.
"""

from __future__ import annotations

import pickle
import tempfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from pydantic import ValidationError

from ..errors import InvalidData
from ..models import RosterFreelancer
from ..problems import Problem
from .records import FIELDS, columns

COLUMNS = (*FIELDS, "email_key", "search_text", "skill_keys")
"""The columns a freelancer's details fill (the keys of ``records.columns``), in the order a plan keeps them."""
Version = tuple[str, datetime]
"""A record's id (as text) and when it last changed: a record changed since it was read has another."""
Record = tuple[str, datetime, tuple[Any, ...]]
"""A record as a plan sees it: its version, then its FIELDS' values as the columns hold them."""
Write = tuple[str | None, tuple[Any, ...]]
"""A record's id (None: a new record) and the values of COLUMNS to write in it."""


class CannotMerge(InvalidData):
    """Freelancers whose record cannot take their changes (a currency cleared where a rate stays): each
    Problem names the freelancer's row, its field as the column, and why."""


@dataclass
class ImportCounts:
    """What an import did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


class Step(NamedTuple):
    """What one freelancer does to the roster, and the record (or its absence) that was decided against."""

    row: int
    given: dict[str, Any]
    """The freelancer's column values (``records.columns``)."""
    record: Record | None
    change: dict[str, Any] | None
    """The column values to write: ``given`` for a new record, the merged ones for an update; None: unchanged."""

    @property
    def key(self) -> str:
        return self.given["email_key"]

    @property
    def version(self) -> Version | None:
        return (self.record[0], self.record[1]) if self.record else None

    @property
    def write(self) -> Write:
        assert self.change is not None
        return (self.record[0] if self.record else None, tuple(self.change[name] for name in COLUMNS))


def step(row: int, given: dict[str, Any], record: Record | None, fields: frozenset[str]) -> Step | list[Problem]:
    """Return what ``given`` does to ``record`` (None: there is none), changing only ``fields`` of it; or the
    problems (row, field as column, why) when the record with those fields changed would not be valid."""
    if record is None:
        return Step(row, given, None, given)
    current = dict(zip(FIELDS, record[2]))
    merged = current | {name: given[name] for name in fields}
    if merged == current:
        return Step(row, given, record, None)
    if fields >= set(FIELDS):
        return Step(row, given, record, given)
    try:
        return Step(row, given, record, columns(RosterFreelancer.model_validate(merged)))
    except ValidationError as exc:
        return [
            Problem.in_row(row, str(error["loc"][0]), error["msg"].removeprefix("Value error, "))
            for error in exc.errors(include_url=False, include_input=False)
        ]


class Plan:
    """The steps of an upsert of ``fields``, chunk by chunk in a temporary file, and the counts they add up
    to; close it when done.

    Each chunk is kept three times over, so that each pass reads only what it needs: the versions its
    steps were planned against (the check), its writes as plain tuples (the write), and the steps whole
    (planning again).
    """

    def __init__(self, fields: frozenset[str]) -> None:
        self.fields = fields
        self.counts = ImportCounts()
        self._spool = tempfile.TemporaryFile()  # noqa: SIM115 (the plan's own; close() closes it)
        self._at: list[tuple[int, int, int]] = []  # where each chunk's versions, writes and steps start
        self._redone: dict[int, dict[int, Step]] = {}  # chunk -> position -> the step planned again

    def add(self, steps: list[Step]) -> None:
        """Keep one chunk of steps, in the order given."""
        for each in steps:
            self._count(each, 1)
        at = []
        for part in (
            [(each.key, each.version) for each in steps],
            [each.write for each in steps if each.change is not None],
            steps,
        ):
            at.append(self._spool.tell())
            pickle.dump(part, self._spool, pickle.HIGHEST_PROTOCOL)
        self._at.append((at[0], at[1], at[2]))

    def __len__(self) -> int:
        """The number of chunks."""
        return len(self._at)

    def planned_against(self, chunk: int) -> list[tuple[str, Version | None]]:
        """Return (email key, version of its record or None) of each step of ``chunk``."""
        return self._load(chunk, 0)

    def writes(self, chunk: int) -> list[Write]:
        """Return the records ``chunk`` creates and updates, with their new values."""
        if chunk not in self._redone:
            return self._load(chunk, 1)
        return [each.write for each in self._steps(chunk) if each.change is not None]

    def redo(self, chunk: int, records: dict[str, Record | None]) -> list[Problem]:
        """Plan again each step of ``chunk`` whose email key is in ``records`` (its record as it is now, or
        None); return the problems of those that cannot be made."""
        problems = []
        for position, each in enumerate(self._steps(chunk)):
            if each.key not in records:
                continue
            again = step(each.row, each.given, records[each.key], self.fields)
            if isinstance(again, list):
                problems += again
                continue
            self._count(each, -1)
            self._count(again, 1)
            self._redone.setdefault(chunk, {})[position] = again
        return problems

    def _steps(self, chunk: int) -> list[Step]:
        redone = self._redone.get(chunk, {})
        return [redone.get(position, each) for position, each in enumerate(self._load(chunk, 2))]

    def _load(self, chunk: int, part: int) -> Any:
        self._spool.seek(self._at[chunk][part])
        return pickle.load(self._spool)  # our own file, written by add()

    def _count(self, each: Step, sign: int) -> None:
        if each.record is None:
            self.counts.created += sign
        elif each.change is None:
            self.counts.unchanged += sign
        else:
            self.counts.updated += sign

    def close(self) -> None:
        self._spool.close()

    def __enter__(self) -> Plan:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

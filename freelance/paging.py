"""One page of a listing: the items, where the page is, and how many there are in all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """Items ``page`` (from 1) of a listing cut ``per_page`` at a time; ``total`` counts every item."""

    items: list[T]
    page: int
    per_page: int
    total: int


def page_of(session: Session, statement: Select[T], page: int, per_page: int) -> Page[T]:
    """Return page ``page`` of what ``statement`` (already ordered) selects, and the total it would select."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    items = session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, per_page, total)

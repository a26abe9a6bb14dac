"""Bounded types for everything a request carries: numbers, days, instants, codes and ids.

Every value from outside is bounded at the edge, so no date arithmetic
overflows (`9999-12-31` plus a day) and no number reaches the database that
it cannot hold. A test walks every route and refuses a parameter or body
field that is not one of these (or bounded on its own).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, AwareDatetime
from pydantic_core import PydanticCustomError

#: Dates the service works with: a century either side of now is more than any record needs.
EARLIEST = date(1970, 1, 1)
LATEST = date(2100, 12, 31)
#: The deepest page a list serves; beyond it, narrow the filter instead.
MAX_OFFSET = 1_000_000


def _in_range(day: date) -> None:
    if not EARLIEST <= day <= LATEST:
        raise PydanticCustomError(
            "date_out_of_range",
            "date out of range: {earliest} to {latest}",
            {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )


def _bounded_day(day: date) -> date:
    _in_range(day)
    return day


def _bounded_instant(at: datetime) -> datetime:
    _in_range(at.astimezone(UTC).date())
    return at


#: A calendar day from a request (query or body).
Day = Annotated[date, AfterValidator(_bounded_day)]
#: A moment with its time zone from a request body.
Instant = Annotated[AwareDatetime, AfterValidator(_bounded_instant)]
#: How many rows to skip in a list.
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
#: An id or code in a path (ULIDs are 26 characters, org codes shorter).
PathKey = Annotated[str, Path(min_length=1, max_length=64)]
#: A code used as a filter (station, grid, squad, status ...).
Code = Annotated[str, Query(min_length=1, max_length=64)]


def limit(most: int, *, default_doc: str = "") -> object:
    """A page size between 1 and `most`."""
    return Annotated[int, Query(ge=1, le=most, description=default_doc or None)]


#: The validators that mark a bounded date or instant (for the route-walking test).
BOUNDED_VALIDATORS = (_bounded_day, _bounded_instant)

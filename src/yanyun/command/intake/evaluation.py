"""Measure any narrative parser on labelled narratives, field by field."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from yanyun.command.intake.suggestions import IntakeSuggestions, NarrativeParser

#: Fields scored by :func:`evaluate`, in table order.
FIELDS: tuple[str, ...] = (
    "district",
    "place",
    "needs_manual_location",
    "occurred_at",
    "category",
    "sub_category",
    "priority",
)
# An occurrence time within this of the labelled one counts as right.
TIME_TOLERANCE = timedelta(minutes=15)


@dataclass(frozen=True)
class IntakeCase:
    """One labelled narrative: text, time of the call and what a dispatcher would enter."""

    text: str
    now: datetime
    district_code: str | None
    place: str | None
    needs_manual_location: bool
    occurred_at: datetime | None
    category_code: str | None
    sub_code: str | None
    priority: int
    split: str = "dev"


def load_cases(path: Path) -> list[IntakeCase]:
    """Read labelled narratives from a JSON-lines file (``text``, ``now``, ``expected``).

    An optional ``split`` names the set a case belongs to (``dev``: used while
    building the lexicon; ``holdout``: written afterwards, never tuned on).
    """
    cases = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        exp = row["expected"]
        now = datetime.fromisoformat(row["now"])
        if now.tzinfo is None:
            raise ValueError(f"{path}:{number}: 'now' needs a UTC offset")
        occurred = exp.get("occurred_at")
        cases.append(
            IntakeCase(
                text=row["text"],
                now=now,
                district_code=exp.get("district_code"),
                place=exp.get("place"),
                needs_manual_location=bool(exp["needs_manual_location"]),
                occurred_at=datetime.fromisoformat(occurred) if occurred else None,
                category_code=exp.get("category_code"),
                sub_code=exp.get("sub_code"),
                priority=int(exp["priority"]),
                split=str(row.get("split", "dev")),
            )
        )
    return cases


def field_hits(case: IntakeCase, got: IntakeSuggestions) -> dict[str, bool]:
    """Score one parse against its label, field by field (see :data:`FIELDS`).

    A place counts when the suggested name equals the label (or both have no
    place finer than a district); a time when both are absent or within
    15 minutes of each other.
    """
    loc = got.location
    place = loc.name if loc is not None and loc.kind != "district" else None
    if case.occurred_at is None or got.occurred_at is None:
        time_ok = case.occurred_at is None and got.occurred_at is None
    else:
        time_ok = abs(got.occurred_at.at - case.occurred_at) <= TIME_TOLERANCE
    cat = got.category
    return {
        "district": (loc.district_code if loc else None) == case.district_code,
        "place": place == case.place,
        "needs_manual_location": got.needs_manual_location == case.needs_manual_location,
        "occurred_at": time_ok,
        "category": (cat.category_code if cat else None) == case.category_code,
        "sub_category": (cat.sub_code if cat else None) == case.sub_code,
        "priority": got.priority.priority == case.priority,
    }


def evaluate(parser: NarrativeParser, cases: Sequence[IntakeCase]) -> dict[str, float]:
    """Return the share of cases each field is right on, for any parser."""
    totals = dict.fromkeys(FIELDS, 0)
    for case in cases:
        for name, ok in field_hits(case, parser.parse(case.text, now=case.now)).items():
            totals[name] += ok
    n = max(len(cases), 1)
    return {name: totals[name] / n for name in FIELDS}

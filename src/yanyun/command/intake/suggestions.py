"""What a parser suggests for a narrative, and the interface every parser implements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class LocationSuggestion:
    """Where the incident is: a named place, or only its district.

    ``lng``/``lat`` are WGS-84 degrees, ``None`` when only a district (or a
    town known by name only) is known.
    """

    kind: str
    name: str
    district_code: str | None
    lng: float | None
    lat: float | None
    confidence: float
    source: str


@dataclass(frozen=True)
class TimeSuggestion:
    """When it happened: an aware UTC instant; ``approximate`` for 左右, 许, 昨晚..."""

    at: datetime
    confidence: float
    source: str
    approximate: bool


@dataclass(frozen=True)
class CategorySuggestion:
    """Category and (if the lexicon decided one) sub-category codes of the catalogue."""

    category_code: str
    sub_code: str | None
    confidence: float
    source: str


@dataclass(frozen=True)
class PrioritySuggestion:
    """Priority 1 (highest) .. 4, with the words and reasons that set it."""

    priority: int
    confidence: float
    source: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class IntakeSuggestions:
    """Everything suggested for one narrative; the dispatcher confirms or corrects."""

    location: LocationSuggestion | None
    needs_manual_location: bool
    occurred_at: TimeSuggestion | None
    category: CategorySuggestion | None
    priority: PrioritySuggestion


class NarrativeParser(Protocol):
    """Anything that turns a caller's narrative into suggestions (a lexicon, a model)."""

    def parse(self, text: str, *, now: datetime) -> IntakeSuggestions:
        """Suggest location, time, category and priority; ``now`` is timezone-aware."""
        ...

"""Intake from text: suggest where, when, what and how urgent from a 110 narrative.

A dispatcher types what the caller says, in Chinese. :class:`LexiconParser`
suggests, each with a confidence in 0..1 and the words it came from:

- the location, from a :class:`Gazetteer` of the city's districts, the towns
  of each district (乡镇/街道, from jionlp's administrative-division
  dictionary) and a landmark list the bureau can extend; a narrative that
  names no place the gazetteer knows says ``needs_manual_location``, and so
  does one that names only a district or a town without coordinates:
  nothing is guessed silently;
- the time of occurrence (jionlp's time extractor, then rules for Chinese
  day-parts, 12-hour clocks and "the previous occurrence": an incident cannot
  have happened after the call);
- the category and sub-category, by the weighted lexicon of the catalogue;
- the priority: the sub-category's default, raised by words such as 持刀,
  流血, 昏迷, 被困, 正在, 孩子, lowered for an incident many hours old.

Everything here is pure: no database, no web, no wall clock (``now`` is a
parameter), no randomness. jieba and jionlp are loaded on a parser's first
use, never at import. :class:`NarrativeParser` is the interface a trained
model can implement instead; :func:`evaluate` measures any implementation on
labelled narratives. Method and measured accuracy: ``docs/intake.md``.
"""

from __future__ import annotations

from yanyun.command.intake.evaluation import FIELDS, IntakeCase, evaluate, field_hits, load_cases
from yanyun.command.intake.evaluation import TIME_TOLERANCE as TIME_TOLERANCE
from yanyun.command.intake.gazetteer import Gazetteer, GazetteerEntry, Landmark, load_landmarks
from yanyun.command.intake.gazetteer import PlaceKind as PlaceKind
from yanyun.command.intake.parser import MANUAL_BELOW_CONFIDENCE as MANUAL_BELOW_CONFIDENCE
from yanyun.command.intake.parser import LexiconParser
from yanyun.command.intake.suggestions import (
    CategorySuggestion,
    IntakeSuggestions,
    LocationSuggestion,
    NarrativeParser,
    PrioritySuggestion,
    TimeSuggestion,
)

__all__ = [
    "FIELDS",
    "CategorySuggestion",
    "Gazetteer",
    "GazetteerEntry",
    "IntakeCase",
    "IntakeSuggestions",
    "Landmark",
    "LexiconParser",
    "LocationSuggestion",
    "NarrativeParser",
    "PrioritySuggestion",
    "TimeSuggestion",
    "evaluate",
    "field_hits",
    "load_cases",
    "load_landmarks",
]

"""The lexicon parser: a gazetteer, a catalogue's lexicon, jieba and jionlp together."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from yanyun.command.catalogue import Catalogue, SubCategory
from yanyun.command.intake.gazetteer import Gazetteer
from yanyun.command.intake.lexicon import _ESCALATORS, _classify, _Escalator, _prioritise
from yanyun.command.intake.suggestions import IntakeSuggestions, LocationSuggestion
from yanyun.command.intake.text import _aligned, _Text
from yanyun.command.intake.timeparse import _TimeReader

# More specific places win over less specific ones named in the same call.
_SPECIFICITY = {"intersection": 5, "landmark": 4, "road": 3, "town": 2, "district": 1}

# Below this confidence a location is shown but the dispatcher must confirm it.
MANUAL_BELOW_CONFIDENCE = 0.5


@dataclass
class _Loaded:
    tokenizer: Any
    times: _TimeReader
    keywords: dict[str, list[tuple[SubCategory, float]]] = field(default_factory=dict)
    max_keyword: int = 0
    escalators: dict[str, _Escalator] = field(default_factory=dict)
    max_escalator: int = 0


_LOCATION_BEFORE = ("在", "到", "于", "至", "位于", "住在", "住")
_LOCATION_AFTER = (
    "附近",
    "门口",
    "旁边",
    "边上",
    "这边",
    "那边",
    "里面",
    "路段",
    "路口",
    "交叉口",
    "对面",
    "一带",
    "广场",
    "那里",
    "这里",
    "上面",
    "周边",
)
_BASE_CONFIDENCE = {"landmark": 0.85, "road": 0.75, "town": 0.7, "district": 0.6}
# "A与B交叉口": two roads joined by one of these, then one of the meeting words.
_JOINERS = ("与", "和", "跟", "同", "、", "/")
_MEETING_WORDS = (
    "交叉口",
    "交汇处",
    "交界处",
    "十字路口",
    "丁字路口",
    "路口",
    "交口",
    "交叉",
    "交汇",
)
# Two roads "meet" when their lines come this close (metres).
_MEET_WITHIN_M = 300.0
# A place named beside a road that crosses districts pins the spot on the road
# nearest to it, if the road passes this close (metres).
_ANCHOR_WITHIN_M = 5000.0


class LexiconParser:
    """Suggest from a gazetteer, a catalogue's lexicon, jieba and jionlp.

    Parameters
    ----------
    gazetteer : Gazetteer
        Places of the city (see :meth:`Gazetteer.from_city`).
    catalogue : Catalogue
        Categories with their keyword weights and default priorities.

    Notes
    -----
    jieba (with a user dictionary of every gazetteer surface and catalogue
    keyword) and jionlp's time extractor are loaded on the first call of
    :meth:`parse` (or :meth:`warm_up`), about a second; then a narrative
    takes about half a millisecond. Safe to share between threads.

    Examples
    --------
    >>> from datetime import datetime
    >>> from yanyun.command.catalogue import load_catalogue
    >>> from yanyun.core.clock import SHANGHAI
    >>> from yanyun.command.intake import Gazetteer, load_landmarks
    >>> from yanyun.geo.boundaries import load_boundaries
    >>> gaz = Gazetteer.from_city(load_boundaries(), load_landmarks(), admin_towns=False)
    >>> parser = LexiconParser(gaz, load_catalogue())
    >>> now = datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)
    >>> s = parser.parse("刚才在衡阳东站手机被偷了", now=now)
    >>> s.location.name, s.location.district_code, s.needs_manual_location
    ('衡阳东站', '430405', False)
    >>> s.category.sub_code, s.occurred_at.at.astimezone(SHANGHAI).strftime("%H:%M")
    ('1002', '08:55')
    >>> parser.parse("有人打架", now=now).needs_manual_location  # no place: ask, never guess
    True
    """

    def __init__(self, gazetteer: Gazetteer, catalogue: Catalogue) -> None:
        self.gazetteer = gazetteer
        self.catalogue = catalogue
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load jieba and jionlp now rather than on the first narrative."""
        self._load()

    def _load(self) -> _Loaded:
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._lock:
            if self._loaded is None:
                self._loaded = self._build()
            return self._loaded

    def _build(self) -> _Loaded:
        import jieba

        logging.getLogger("jieba").setLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        keywords: dict[str, list[tuple[SubCategory, float]]] = {}
        for sub in self.catalogue.subcategories():
            weights = sub.keyword_weights or (1.0,) * len(sub.keywords)
            for word, weight in zip(sub.keywords, weights, strict=True):
                keywords.setdefault(word, []).append((sub, weight))
        escalators = {w: e for e in _ESCALATORS for w in e.words}
        # The user dictionary: places and lexicon words stay whole when segmented.
        for word in (*self.gazetteer.surfaces(), *keywords, *escalators):
            if len(word) >= 2:
                tokenizer.add_word(word, freq=50_000)
        times = _TimeReader()
        loaded = _Loaded(
            tokenizer=tokenizer,
            times=times,
            keywords=keywords,
            max_keyword=max(map(len, keywords), default=0),
            escalators=escalators,
            max_escalator=max(map(len, escalators)),
        )
        times.read(_Text("昨天下午三点"), datetime(2026, 1, 1, tzinfo=UTC))  # jionlp's lazy init
        return loaded

    def parse(self, text: str, *, now: datetime) -> IntakeSuggestions:
        """Suggest location, time, category and priority for one narrative.

        Parameters
        ----------
        text : str
            What the caller said, as typed (Chinese; a few Xiang dialect words
            such as 冇, 伢子, 哒 are understood).
        now : datetime
            The time of the call, timezone-aware; relative times (昨晚, 十分钟前)
            are read in Asia/Shanghai against it.

        Returns
        -------
        IntakeSuggestions
        """
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        loaded = self._load()
        doc = _Text(text or "")
        bounds = self._token_bounds(loaded, doc.norm)
        location = self._locate(doc, bounds)
        occurred = loaded.times.read(doc, now) if doc.norm.strip() else None
        category, sub = _classify(self.catalogue, loaded.keywords, loaded.max_keyword, doc, bounds)
        priority = _prioritise(
            loaded.escalators,
            loaded.max_escalator,
            doc,
            bounds,
            category,
            sub,
            occurred,
            now,
        )
        needs_manual = (
            location is None
            or location.lng is None
            or location.confidence < MANUAL_BELOW_CONFIDENCE
        )
        return IntakeSuggestions(
            location=location,
            needs_manual_location=needs_manual,
            occurred_at=occurred,
            category=category,
            priority=priority,
        )

    # ---- segmentation

    @staticmethod
    def _token_bounds(loaded: _Loaded, norm: str) -> frozenset[int]:
        bounds = {0}
        pos = 0
        # Without HMM, unknown runs fall apart into characters: a match is
        # rejected only when a word jieba knows straddles its edge (偷 in 偷偷).
        for token in loaded.tokenizer.cut(norm, HMM=False):
            pos += len(token)
            bounds.add(pos)
        return frozenset(bounds)

    # ---- location

    def _locate(self, doc: _Text, bounds: frozenset[int]) -> LocationSuggestion | None:
        mentions = self._place_mentions(doc.norm, bounds)
        if not mentions:
            return None
        districts_named = {
            s.entry.district_code
            for _, _, surfaces, _ in mentions
            for s in surfaces
            if s.entry.kind == "district"
        }
        # A town named without a point still says which district a crossing road is in.
        districts_named |= {
            surfaces[0].entry.district_code
            for _, _, surfaces, _ in mentions
            if len({s.entry.district_code for s in surfaces}) == 1
            and surfaces[0].entry.kind == "town"
            and any(
                s.entry.kind == "road" and s.entry.crosses_districts
                for _, _, other, _ in mentions
                for s in other
            )
        }
        crossing = self._intersection(doc, mentions)
        if crossing is not None:
            return crossing
        anchors = _anchors(mentions)
        best: tuple[tuple[float, ...], LocationSuggestion] | None = None
        for order, (start, end, surfaces, bonus) in enumerate(mentions):
            key, suggestion = _weigh_mention(
                doc, start, end, surfaces, bonus, districts_named, anchors
            )
            key = (*key, -order)
            if best is None or key > best[0]:
                best = (key, suggestion)
        return best[1] if best else None

    def _intersection(self, doc: _Text, mentions: list[tuple]) -> LocationSuggestion | None:
        """Two roads said as meeting ("A与B交叉口"): the point where their lines meet."""
        norm = doc.norm
        for (s1, e1, surf1, _), (s2, e2, surf2, _) in pairwise(mentions):
            if norm[e1:s2] not in _JOINERS:
                continue
            after = norm[e2 : e2 + 6].lstrip("的")
            if not any(after.startswith(w) for w in _MEETING_WORDS):
                continue
            roads_a = [s.entry for s in surf1 if s.entry.kind == "road" and s.entry.line]
            roads_b = [s.entry for s in surf2 if s.entry.kind == "road" and s.entry.line]
            if len(roads_a) != 1 or len(roads_b) != 1:
                continue
            meeting = _meeting_point(roads_a[0].line, roads_b[0].line)
            if meeting is None:
                continue
            lng, lat = meeting
            district = self.gazetteer.district_at(lng, lat)
            return LocationSuggestion(
                kind="intersection",
                name=f"{roads_a[0].name}与{roads_b[0].name}",
                district_code=district,
                lng=round(lng, 6),
                lat=round(lat, 6),
                confidence=0.9 if district else 0.45,
                source=doc.source(s1, e2),
            )
        return None

    def _place_mentions(self, norm: str, bounds: frozenset[int]) -> list[tuple]:
        """Gazetteer matches that read as places: (start, end, surfaces, confidence bonus)."""
        mentions = []
        for start, end, surfaces in self.gazetteer._matches(norm):
            weak = all(s.strength <= 0.7 for s in surfaces)
            aligned = _aligned(bounds, start, end)
            before = norm[max(0, start - 2) : start]
            after = norm[end : end + 3]
            located = any(before.endswith(w) for w in _LOCATION_BEFORE) or any(
                after.startswith(w) for w in _LOCATION_AFTER
            )
            # A town's short form (新市 for 新市镇) is often an ordinary word
            # (南京, 长江, 和平): it counts only where it reads as a place.
            if weak and not (aligned and located):
                continue
            bonus = (0.05 if located else 0.0) - (0.0 if aligned else 0.15)
            mentions.append((start, end, surfaces, bonus))
        return mentions


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Approximate ground distance between two WGS-84 points (equirectangular; city scale)."""
    mean_lat = math.radians((a[1] + b[1]) / 2)
    dx = math.radians(b[0] - a[0]) * math.cos(mean_lat)
    dy = math.radians(b[1] - a[1])
    return 6_371_000.0 * math.hypot(dx, dy)


def _meeting_point(
    line_a: tuple[tuple[float, float], ...], line_b: tuple[tuple[float, float], ...]
) -> tuple[float, float] | None:
    """Where two road lines cross, or come closest if within 300 m; ``None`` if they do not meet."""
    from shapely.geometry import LineString
    from shapely.ops import nearest_points

    a, b = LineString(line_a), LineString(line_b)
    crossing = a.intersection(b)
    if not crossing.is_empty:
        point = crossing.representative_point()
        return (point.x, point.y)
    pa, pb = nearest_points(a, b)
    if _metres((pa.x, pa.y), (pb.x, pb.y)) > _MEET_WITHIN_M:
        return None
    return ((pa.x + pb.x) / 2, (pa.y + pb.y) / 2)


def _nearest_on(
    line: tuple[tuple[float, float], ...], point: tuple[float, float]
) -> tuple[float, float]:
    from shapely.geometry import LineString, Point

    course = LineString(line)
    on = course.interpolate(course.project(Point(point)))
    return (on.x, on.y)


def _anchors(mentions: list[tuple]) -> list[tuple[str, float, float]]:
    """Unambiguous places with a point named in the call: (district, lng, lat) of each."""
    found = []
    for _, _, surfaces, _ in mentions:
        entries = {s.entry for s in surfaces}
        if len(entries) != 1:
            continue
        entry = next(iter(entries))
        if entry.kind in ("town", "landmark") and entry.lng is not None and entry.lat is not None:
            found.append((entry.district_code, entry.lng, entry.lat))
    return found


def _on_crossing_road(
    entry: Any, districts_named: set[str], anchors: list[tuple[str, float, float]]
) -> tuple[str | None, float | None, float | None, float]:
    """Where on a road through several districts: (district, lng, lat, confidence).

    A town or landmark named with it pins the nearest spot of the road; a
    district named alone gives the district but no spot; nothing else: ask.
    """
    named = [c for c in districts_named if c in entry.districts]
    for code, lng, lat in anchors:
        if code not in entry.districts or (named and code not in named):
            continue
        spot = _nearest_on(entry.line, (lng, lat))
        if _metres(spot, (lng, lat)) <= _ANCHOR_WITHIN_M:
            return code, round(spot[0], 6), round(spot[1], 6), 0.75
    if len(named) == 1:
        return named[0], None, None, 0.5
    return None, None, None, 0.4


def _weigh_mention(
    doc: _Text,
    start: int,
    end: int,
    surfaces: list,
    bonus: float,
    districts_named: set[str],
    anchors: Sequence[tuple[str, float, float]] = (),
) -> tuple[tuple[float, ...], LocationSuggestion]:
    """One place mention as a suggestion, and its rank key (specific, unambiguous, confident).

    A district the caller named narrows an ambiguous name to the one inside it;
    a road through several districts is placed only by what else was named
    (see :func:`_on_crossing_road`), never by its one stored point.
    """
    candidates = list(surfaces)
    if len(candidates) > 1 and districts_named:
        narrowed = [s for s in candidates if s.entry.district_code in districts_named]
        candidates = narrowed or candidates
    ambiguous = len({s.entry.district_code for s in candidates}) > 1
    surface = max(candidates, key=lambda s: (_SPECIFICITY[s.entry.kind], s.strength))
    entry = surface.entry
    confidence = _BASE_CONFIDENCE[entry.kind] * surface.strength + bonus
    if entry.kind == "town" and entry.lng is None:
        confidence -= 0.1
    district_code: str | None = entry.district_code
    lng, lat = entry.lng, entry.lat
    if ambiguous:
        confidence = min(confidence, 0.4)
        district_code, lng, lat = None, None, None
    elif entry.kind == "road" and entry.crosses_districts:
        district_code, lng, lat, confidence = _on_crossing_road(
            entry, districts_named, list(anchors)
        )
    elif districts_named and entry.kind != "district":
        if entry.district_code in districts_named:
            confidence += 0.08
        elif entry.kind == "road" and len(districts_named) == 1:
            # Roads cross districts: the caller's district is the better
            # evidence, and this road's one point lies elsewhere.
            district_code = next(iter(districts_named))
            lng, lat = None, None
            confidence = 0.5
        else:
            confidence -= 0.15
    suggestion = LocationSuggestion(
        kind=entry.kind,
        name=entry.name,
        district_code=district_code,
        lng=lng,
        lat=lat,
        confidence=round(max(0.05, min(confidence, 0.97)), 2),
        source=doc.source(start, end),
    )
    return (_SPECIFICITY[entry.kind], 0.0 if ambiguous else 1.0, suggestion.confidence), suggestion

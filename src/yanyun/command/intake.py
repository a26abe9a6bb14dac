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

import contextlib
import io
import json
import logging
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Protocol

from yanyun.command.catalogue import Catalogue, SubCategory
from yanyun.core.clock import SHANGHAI
from yanyun.geo.boundaries import CITIES, DistrictBoundary

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

PlaceKind = Literal["landmark", "road", "town", "district"]
_KINDS: tuple[str, ...] = ("landmark", "road", "town", "district")
# More specific places win over less specific ones named in the same call.
_SPECIFICITY = {"landmark": 4, "road": 3, "town": 2, "district": 1}

# Below this confidence a location is shown but the dispatcher must confirm it.
MANUAL_BELOW_CONFIDENCE = 0.5


# --------------------------------------------------------------------------- results


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


# --------------------------------------------------------------------------- landmarks


@dataclass(frozen=True)
class Landmark:
    """A place callers name: a landmark, a road, a town or a district (WGS-84 point)."""

    name: str
    aliases: tuple[str, ...]
    kind: str
    district_code: str
    lng: float
    lat: float


def _parse_landmarks(data: Any, source: str) -> list[Landmark]:
    items = data.get("landmarks") if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise ValueError(f"{source}: expected a 'landmarks' list")
    result: list[Landmark] = []
    seen: set[str] = set()
    for raw in items:
        name = raw.get("name") if isinstance(raw, Mapping) else None
        where = f"{source}: landmark {name!r}"
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{where}: 'name' must be a non-empty string")
        if name in seen:
            raise ValueError(f"{where}: listed twice")
        seen.add(name)
        kind = raw.get("kind")
        if kind not in _KINDS:
            raise ValueError(f"{where}: kind must be one of {', '.join(_KINDS)}, got {kind!r}")
        code = raw.get("district_code")
        if not isinstance(code, str) or len(code) != 6 or not code.isdigit():
            raise ValueError(f"{where}: district_code must be a six-digit adcode")
        aliases = raw.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
            raise ValueError(f"{where}: 'aliases' must be a list of non-empty strings")
        lng, lat = raw.get("lng"), raw.get("lat")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lng, lat)):
            raise ValueError(f"{where}: lng and lat must be numbers (WGS-84 degrees)")
        if not (-180.0 <= lng <= 180.0 and -90.0 <= lat <= 90.0):
            raise ValueError(f"{where}: ({lng}, {lat}) is not a longitude/latitude pair")
        result.append(
            Landmark(
                name=name.strip(),
                aliases=tuple(a.strip() for a in aliases),
                kind=kind,
                district_code=code,
                lng=float(lng),
                lat=float(lat),
            )
        )
    return result


def load_landmarks(city: str = "hengyang", *, extra: Path | None = None) -> list[Landmark]:
    """Load the landmark list shipped for a city, extended by a bureau's own file.

    Parameters
    ----------
    city : str
        A shipped city (lower-case pinyin). A city whose boundaries ship but
        that has no landmark list yet gives an empty list.
    extra : pathlib.Path, optional
        A bureau's file in the same format (``{"landmarks": [...]}``); its
        entries are added, and one with the name of a shipped entry replaces it.

    Returns
    -------
    list of Landmark
        Coordinates in WGS-84.

    Raises
    ------
    ValueError
        For an unknown city, or a file breaking the format (the message names
        the file, the entry and the rule).

    Examples
    --------
    >>> marks = {m.name: m for m in load_landmarks("hengyang")}
    >>> m = marks["衡阳东站"]
    >>> m.kind, m.district_code, "高铁站" in m.aliases
    ('landmark', '430405', True)
    >>> load_landmarks("changsha")
    []
    """
    if city not in CITIES:
        raise ValueError(f"no landmarks for city {city!r}; known: {', '.join(CITIES)}")
    shipped = resources.files("yanyun").joinpath("data", "landmarks", f"{city}.json")
    result: list[Landmark] = []
    if shipped.is_file():
        result = _parse_landmarks(json.loads(shipped.read_text(encoding="utf-8")), f"{city}.json")
    if extra is not None:
        try:
            data = json.loads(Path(extra).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{extra}: not valid JSON: {exc}") from exc
        added = _parse_landmarks(data, str(extra))
        names = {m.name for m in added}
        result = [m for m in result if m.name not in names] + added
    return result


# --------------------------------------------------------------------------- gazetteer


@dataclass(frozen=True)
class GazetteerEntry:
    """One place the parser can recognise, with every surface form it answers to."""

    name: str
    kind: str
    district_code: str
    lng: float | None
    lat: float | None
    aliases: tuple[str, ...] = ()
    # Short forms (镇 names without 镇) are weaker evidence than names and aliases.
    weak_aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Surface:
    text: str
    entry: GazetteerEntry
    strength: float  # 1.0 the name, 0.9 an alias, 0.7 a weak alias


def _open_jionlp() -> Any:
    # jionlp prints a banner on import; keep stdout clean for the CLI.
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp

    return jionlp


@lru_cache(maxsize=1)
def _admin_divisions() -> dict[str, tuple[str, tuple[str, ...]]]:
    """County adcode -> (short alias, towns) from jionlp's division dictionary."""
    jio = _open_jionlp()
    with contextlib.redirect_stdout(io.StringIO()):
        tree = jio.china_location_loader(detail=True)
    result: dict[str, tuple[str, tuple[str, ...]]] = {}
    for province in tree.values():
        if not isinstance(province, dict):
            continue
        for city in province.values():
            if not isinstance(city, dict):
                continue
            for county in city.values():
                if not isinstance(county, dict) or "_admin_code" not in county:
                    continue
                towns = tuple(
                    t for t in county if not t.startswith("_") and t.endswith(("镇", "乡", "街道"))
                )
                result[str(county["_admin_code"])] = (str(county.get("_alias", "")), towns)
    return result


def _district_aliases(district: DistrictBoundary, jio_alias: str | None) -> tuple[str, ...]:
    name = district.name_zh
    if jio_alias and jio_alias != name and len(jio_alias) >= 2:
        return (jio_alias,)
    if (
        jio_alias is None
        and len(name) >= 3
        and name[-1] in "区县市"
        and not name.startswith("衡阳")
    ):
        return (name[:-1],)
    return ()


def _town_short_form(name: str) -> str | None:
    if name.endswith("街道"):
        return None  # many are named after a road: the short form is the road
    stem = name.removesuffix("民族乡").removesuffix("瑶族乡").rstrip("镇乡")
    return stem if len(stem) >= 2 else None


class Gazetteer:
    """The places of a city a narrative may name, looked up by surface form.

    Build it with :meth:`from_city`. Surfaces that name places in several
    districts are kept with all their entries; the parser lowers its
    confidence for them unless the narrative names the district too.
    """

    def __init__(self, entries: Iterable[GazetteerEntry]) -> None:
        self._entries = tuple(entries)
        surfaces: dict[str, list[_Surface]] = {}
        for entry in self._entries:
            forms = [(entry.name, 1.0)] + [(a, 0.9) for a in entry.aliases]
            forms += [(a, 0.7) for a in entry.weak_aliases]
            for text, strength in forms:
                bucket = surfaces.setdefault(text, [])
                if not any(s.entry is entry for s in bucket):
                    bucket.append(_Surface(text, entry, strength))
        # A weak alias never shadows a real name or alias of another place.
        for text, bucket in surfaces.items():
            strong = [s for s in bucket if s.strength > 0.7]
            if strong and len(strong) != len(bucket):
                surfaces[text] = strong
        self._surfaces = {k: tuple(v) for k, v in surfaces.items()}
        self._max_len = max((len(k) for k in self._surfaces), default=0)

    @classmethod
    def from_city(
        cls,
        districts: Sequence[DistrictBoundary],
        landmarks: Sequence[Landmark],
        *,
        admin_towns: bool = True,
    ) -> Gazetteer:
        """Build the gazetteer of a city from its districts, towns and landmarks.

        Parameters
        ----------
        districts : sequence of DistrictBoundary
            From :func:`yanyun.geo.boundaries.load_boundaries`; their names and
            jionlp's short forms (``蒸湘`` for 蒸湘区) become district entries.
        landmarks : sequence of Landmark
            From :func:`load_landmarks`; towns listed here carry coordinates.
        admin_towns : bool
            Add every 镇/乡/街道 jionlp lists under these districts (by name
            only, without coordinates). Loading jionlp's dictionary takes
            about a second, once per process.
        """
        jio = _admin_divisions() if admin_towns else {}
        entries: list[GazetteerEntry] = []
        known_codes = {d.adcode for d in districts}
        for d in districts:
            alias = jio[d.adcode][0] if d.adcode in jio else None
            entries.append(
                GazetteerEntry(
                    name=d.name_zh,
                    kind="district",
                    district_code=d.adcode,
                    lng=None,
                    lat=None,
                    aliases=_district_aliases(d, alias),
                )
            )
        landmark_names = set()
        for m in landmarks:
            if m.district_code not in known_codes:
                raise ValueError(
                    f"landmark {m.name!r}: district {m.district_code} is not in "
                    "this city's boundaries"
                )
            landmark_names.add(m.name)
            weak = ()
            if m.kind == "town":
                short = _town_short_form(m.name)
                weak = (short,) if short and short not in m.aliases else ()
            entries.append(
                GazetteerEntry(
                    name=m.name,
                    kind=m.kind,
                    district_code=m.district_code,
                    lng=m.lng,
                    lat=m.lat,
                    aliases=m.aliases,
                    weak_aliases=weak,
                )
            )
        for d in districts:
            for town in jio.get(d.adcode, ("", ()))[1]:
                if town in landmark_names:
                    continue
                short = _town_short_form(town)
                entries.append(
                    GazetteerEntry(
                        name=town,
                        kind="town",
                        district_code=d.adcode,
                        lng=None,
                        lat=None,
                        weak_aliases=(short,) if short else (),
                    )
                )
        return cls(entries)

    @property
    def entries(self) -> tuple[GazetteerEntry, ...]:
        """Every place, in the order added (districts, landmarks, towns)."""
        return self._entries

    def surfaces(self) -> tuple[str, ...]:
        """Every surface form (names and aliases), for a segmenter's user dictionary."""
        return tuple(self._surfaces)

    def lookup(self, surface: str) -> tuple[GazetteerEntry, ...]:
        """Return the places a surface form names (empty if none)."""
        return tuple(s.entry for s in self._surfaces.get(surface, ()))

    def _matches(self, text: str) -> list[tuple[int, int, tuple[_Surface, ...]]]:
        """Leftmost-longest, non-overlapping surface matches in ``text``."""
        found = []
        i = 0
        n = len(text)
        while i < n:
            for length in range(min(self._max_len, n - i), 1, -1):
                hit = self._surfaces.get(text[i : i + length])
                if hit:
                    found.append((i, i + length, hit))
                    i += length
                    break
            else:
                i += 1
        return found


# --------------------------------------------------------------------------- text helpers

# Xiang (湘) dialect words callers in Hengyang use, mapped to Mandarin so the
# lexicons and jionlp see words they know; and the passive agent dropped
# (被人偷了 -> 被偷了) so one lexicon word covers both. Longest first.
_NORMALISE: dict[str, str] = {
    "被别人": "被",
    "被人": "被",
    "冇得": "没有",
    "冇有": "没有",
    "冇": "没",
    "细伢子": "小孩",
    "伢子": "孩子",
    "伢妹子": "孩子",
    "妹陀": "女孩",
    "堂客": "老婆",
    "老倌子": "老头",
    "咯里": "这里",
    "么子": "什么",
    "屋里": "家里",
    "哒": "了",
}
_NORMALISE_RE = re.compile("|".join(sorted(map(re.escape, _NORMALISE), key=len, reverse=True)))


class _Text:
    """A narrative normalised for matching, with a map back to the caller's words."""

    def __init__(self, raw: str) -> None:
        chars: list[str] = []
        spans: list[tuple[int, int]] = []
        pos = 0
        for m in _NORMALISE_RE.finditer(raw):
            for k in range(pos, m.start()):
                chars.append(_halfwidth(raw[k]))
                spans.append((k, k + 1))
            for ch in _NORMALISE[m.group()]:
                chars.append(ch)
                spans.append((m.start(), m.end()))
            pos = m.end()
        for k in range(pos, len(raw)):
            chars.append(_halfwidth(raw[k]))
            spans.append((k, k + 1))
        self.raw = raw
        self.norm = "".join(chars)
        self._spans = spans

    def source(self, start: int, end: int) -> str:
        """The caller's original words behind ``norm[start:end]``."""
        if start >= end:
            return ""
        return self.raw[self._spans[start][0] : self._spans[end - 1][1]]


def _halfwidth(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    return ch


# 没受伤, 没有人受伤, 未见流血: a negation right before the word, perhaps with 人.
_NEGATED_RE = re.compile(r"(没有|没|无|未|不|别)(有人|人)?$")


def _negated(norm: str, start: int) -> bool:
    return bool(_NEGATED_RE.search(norm[max(0, start - 4) : start]))


# --------------------------------------------------------------------------- time

# Hour given to a day-part named without a clock time (昨晚 -> 21:00).
_DAY_PARTS: tuple[tuple[str, int], ...] = (
    ("凌晨", 3),
    ("清晨", 6),
    ("早上", 7),
    ("早晨", 7),
    ("一早", 7),
    ("上午", 10),
    ("中午", 12),
    ("下午", 15),
    ("傍晚", 18),
    ("黄昏", 18),
    ("晚上", 21),
    ("夜里", 21),
    ("夜间", 21),
    ("深夜", 23),
    ("晚", 21),
    ("夜", 21),
    ("早", 7),
)
_NOW_WORDS = ("现在", "目前", "此刻", "当前", "这会", "此时")
_IN_PROGRESS = ("正在", "还在")
_JUST_NOW = ("刚才", "刚刚", "方才", "就在刚才")
_APPROX_WORDS = ("左右", "许", "多", "大概", "大约", "差不多", "前后", "上下")
_CLOCK_RE = re.compile(r"[点时:：]")
_DELTA_RE = re.compile(r"(分钟|分|小时|钟头|个钟)(以)?前")
_DAY_OF_MONTH_RE = re.compile(r"(\d{1,2}|[一二三四五六七八九十]{1,3})[号日]")
_WEEK_RE = re.compile(r"(周|星期|礼拜)")
# An occurrence this little in the future is a rounding of "now", not an error.
_FUTURE_SLACK = timedelta(minutes=10)


def _day_part(surface: str) -> int | None:
    for word, hour in _DAY_PARTS:
        if word in surface:
            return hour
    return None


def _previous_occurrence(at: datetime, surface: str, now: datetime) -> tuple[datetime, bool]:
    """Move an occurrence the caller cannot mean (in the future) to its previous instance."""
    if at <= now:
        return at, False
    if at <= now + _FUTURE_SLACK:
        return now, False
    shifted = at
    for _ in range(400):
        if shifted <= now:
            break
        if "年" in surface:
            return at, True  # an explicit future year has no earlier instance: dropped
        if "月" in surface:
            try:
                shifted = shifted.replace(year=shifted.year - 1)
            except ValueError:  # 29 February
                shifted = shifted.replace(year=shifted.year - 1, day=28)
        elif _DAY_OF_MONTH_RE.search(surface) and not any(w in surface for w in ("昨", "今", "前")):
            month = shifted.month - 1 or 12
            year = shifted.year - (1 if shifted.month == 1 else 0)
            try:
                shifted = shifted.replace(year=year, month=month)
            except ValueError:
                shifted = shifted - timedelta(days=31)
        elif _WEEK_RE.search(surface):
            shifted -= timedelta(days=7)
        else:
            shifted -= timedelta(days=1)
    return shifted, True


class _TimeReader:
    """jionlp's time extractor plus the rules a 110 narrative needs; one per parser."""

    def __init__(self) -> None:
        jio = _open_jionlp()
        # TimeExtractor keeps per-call state: each parser owns one, behind a lock.
        self._extract = jio.ner.TimeExtractor()
        self._lock = threading.Lock()

    def read(self, text: _Text, now: datetime) -> TimeSuggestion | None:
        local_now = now.astimezone(SHANGHAI)
        base = local_now.replace(tzinfo=None)
        with self._lock:
            found = self._extract(text.norm, time_base=base, with_parsing=True)
        fallback: TimeSuggestion | None = None
        for item in found:
            surface = item["text"]
            start, end = item["offset"]
            if surface in _NOW_WORDS:
                if fallback is None:
                    fallback = TimeSuggestion(
                        at=now.astimezone(UTC),
                        confidence=0.5,
                        source=text.source(start, end),
                        approximate=True,
                    )
                continue
            if item["type"] not in ("time_point", "time_span"):
                continue
            suggestion = self._interpret(item, text, local_now)
            if suggestion is not None:
                return suggestion
        just_now = self._just_now(text, now)
        if just_now is not None:
            return just_now
        if fallback is not None:
            return fallback
        for word in _IN_PROGRESS:
            k = text.norm.find(word)
            if k >= 0:
                return TimeSuggestion(
                    at=now.astimezone(UTC),
                    confidence=0.5,
                    source=text.source(k, k + len(word)),
                    approximate=True,
                )
        return None

    @staticmethod
    def _just_now(text: _Text, now: datetime) -> TimeSuggestion | None:
        for word in _JUST_NOW:
            k = text.norm.find(word)
            if k >= 0:
                return TimeSuggestion(
                    at=(now - timedelta(minutes=5)).astimezone(UTC),
                    confidence=0.6,
                    source=text.source(k, k + len(word)),
                    approximate=True,
                )
        return None

    @staticmethod
    def _interpret(
        item: Mapping[str, Any], text: _Text, local_now: datetime
    ) -> TimeSuggestion | None:
        surface: str = item["text"]
        start, end = item["offset"]
        detail = item.get("detail") or {}
        span = detail.get("time")
        if not isinstance(span, list) or len(span) != 2:
            return None
        try:
            first = datetime.fromisoformat(span[0]).replace(tzinfo=SHANGHAI)
            last = datetime.fromisoformat(span[1]).replace(tzinfo=SHANGHAI)
        except (TypeError, ValueError):
            return None
        context = text.norm[max(0, start - 2) : min(len(text.norm), end + 3)]
        approximate = detail.get("definition") == "blur" or any(w in context for w in _APPROX_WORDS)
        has_clock = bool(_CLOCK_RE.search(surface))
        part_hour = _day_part(surface)
        if _DELTA_RE.search(surface):
            candidates = [last]
            confidence = 0.85
        elif has_clock:
            candidates = [first]
            confidence = 0.9
            if "点" in surface and part_hour is None and 1 <= first.hour <= 11:
                candidates.append(first + timedelta(hours=12))  # 8点 may be 20:00
                confidence = 0.8
        else:
            hour = part_hour if part_hour is not None else 12
            typical = first.replace(hour=hour, minute=0, second=0)
            # 今天早上 said at 06:30: the part of the day has begun, its
            # typical hour not yet; the call itself bounds the occurrence.
            candidates = [min(typical, local_now) if first <= local_now else typical]
            confidence, approximate = (0.6 if part_hour is not None else 0.4), True
        best: tuple[datetime, bool] | None = None
        for candidate in candidates:
            at, shifted = _previous_occurrence(candidate, surface, local_now)
            if at > local_now:
                continue
            if best is None or at > best[0]:
                best = (at, shifted)
        if best is None:
            return None
        at, shifted = best
        if shifted:
            confidence *= 0.8
        if approximate and has_clock:
            confidence -= 0.1
        return TimeSuggestion(
            at=at.astimezone(UTC),
            confidence=round(confidence, 2),
            source=text.source(start, end),
            approximate=approximate,
        )


# --------------------------------------------------------------------------- priority words


@dataclass(frozen=True)
class _Escalator:
    words: tuple[str, ...]
    cap: int | None  # priority becomes at most this
    step: int  # and then moves this many levels (negative = more urgent)
    reason_zh: str


_ESCALATORS: tuple[_Escalator, ...] = (
    _Escalator(
        (
            "持刀",
            "拿刀",
            "拿着刀",
            "砍刀",
            "菜刀",
            "管制刀具",
            "刀",
            "枪",
            "棍子",
            "棍棒",
            "啤酒瓶",
            "持械",
        ),
        1,
        0,
        "持械",
    ),
    _Escalator(("流血", "出血", "血流", "血", "重伤"), 1, 0, "有人流血"),
    _Escalator(
        (
            "昏迷",
            "叫不醒",
            "不省人事",
            "不动了",
            "没有呼吸",
            "没呼吸",
            "没气了",
            "没反应",
            "快不行",
        ),
        1,
        0,
        "生命危险",
    ),
    _Escalator(("着火", "起火", "火很大", "爆炸", "浓烟"), 1, 0, "火情"),
    _Escalator(("沉下去", "被水冲走", "掉水里", "落水", "溺水"), 1, 0, "落水"),
    _Escalator(("要跳", "跳楼", "割腕", "喝农药"), 1, 0, "轻生"),
    _Escalator(("被困", "困在", "困住", "出不来", "卡在"), 2, 0, "人员被困"),
    _Escalator(("受伤", "摔伤", "骨折", "腿伤", "头破"), 2, 0, "有人受伤"),
    _Escalator(("动手", "动了手", "打起来", "打人", "打架", "扭打"), 2, 0, "肢体冲突"),
    _Escalator(("一群人", "一伙人", "十几个人", "几十个人", "好多人", "一帮人"), 2, 0, "人员聚集"),
    _Escalator(("正在", "还在", "快来", "快点来", "赶紧", "救命"), None, -1, "正在发生"),
    _Escalator(("孩子", "小孩", "儿童", "婴儿", "小朋友", "孕妇", "老人"), None, -1, "涉及老幼"),
    _Escalator(("举报", "线索", "听说", "据说"), None, 1, "举报线索，非现场"),
)
# Categories where a fresh call (the suspect may still be near) is more urgent,
# and an old one (the offence is over) less, though never "no urgency".
_FRESH_CATEGORIES = ("10", "20", "30")
_STALE_CATEGORIES = ("10", "20", "30", "60")
_CALM_FLOOR = 3
_FRESH = timedelta(minutes=30)
_STALE = timedelta(hours=6)


# --------------------------------------------------------------------------- the parser


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
        category, sub = self._classify(loaded, doc, bounds)
        priority = self._prioritise(loaded, doc, bounds, category, sub, occurred, now)
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

    @staticmethod
    def _aligned(bounds: frozenset[int], start: int, end: int) -> bool:
        return start in bounds and end in bounds

    # ---- location

    def _locate(self, doc: _Text, bounds: frozenset[int]) -> LocationSuggestion | None:
        norm = doc.norm
        mentions = []
        for start, end, surfaces in self.gazetteer._matches(norm):
            weak = all(s.strength <= 0.7 for s in surfaces)
            aligned = self._aligned(bounds, start, end)
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
        if not mentions:
            return None
        districts_named = {
            s.entry.district_code
            for _, _, surfaces, _ in mentions
            for s in surfaces
            if s.entry.kind == "district"
        }
        best: tuple[tuple[float, ...], LocationSuggestion] | None = None
        for order, (start, end, surfaces, bonus) in enumerate(mentions):
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
            key = (
                _SPECIFICITY[entry.kind],
                0.0 if ambiguous else 1.0,
                suggestion.confidence,
                -order,
            )
            if best is None or key > best[0]:
                best = (key, suggestion)
        return best[1] if best else None

    # ---- category

    def _scan(
        self, norm: str, lexicon: Mapping[str, Any], max_len: int, bounds: frozenset[int]
    ) -> list[tuple[int, int, str]]:
        """Leftmost-longest lexicon words in ``norm``, skipping negated and split ones."""
        found = []
        i = 0
        n = len(norm)
        while i < n:
            for length in range(min(max_len, n - i), 0, -1):
                word = norm[i : i + length]
                if word in lexicon and (length > 1 or self._aligned(bounds, i, i + 1)):
                    if not _negated(norm, i):
                        found.append((i, i + length, word))
                    i += length
                    break
            else:
                i += 1
        return found

    def _classify(
        self, loaded: _Loaded, doc: _Text, bounds: frozenset[int]
    ) -> tuple[CategorySuggestion | None, SubCategory | None]:
        hits = self._scan(doc.norm, loaded.keywords, loaded.max_keyword, bounds)
        scores: dict[str, float] = {}
        words: dict[str, list[tuple[int, int]]] = {}
        order: dict[str, int] = {s.code: k for k, s in enumerate(self.catalogue.subcategories())}
        for start, end, word in hits:
            for sub, weight in loaded.keywords[word]:
                scores[sub.code] = scores.get(sub.code, 0.0) + weight
                words.setdefault(sub.code, []).append((start, end))
        if not scores:
            return None, None
        ranked = sorted(scores, key=lambda c: (-scores[c], -len(words[c]), order[c]))
        top = ranked[0]
        runner_up = scores[ranked[1]] if len(ranked) > 1 else 0.0
        confidence = scores[top] / (scores[top] + runner_up + 1.5)
        sub = self.catalogue.subcategory(top)
        category = self.catalogue.category_of(top)
        source = "、".join(dict.fromkeys(doc.source(s, e) for s, e in words[top]))
        return CategorySuggestion(
            category_code=category.code,
            sub_code=sub.code,
            confidence=round(min(confidence, 0.95), 2),
            source=source,
        ), sub

    # ---- priority

    def _prioritise(
        self,
        loaded: _Loaded,
        doc: _Text,
        bounds: frozenset[int],
        category: CategorySuggestion | None,
        sub: SubCategory | None,
        occurred: TimeSuggestion | None,
        now: datetime,
    ) -> PrioritySuggestion:
        reasons: list[str] = []
        if sub is not None:
            priority = sub.priority
            reasons.append(f"{sub.code} {sub.label_zh} 默认 {priority} 级")
            confidence = 0.55 + 0.35 * (category.confidence if category else 0.0)
        else:
            priority = 3
            reasons.append("类别不明，默认 3 级")
            confidence = 0.3
        sources: list[str] = []
        stepped: set[str] = set()
        capped: set[str] = set()
        calmed: set[str] = set()
        for start, end, word in self._scan(
            doc.norm, loaded.escalators, loaded.max_escalator, bounds
        ):
            rule = loaded.escalators[word]
            if rule.cap is not None and rule.reason_zh not in capped and priority > rule.cap:
                capped.add(rule.reason_zh)
                priority = rule.cap
                reasons.append(f"{rule.reason_zh}（{doc.source(start, end)}）→ 至少 {rule.cap} 级")
                sources.append(doc.source(start, end))
            elif rule.step < 0 and rule.reason_zh not in stepped:
                stepped.add(rule.reason_zh)
                if priority > 1:
                    priority += rule.step
                    reasons.append(f"{rule.reason_zh}（{doc.source(start, end)}）→ 升一级")
                    sources.append(doc.source(start, end))
            elif rule.step > 0 and rule.reason_zh not in calmed:
                calmed.add(rule.reason_zh)
                if priority < _CALM_FLOOR:
                    priority += rule.step
                    reasons.append(f"{rule.reason_zh}（{doc.source(start, end)}）→ 降一级")
                    sources.append(doc.source(start, end))
        if occurred is not None and category is not None:
            age = now - occurred.at
            if (
                age <= _FRESH
                and category.category_code in _FRESH_CATEGORIES
                and "正在发生" not in stepped
                and 1 < priority <= _CALM_FLOOR
            ):
                priority -= 1
                reasons.append(f"刚发生（{occurred.source}）→ 升一级")
                sources.append(occurred.source)
            elif (
                age >= _STALE
                and category.category_code in _STALE_CATEGORIES
                and not stepped
                and not capped
                and not calmed
                and priority < _CALM_FLOOR
            ):
                priority += 1
                reasons.append(f"已过去 {age.total_seconds() / 3600:.0f} 小时 → 降一级")
                sources.append(occurred.source)
        priority = max(1, min(4, priority))
        if sources:
            confidence = max(confidence, 0.75)
        source = "、".join(dict.fromkeys(sources)) or (category.source if category else "")
        return PrioritySuggestion(
            priority=priority,
            confidence=round(min(confidence, 0.95), 2),
            source=source,
            reasons=tuple(reasons),
        )


# --------------------------------------------------------------------------- evaluation

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

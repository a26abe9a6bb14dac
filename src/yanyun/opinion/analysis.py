"""What a post is about: words, keywords, places, times, incident category, relevance.

One `Analyzer` per process holds the segmenter with its domain dictionary
(police terms, the catalogue's incident words, the city's place names), so a
post is read in one pass without reloading dictionaries.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

from yanyun.geo.boundaries import load_boundaries, load_city_outline
from yanyun.opinion.vocabulary import (
    CLAIM_CATEGORIES,
    CLAIM_SUBCODES,
    CLAIM_WORDS,
    POLICE_TERMS,
    REFUTATION_WORDS,
)

_TIME_CUE = re.compile(
    r"[年月日号点时]|昨|今|前天|凌晨|上午|下午|晚上|傍晚|中午|星期|周[一二三四五六日天]"
)


class Locator(Protocol):
    """Anything that places a WGS-84 point (geo's CityIndex does)."""

    def locate(self, lng: float, lat: float) -> Any: ...


@dataclass(frozen=True)
class Place:
    """A place name the city's posts may use; a point when the place has one (WGS-84)."""

    name: str
    kind: str  # landmark, road, town, district
    district_code: str
    lng: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class PlaceHit:
    surface: str
    place: Place
    start: int


@dataclass
class Analysis:
    """Everything the pipeline reads out of one normalised post."""

    keywords: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    district_code: str | None = None
    grid_code: str | None = None
    lng: float | None = None
    lat: float | None = None
    times: list[str] = field(default_factory=list)
    category_code: str | None = None
    sub_code: str | None = None
    relevance: float = 0.0
    claim: bool = False


class _DropJionlpTracebacks(logging.Filter):
    """jionlp logs a traceback on the root logger for every phrase it cannot parse as a time."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "jionlp" not in record.pathname


_JIONLP_FILTER = _DropJionlpTracebacks()


def _quiet_jionlp() -> Any:
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp

    root = logging.getLogger()
    if _JIONLP_FILTER not in root.filters:
        root.addFilter(_JIONLP_FILTER)
    return jionlp


def _shipped_json(*parts: str) -> Any:
    node = resources.files("yanyun").joinpath("data", *parts)
    return json.loads(node.read_text(encoding="utf-8")) if node.is_file() else None


@lru_cache(maxsize=2)
def shared_analyzer(city: str = "hengyang") -> Analyzer:
    """The process's analyzer of a city, without a locator (see `Analyzer.with_locator`)."""
    return Analyzer.for_city(city)


@lru_cache(maxsize=4)
def city_places(city: str = "hengyang") -> tuple[Place, ...]:
    """The city's districts (and their short forms), landmarks, roads and towns.

    Built from geo's shipped boundaries and landmark list and jionlp's
    administrative divisions (towns by name, no point).

    >>> by_name = {p.name: p for p in city_places("hengyang")}
    >>> by_name["蒸湘区"].district_code, by_name["衡阳东站"].kind
    ('430408', 'landmark')
    """
    districts = [d for d in load_boundaries(city) if d.level != "city"]
    # 衡阳县's short form is the city's own name: a post saying 衡阳 means the city.
    city_stem = load_city_outline(city).name_zh.removesuffix("市")
    places: list[Place] = []
    for d in districts:
        places.append(Place(d.name_zh, "district", d.adcode))
        if len(d.name_zh) >= 3 and d.name_zh[-1] in "区县市" and d.name_zh[:-1] != city_stem:
            places.append(Place(d.name_zh[:-1], "district", d.adcode))
    marks = _shipped_json("landmarks", f"{city}.json") or {"landmarks": []}
    known = {d.adcode for d in districts}
    for m in marks["landmarks"]:
        if m["district_code"] not in known:
            continue
        for surface in (m["name"], *m.get("aliases", ())):
            places.append(Place(surface, m["kind"], m["district_code"], m["lng"], m["lat"]))
    named = {p.name for p in places}
    for code, towns in _towns(tuple(sorted(known))).items():
        places.extend(Place(t, "town", code) for t in towns if t not in named)
    return tuple(places)


def _towns(codes: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    with contextlib.redirect_stdout(io.StringIO()):
        tree = _quiet_jionlp().china_location_loader(detail=True)
    wanted = set(codes)
    out: dict[str, tuple[str, ...]] = {}
    for province in tree.values():
        if not isinstance(province, dict):
            continue
        for city in province.values():
            if not isinstance(city, dict):
                continue
            for county in city.values():
                if isinstance(county, dict) and str(county.get("_admin_code")) in wanted:
                    out[str(county["_admin_code"])] = tuple(
                        t for t in county if not t.startswith("_") and len(t) >= 3
                    )
    return out


@dataclass(frozen=True)
class Subcategory:
    code: str
    category_code: str
    label_zh: str
    keywords: dict[str, float]


@lru_cache(maxsize=1)
def catalogue_words() -> tuple[Subcategory, ...]:
    """The shipped incident catalogue's subcategories with their weighted words."""
    data = _shipped_json("incident_categories.json")
    return tuple(
        Subcategory(s["code"], c["code"], s["label_zh"], dict(s.get("keywords", {})))
        for c in data["categories"]
        for s in c["subcategories"]
    )


def _alternation(words: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered)))


class Analyzer:
    """Reads posts of one city; build once per process (dictionaries load in ~1 s)."""

    def __init__(
        self,
        *,
        places: Sequence[Place] = (),
        subcategories: Sequence[Subcategory] = (),
        locator: Locator | None = None,
        keyword_count: int = 8,
    ) -> None:
        import jieba
        import jieba.analyse

        jieba.setLogLevel(logging.WARNING)
        self.locator = locator
        self.keyword_count = keyword_count
        self.tokenizer = jieba.Tokenizer()
        words = set(POLICE_TERMS) | set(CLAIM_WORDS)
        for sub in subcategories:
            words |= set(sub.keywords)
        for word in words:
            self.tokenizer.add_word(word, freq=2000)
        self._places: dict[str, list[Place]] = {}
        for p in places:
            self._places.setdefault(p.name, []).append(p)
            self.tokenizer.add_word(p.name, freq=3000, tag="ns")
        self._place_re = _alternation(self._places) if self._places else None
        self._tfidf = jieba.analyse.TFIDF()
        self._tfidf.tokenizer = self.tokenizer
        self._tfidf.postokenizer = jieba.posseg.POSTokenizer(self.tokenizer)
        self._subs = {s.code: s for s in subcategories}
        self._cat_re = _alternation(w for s in subcategories for w in s.keywords)
        self._word_subs: dict[str, list[tuple[str, float]]] = {}
        for s in subcategories:
            for w, weight in s.keywords.items():
                self._word_subs.setdefault(w, []).append((s.code, float(weight)))
        self._police_re = _alternation(POLICE_TERMS)
        self._claim_re = _alternation(CLAIM_WORDS)
        self._refute_re = _alternation(REFUTATION_WORDS)

    @classmethod
    def for_city(cls, city: str = "hengyang", *, locator: Locator | None = None) -> Analyzer:
        """The analyzer of a shipped city with the shipped incident catalogue."""
        return cls(places=city_places(city), subcategories=catalogue_words(), locator=locator)

    def with_locator(self, locator: Locator | None) -> Analyzer:
        """A copy sharing the loaded dictionaries but placing points with `locator`."""
        twin = copy.copy(self)
        twin.locator = locator
        return twin

    def segment(self, text: str) -> list[str]:
        """Words of the text (jieba, precise mode, with the domain dictionary)."""
        return [w for w in self.tokenizer.lcut(text) if w.strip()]

    def keywords(self, text: str) -> list[str]:
        """The text's most telling words by TF-IDF over jieba's corpus frequencies."""
        return list(self._tfidf.extract_tags(text[:5000], topK=self.keyword_count))

    def place_hits(self, text: str) -> list[PlaceHit]:
        """Place names in the text, leftmost-longest, in order."""
        if self._place_re is None:
            return []
        return [
            PlaceHit(m.group(), p, m.start())
            for m in self._place_re.finditer(text)
            for p in self._places[m.group()]
        ]

    def classify(self, text: str) -> tuple[str | None, str | None, float]:
        """Incident subcategory the text is most about, its category and the weight behind it."""
        scores: dict[str, float] = {}
        for m in self._cat_re.finditer(text):
            for code, weight in self._word_subs.get(m.group(), ()):
                scores[code] = scores.get(code, 0.0) + weight
        if not scores:
            return None, None, 0.0
        best = max(scores, key=lambda c: (scores[c], c))
        return self._subs[best].category_code, best, scores[best]

    def relevance(self, text: str, category_weight: float) -> float:
        """How much the text concerns public safety or the police, in [0, 1]."""
        police = len(self._police_re.findall(text[:5000]))
        return round(1.0 - math.exp(-(category_weight + 1.5 * police) / 4.0), 3)

    def times(self, text: str, published_at: datetime | None) -> list[str]:
        """Time expressions (jionlp), resolved against the post's own time."""
        if not _TIME_CUE.search(text[:500]):
            return []
        jio = _quiet_jionlp()
        base = published_at.timestamp() if published_at else None
        try:
            found = jio.ner.extract_time(text[:500], time_base=base, with_parsing=False)
        except Exception:  # jionlp raises on odd inputs; a time is a hint, not required
            return []
        return [t["text"] for t in found][:5]

    def resolve(self, hits: Sequence[PlaceHit]) -> tuple[str | None, str | None, Any, Any]:
        """District, grid and point of the most specific place the hits allow."""
        if not hits:
            return None, None, None, None
        named_districts = {h.place.district_code for h in hits if h.place.kind == "district"}
        rank = {"landmark": 0, "road": 1, "town": 2, "district": 3}

        def key(h: PlaceHit) -> tuple[int, int, int]:
            in_named = 0 if not named_districts or h.place.district_code in named_districts else 1
            return (in_named, rank.get(h.place.kind, 4), h.start)

        best = min(hits, key=key).place
        if best.lng is not None and best.lat is not None:
            grid = None
            district = best.district_code
            if self.locator is not None:
                loc = self.locator.locate(best.lng, best.lat)
                if getattr(loc, "inside", False):
                    grid = loc.grid.code
                    district = loc.district.code
            return district, grid, best.lng, best.lat
        return best.district_code, None, None, None

    def analyse(self, text: str, *, published_at: datetime | None = None) -> Analysis:
        """Read one normalised post."""
        head = text[:5000]
        category_code, sub_code, weight = self.classify(head)
        hits = self.place_hits(head)
        district, grid, lng, lat = self.resolve(hits)
        claim_word = self._claim_re.search(head) is not None
        refutes = self._refute_re.search(head) is not None
        claim = not refutes and (
            claim_word
            and (category_code in CLAIM_CATEGORIES or sub_code in CLAIM_SUBCODES or weight == 0)
        )
        relevance = self.relevance(head, weight)
        # Keywords and times cost a millisecond each; only stories that may
        # open or join an event need them (others are grouped and kept).
        telling = relevance > 0 or category_code is not None
        return Analysis(
            keywords=self.keywords(head) if telling else [],
            places=list(dict.fromkeys(h.place.name for h in hits))[:10],
            district_code=district,
            grid_code=grid,
            lng=lng,
            lat=lat,
            times=self.times(head, published_at) if telling else [],
            category_code=category_code,
            sub_code=sub_code,
            relevance=relevance,
            claim=claim,
        )

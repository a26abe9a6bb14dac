"""The places a narrative may name: shipped and bureau landmarks, districts, towns."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from yanyun.command.intake.text import _open_jionlp
from yanyun.geo.boundaries import CITIES, DistrictBoundary

PlaceKind = Literal["landmark", "intersection", "road", "town", "district"]
_KINDS: tuple[str, ...] = ("landmark", "road", "town", "district")


@dataclass(frozen=True)
class Landmark:
    """A place callers name: a landmark, a road, a town or a district (WGS-84 point)."""

    name: str
    aliases: tuple[str, ...]
    kind: str
    district_code: str
    lng: float
    lat: float
    #: For a road, its course as (lng, lat) vertices; empty for anything else.
    line: tuple[tuple[float, float], ...] = ()
    #: The district and street it is listed under (``雁峰区解放路``), checked in tests.
    address: str = ""


def _parse_line(raw: Any, where: str) -> tuple[tuple[float, float], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) < 2:
        raise ValueError(f"{where}: 'line' must be a list of at least two [lng, lat] points")
    points = []
    for pt in raw:
        ok = (
            isinstance(pt, list)
            and len(pt) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in pt)
            and -180.0 <= pt[0] <= 180.0
            and -90.0 <= pt[1] <= 90.0
        )
        if not ok:
            raise ValueError(f"{where}: 'line' point {pt!r} is not a [lng, lat] pair")
        points.append((float(pt[0]), float(pt[1])))
    return tuple(points)


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
        line = _parse_line(raw.get("line"), where)
        if line and kind != "road":
            raise ValueError(f"{where}: only a road has a 'line'")
        address = raw.get("address", "")
        if not isinstance(address, str):
            raise ValueError(f"{where}: 'address' must be a string")
        result.append(
            Landmark(
                name=name.strip(),
                aliases=tuple(a.strip() for a in aliases),
                kind=kind,
                district_code=code,
                lng=float(lng),
                lat=float(lat),
                line=line,
                address=address.strip(),
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
    #: A road's course, (lng, lat) WGS-84 vertices; empty for a point place.
    line: tuple[tuple[float, float], ...] = ()
    #: Every district the road's line runs through (just its own for a point place).
    districts: tuple[str, ...] = ()

    @property
    def crosses_districts(self) -> bool:
        """A road through several districts: its name alone does not say which."""
        return len(self.districts) > 1


@dataclass(frozen=True)
class _Surface:
    text: str
    entry: GazetteerEntry
    strength: float  # 1.0 the name, 0.9 an alias, 0.7 a weak alias


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


# A line counts as running through a district over at least this much of its length
# (degrees; about 50 m): touching a boundary is not crossing it.
_CROSSING_MIN = 0.0005


def _districts_along(m: Landmark, districts: Sequence[DistrictBoundary]) -> tuple[str, ...]:
    """The districts a road's line runs through, its own first; a point place has its own."""
    if not m.line:
        return (m.district_code,)
    from shapely.geometry import LineString

    course = LineString(m.line)
    through = [
        d.adcode for d in districts if d.geometry.intersection(course).length >= _CROSSING_MIN
    ]
    return (m.district_code, *(c for c in through if c != m.district_code))


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

    def __init__(
        self, entries: Iterable[GazetteerEntry], areas: Mapping[str, Any] | None = None
    ) -> None:
        self._entries = tuple(entries)
        # District code -> shapely geometry (WGS-84), to place a meeting point of roads.
        self._areas = dict(areas or {})
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
                    line=m.line,
                    districts=_districts_along(m, districts),
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
        return cls(entries, {d.adcode: d.geometry for d in districts})

    def district_at(self, lng: float, lat: float) -> str | None:
        """The district containing a WGS-84 point, or ``None`` outside the city's districts."""
        from shapely.geometry import Point

        point = Point(lng, lat)
        for code, area in self._areas.items():
            if area.covers(point):
                return code
        return None

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

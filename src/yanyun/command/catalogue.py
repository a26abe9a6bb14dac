"""The catalogue of incident categories (警情类别), configurable per bureau.

Two levels: a category with a two-digit code (``"10"`` 刑事案件) and its
sub-categories with four-digit codes that start with it (``"1002"`` 盗窃).
Each sub-category carries what dispatch needs to know before anyone has
looked at the incident: a default priority (1 = life in danger or crime in
progress .. 4 = no urgency), the unit capabilities required, whether
volunteer police (义警) may ever be sent, and the lexicon keywords the intake
parser scores narratives with.

The demo bureau's catalogue ships as ``yanyun/data/incident_categories.json``;
a bureau points ``command.catalogue_path`` at its own file, which is checked
as strictly as the shipped one.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "CAPABILITIES",
    "Catalogue",
    "Category",
    "SubCategory",
    "load_catalogue",
]

#: The unit capabilities a sub-category may require; units declare the same words.
CAPABILITIES: frozenset[str] = frozenset(
    {"patrol", "armed", "traffic", "first_aid", "water_rescue"}
)

_PRIORITIES = range(1, 5)


@dataclass(frozen=True)
class SubCategory:
    """A sub-category (e.g. ``"1002"`` 盗窃 theft) with its dispatch defaults.

    ``keyword_weights`` runs parallel to ``keywords`` (weight of each lexicon
    word, 1.0 when the file gives a plain list).
    """

    code: str
    label_zh: str
    label_en: str
    priority: int
    capabilities: tuple[str, ...]
    volunteer_safe: bool
    keywords: tuple[str, ...]
    keyword_weights: tuple[float, ...] = ()

    def weight(self, keyword: str) -> float:
        """Return the lexicon weight of one of this sub-category's keywords (0.0 if absent)."""
        for word, w in zip(
            self.keywords, self.keyword_weights or (1.0,) * len(self.keywords), strict=True
        ):
            if word == keyword:
                return w
        return 0.0


@dataclass(frozen=True)
class Category:
    """A top-level category (e.g. ``"10"`` 刑事案件) and its sub-categories.

    When only the category of an incident is known, the derived defaults
    apply: ``default_priority`` (the file's ``priority`` for the category if
    given, else the lower median of its sub-categories' priorities),
    ``capabilities`` (those every sub-category requires) and
    ``volunteer_safe`` (true only if it is for every sub-category).
    """

    code: str
    key: str
    label_zh: str
    label_en: str
    subcategories: tuple[SubCategory, ...]
    priority: int | None = field(default=None)

    @property
    def default_priority(self) -> int:
        """Priority used when the sub-category is unknown."""
        if self.priority is not None:
            return self.priority
        if not self.subcategories:
            return 3
        return int(statistics.median_low(s.priority for s in self.subcategories))

    @property
    def capabilities(self) -> tuple[str, ...]:
        """Capabilities required by every sub-category, in vocabulary order."""
        if not self.subcategories:
            return ()
        common = set.intersection(*(set(s.capabilities) for s in self.subcategories))
        return tuple(c for c in _ordered_capabilities() if c in common)

    @property
    def volunteer_safe(self) -> bool:
        """Whether volunteers may be sent whatever the sub-category turns out to be."""
        return all(s.volunteer_safe for s in self.subcategories)


def _ordered_capabilities() -> tuple[str, ...]:
    return ("patrol", "armed", "traffic", "first_aid", "water_rescue")


class Catalogue:
    """An immutable, validated set of categories; look-ups by code.

    Examples
    --------
    >>> cat = load_catalogue()
    >>> cat.category("10").label_zh, cat.subcategory("1002").label_en
    ('刑事案件', 'Theft')
    >>> cat.is_valid("30", "3003"), cat.is_valid("30", "1002"), cat.is_valid("99", None)
    (True, False, False)
    >>> cat.subcategory("0000")
    Traceback (most recent call last):
    ...
    KeyError: 'unknown incident sub-category: 0000'
    """

    def __init__(self, categories: tuple[Category, ...]) -> None:
        self._categories = categories
        self._by_code = {c.code: c for c in categories}
        self._subs = {s.code: s for c in categories for s in c.subcategories}

    @property
    def categories(self) -> tuple[Category, ...]:
        """All categories in file order."""
        return self._categories

    def subcategories(self) -> Iterator[SubCategory]:
        """Iterate over every sub-category, in file order."""
        for c in self._categories:
            yield from c.subcategories

    def category(self, code: str) -> Category:
        """Return the category with this two-digit code; KeyError if unknown."""
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"unknown incident category: {code}") from None

    def subcategory(self, code: str) -> SubCategory:
        """Return the sub-category with this four-digit code; KeyError if unknown."""
        try:
            return self._subs[code]
        except KeyError:
            raise KeyError(f"unknown incident sub-category: {code}") from None

    def category_of(self, sub_code: str) -> Category:
        """Return the category a sub-category belongs to; KeyError if unknown."""
        self.subcategory(sub_code)
        # Validation guarantees a sub code starts with its category's code.
        return self._by_code[sub_code[:2]]

    def is_valid(self, category_code: str, sub_code: str | None) -> bool:
        """Tell whether the pair names a known category and (if given) one of its subs."""
        category = self._by_code.get(category_code)
        if category is None:
            return False
        if sub_code is None:
            return True
        return any(s.code == sub_code for s in category.subcategories)

    def __len__(self) -> int:
        return len(self._categories)

    def __repr__(self) -> str:
        return f"Catalogue({len(self._categories)} categories, {len(self._subs)} sub-categories)"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "catalogue") -> Catalogue:
        """Build and validate a catalogue from its JSON form; ValueError names the problem."""
        return cls(_parse(data, source))


def _fail(source: str, where: str, problem: str) -> ValueError:
    return ValueError(f"{source}: {where}: {problem}")


def _text(raw: Mapping[str, Any], name: str, source: str, where: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise _fail(source, where, f"{name!r} must be a non-empty string")
    return value.strip()


def _keywords(raw: Any, source: str, where: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    if raw is None:
        return (), ()
    if isinstance(raw, list):
        items = [(word, 1.0) for word in raw]
    elif isinstance(raw, Mapping):
        items = list(raw.items())
    else:
        raise _fail(source, where, "'keywords' must be a list of words or a word -> weight object")
    words: list[str] = []
    weights: list[float] = []
    for word, weight in items:
        if not isinstance(word, str) or not word.strip():
            raise _fail(source, where, f"keyword {word!r} must be a non-empty string")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            raise _fail(source, where, f"keyword {word!r} needs a positive weight, got {weight!r}")
        if word.strip() in words:
            raise _fail(source, where, f"keyword {word!r} is listed twice")
        words.append(word.strip())
        weights.append(float(weight))
    return tuple(words), tuple(weights)


def _priority(raw: Any, source: str, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw not in _PRIORITIES:
        raise _fail(source, where, f"priority must be an integer 1..4, got {raw!r}")
    return raw


def _parse_sub(raw: Any, category_code: str, source: str) -> SubCategory:
    if not isinstance(raw, Mapping):
        raise _fail(source, f"category {category_code}", "each sub-category must be an object")
    code = raw.get("code")
    where = f"sub-category {code!r}"
    if not isinstance(code, str) or len(code) != 4 or not code.isdigit():
        raise _fail(source, where, "code must be four digits")
    if not code.startswith(category_code):
        raise _fail(source, where, f"code must start with its category code {category_code!r}")
    caps = raw.get("capabilities", [])
    if not isinstance(caps, list) or not all(isinstance(c, str) for c in caps):
        raise _fail(source, where, "'capabilities' must be a list of strings")
    unknown = sorted(set(caps) - CAPABILITIES)
    if unknown:
        raise _fail(
            source,
            where,
            f"unknown capabilities {unknown}; known: {', '.join(_ordered_capabilities())}",
        )
    if len(set(caps)) != len(caps):
        raise _fail(source, where, "a capability is listed twice")
    volunteer_safe = raw.get("volunteer_safe")
    if not isinstance(volunteer_safe, bool):
        raise _fail(source, where, "'volunteer_safe' must be true or false")
    keywords, weights = _keywords(raw.get("keywords"), source, where)
    return SubCategory(
        code=code,
        label_zh=_text(raw, "label_zh", source, where),
        label_en=_text(raw, "label_en", source, where),
        priority=_priority(raw.get("priority"), source, where),
        capabilities=tuple(caps),
        volunteer_safe=volunteer_safe,
        keywords=keywords,
        keyword_weights=weights,
    )


def _parse(data: Mapping[str, Any], source: str) -> tuple[Category, ...]:
    if not isinstance(data, Mapping) or not isinstance(data.get("categories"), list):
        raise _fail(source, "top level", "expected an object with a 'categories' list")
    if not data["categories"]:
        raise _fail(source, "top level", "'categories' is empty")
    categories: list[Category] = []
    seen_codes: set[str] = set()
    seen_keys: set[str] = set()
    for raw in data["categories"]:
        if not isinstance(raw, Mapping):
            raise _fail(source, "categories", "each category must be an object")
        code = raw.get("code")
        where = f"category {code!r}"
        if not isinstance(code, str) or len(code) != 2 or not code.isdigit():
            raise _fail(source, where, "code must be two digits")
        if code in seen_codes:
            raise _fail(source, where, "duplicate category code")
        seen_codes.add(code)
        key = _text(raw, "key", source, where)
        if key in seen_keys:
            raise _fail(source, where, f"duplicate category key {key!r}")
        seen_keys.add(key)
        subs_raw = raw.get("subcategories")
        if not isinstance(subs_raw, list) or not subs_raw:
            raise _fail(source, where, "'subcategories' must be a non-empty list")
        subs = []
        for sub_raw in subs_raw:
            sub = _parse_sub(sub_raw, code, source)
            if sub.code in seen_codes:
                raise _fail(source, f"sub-category {sub.code!r}", "duplicate sub-category code")
            seen_codes.add(sub.code)
            subs.append(sub)
        priority = raw.get("priority")
        categories.append(
            Category(
                code=code,
                key=key,
                label_zh=_text(raw, "label_zh", source, where),
                label_en=_text(raw, "label_en", source, where),
                subcategories=tuple(subs),
                priority=None if priority is None else _priority(priority, source, where),
            )
        )
    return tuple(categories)


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load and validate a catalogue: a bureau's JSON file, or the shipped one.

    Parameters
    ----------
    path : pathlib.Path, optional
        A bureau's catalogue file; ``None`` loads the shipped demo catalogue.

    Returns
    -------
    Catalogue

    Raises
    ------
    ValueError
        If the file is not valid JSON or breaks a rule: unique category and
        sub-category codes, two- and four-digit codes with each sub code
        starting with its category's, priorities 1..4, capabilities from
        :data:`CAPABILITIES`, ``volunteer_safe`` a boolean, labels present.
        The message names the file, the entry and the rule.
    FileNotFoundError
        If ``path`` does not exist.

    Examples
    --------
    >>> cat = load_catalogue()
    >>> [c.code for c in cat.categories]
    ['10', '20', '30', '40', '50', '60', '70', '80', '90', '95']
    >>> sub = cat.subcategory("5001")
    >>> sub.priority, sub.capabilities, sub.volunteer_safe
    (1, ('water_rescue', 'first_aid'), False)
    """
    if path is None:
        text = (
            resources.files("yanyun")
            .joinpath("data", "incident_categories.json")
            .read_text(encoding="utf-8")
        )
        source = "incident_categories.json"
    else:
        text = Path(path).read_text(encoding="utf-8")
        source = str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source}: not valid JSON: {exc}") from exc
    return Catalogue.from_dict(data, source=source)

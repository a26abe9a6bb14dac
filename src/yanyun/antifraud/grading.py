"""The grading rules (rules.toml): a warning's grade 高/中/低 from its facts, on values alone."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from yanyun.core.db import Provider

RULES_FILE = Path(__file__).with_name("rules.toml")
GRADES: dict[str, tuple[str, str]] = {
    "high": ("高", "high"), "medium": ("中", "medium"), "low": ("低", "low"),
}


@dataclass(frozen=True)
class FraudType:
    code: str
    zh: str
    en: str
    points: int


@dataclass(frozen=True)
class Rules:
    """One version of the rule file, read."""

    version: str
    high: int
    medium: int
    fraud_types: dict[str, FraudType]
    amount_steps: tuple[tuple[float, int], ...]
    elderly_from: int
    elderly_points: int
    young_below: int
    young_points: int
    repeat_points: int
    recency_steps: tuple[tuple[float, int], ...]
    by_label: dict[str, str] = field(default_factory=dict)

    def fraud_type(self, value: str) -> FraudType | None:
        """The catalogue entry named by its code or its Chinese label."""
        code = value if value in self.fraud_types else self.by_label.get(value)
        return self.fraud_types.get(code) if code else None


@dataclass(frozen=True)
class Graded:
    grade: str
    score: int
    reasons: list[str]


def parse_rules(text: str) -> Rules:
    """Read a rule file's text.

    >>> parse_rules(RULES_FILE.read_text(encoding="utf-8")).fraud_type("冒充公检法").code
    'police'
    """
    raw = tomllib.loads(text)
    types = {code: FraudType(code, t["zh"], t["en"], int(t["points"]))
             for code, t in raw["fraud_types"].items()}
    return Rules(
        version=str(raw["version"]), high=int(raw["grades"]["high"]),
        medium=int(raw["grades"]["medium"]), fraud_types=types,
        amount_steps=tuple(sorted(((float(a["from_yuan"]), int(a["points"]))
                                   for a in raw.get("amount", [])), reverse=True)),
        elderly_from=int(raw["age"]["elderly_from"]),
        elderly_points=int(raw["age"]["elderly_points"]),
        young_below=int(raw["age"]["young_below"]), young_points=int(raw["age"]["young_points"]),
        repeat_points=int(raw["repeat"]["points"]),
        recency_steps=tuple(sorted((float(r["within_min"]), int(r["points"]))
                                   for r in raw.get("recency", []))),
        by_label={t.zh: code for code, t in types.items()},
    )


@cache
def load_rules(path: Path | None = None) -> Rules:
    """The rules of a file (the packaged one by default), read once per process."""
    return parse_rules((path or RULES_FILE).read_text(encoding="utf-8"))


def age_on(id_number: str | None, day: date) -> int | None:
    """Age in whole years on ``day`` from a GB 11643 number's birth date, None if unknown.

    >>> age_on("11010519491231002X", date(2026, 11, 23)), age_on(None, date(2026, 1, 1))
    (76, None)
    >>> age_on("110105200011230012", date(2026, 11, 22))
    25
    """
    if not id_number or len(id_number) != 18:
        return None
    try:
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def grade(rules: Rules, *, fraud_type: str, amount_yuan: float, repeat: bool,
          age: int | None, minutes_since_contact: float | None) -> Graded:
    """Score a warning's facts by the rules and name its grade, with the reasons (zh).

    >>> r = load_rules()
    >>> grade(r, fraud_type="police", amount_yuan=80000, repeat=False, age=70,
    ...       minutes_since_contact=5).grade
    'high'
    >>> grade(r, fraud_type="game", amount_yuan=0, repeat=False, age=40,
    ...       minutes_since_contact=None).grade
    'low'
    """
    reasons: list[str] = []
    kind = rules.fraud_types[fraud_type]
    score = kind.points
    reasons.append(f"{kind.zh} +{kind.points}")
    for floor, points in rules.amount_steps:
        if amount_yuan >= floor:
            score += points
            reasons.append(f"金额≥{floor:.0f}元 +{points}")
            break
    if age is not None and age >= rules.elderly_from:
        score += rules.elderly_points
        reasons.append(f"{age}岁老年人 +{rules.elderly_points}")
    elif age is not None and age < rules.young_below:
        score += rules.young_points
        reasons.append(f"{age}岁青年 +{rules.young_points}")
    if repeat:
        score += rules.repeat_points
        reasons.append(f"重复预警 +{rules.repeat_points}")
    if minutes_since_contact is not None:
        for within, points in rules.recency_steps:
            if minutes_since_contact <= within:
                score += points
                reasons.append(f"接触后{within:.0f}分钟内 +{points}")
                break
    level = "high" if score >= rules.high else "medium" if score >= rules.medium else "low"
    return Graded(grade=level, score=score, reasons=reasons)


#: The deployment's rule file, read and checked once per process.
RULES: Provider[Rules] = Provider(
    "antifraud.rules", lambda runtime: load_rules(runtime.settings.antifraud.rules_path)
)

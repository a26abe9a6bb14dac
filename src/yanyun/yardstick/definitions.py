"""The yardstick's indicators as data: read from a versioned TOML file and checked whole.

A bureau changes what it is judged on by editing a file, not code; a file
that names an unknown category, sub-category, measure or direction is
refused with every problem listed, and nothing of it is used.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from yanyun.command.catalogue import Catalogue
from yanyun.core.errors import Invalid

DEFAULT_FILE = Path(__file__).with_name("indicators.toml")

#: What each measure computes (zh, en) and whether it counts incidents by category.
MEASURES: dict[str, tuple[str, str, bool]] = {
    "count": ("起数", "count", True),
    "within_target": ("比例", "share", False),
    "mean_arrival_s": ("秒", "seconds", False),
    "dispatch_breach": ("比例", "share", False),
    "satisfaction": ("比例", "share", False),
    "safety": ("比例", "share", False),
    "cases_solved": ("起", "cases", False),
    "detained": ("人", "people", False),
    "recovered_yuan": ("元", "yuan", False),
    "fraud_warnings": ("起", "warnings", False),
    "fraud_dissuaded": ("起", "warnings", False),
    "losses_stopped_yuan": ("元", "yuan", False),
}
GROUPS = {
    "four_down": ("四下降", "Four down"),
    "two_up": ("两提升", "Two up"),
    "operations": ("勤务运行", "Operations"),
    "results": ("打击成效", "Results"),
}
_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(frozen=True)
class Indicator:
    id: str
    group: str
    name_zh: str
    name_en: str
    measure: str
    good: str  # "up" or "down"
    categories: tuple[str, ...] = ()
    subs: tuple[str, ...] = ()
    target: float | None = None
    #: A unit's own target (district or station code -> value), over the default.
    unit_targets: tuple[tuple[str, float], ...] = ()

    def target_for(self, code: str | None) -> float | None:
        """The target of a place: its own when the file sets one, else the indicator's."""
        return dict(self.unit_targets).get(code or "", self.target)

    @property
    def counts_incidents(self) -> bool:
        return MEASURES[self.measure][2]


@dataclass(frozen=True)
class Yardstick:
    version: str
    indicators: tuple[Indicator, ...]

    def get(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise Invalid("indicator", f"未知考核指标：{indicator_id}",
                      f"unknown indicator: {indicator_id}")


def load_yardstick(catalogue: Catalogue, path: Path | None = None) -> Yardstick:
    """Read and check an indicator file; Invalid names every problem (zh and en)."""
    source = path or DEFAULT_FILE
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise Invalid("indicators", f"指标文件无法读取：{exc}",
                      f"the indicator file cannot be read: {exc}") from None
    problems: list[tuple[str, str]] = []
    version = raw.get("version")
    if not isinstance(version, str) or not version:
        problems.append(("缺少版本号 version", "no version"))
    indicators = []
    seen: set[str] = set()
    for n, item in enumerate(raw.get("indicator", []), start=1):
        found = _check(item, n, catalogue, seen)
        seen.add(str(item.get("id", "")))
        if isinstance(found, Indicator):
            indicators.append(found)
        else:
            problems.extend(found)
    if not indicators and not problems:
        problems.append(("没有任何指标", "no indicators"))
    if problems:
        raise Invalid(
            "indicators",
            "指标文件有误：" + "；".join(zh for zh, _ in problems),
            "the indicator file is wrong: " + "; ".join(en for _, en in problems),
            problems=[{"zh": zh, "en": en} for zh, en in problems],
        )
    return Yardstick(version=str(version), indicators=tuple(indicators))


def _check(
    item: dict, n: int, catalogue: Catalogue, seen: set[str]
) -> Indicator | list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    ident = str(item.get("id", ""))
    at_zh, at_en = f"第{n}个指标（{ident or '无id'}）", f"indicator {n} ({ident or 'no id'})"
    if not ident or not set(ident) <= _ID_CHARS or len(ident) > 40:
        problems.append((f"{at_zh}：id 只能由小写字母、数字、下划线组成",
                         f"{at_en}: id must be lower-case letters, digits, underscores"))
    if ident in seen:
        problems.append((f"{at_zh}：id 重复", f"{at_en}: duplicate id"))
    measure = item.get("measure")
    if measure not in MEASURES:
        problems.append((f"{at_zh}：未知计量方式 {measure}", f"{at_en}: unknown measure {measure}"))
    if item.get("good") not in ("up", "down"):
        problems.append((f"{at_zh}：good 应为 up 或 down", f"{at_en}: good must be up or down"))
    if item.get("group") not in GROUPS:
        problems.append((f"{at_zh}：未知分组 {item.get('group')}",
                         f"{at_en}: unknown group {item.get('group')}"))
    if not item.get("name_zh") or not item.get("name_en"):
        problems.append((f"{at_zh}：缺少中英文名称", f"{at_en}: needs name_zh and name_en"))
    categories = tuple(str(c) for c in item.get("categories", []))
    subs = tuple(str(s) for s in item.get("subs", []))
    for code in categories:
        if not catalogue.is_valid(code, None):
            problems.append((f"{at_zh}：未知警情类别 {code}", f"{at_en}: unknown category {code}"))
    for code in subs:
        if not catalogue.is_valid(code[:2], code):
            problems.append((f"{at_zh}：未知警情细类 {code}",
                             f"{at_en}: unknown sub-category {code}"))
    if measure == "count" and not (categories or subs):
        problems.append((f"{at_zh}：计数指标须指定类别或细类",
                         f"{at_en}: a count needs categories or subs"))
    target = item.get("target")
    if target is not None and not isinstance(target, int | float):
        problems.append((f"{at_zh}：目标值应为数字", f"{at_en}: target must be a number"))
    unit_targets = item.get("unit_targets", {})
    if not isinstance(unit_targets, dict) or not all(
        isinstance(v, int | float) for v in unit_targets.values()
    ):
        problems.append((f"{at_zh}：unit_targets 应为 单位代码 = 数字",
                         f"{at_en}: unit_targets must map unit codes to numbers"))
        unit_targets = {}
    if problems:
        return problems
    return Indicator(
        id=ident, group=item["group"], name_zh=item["name_zh"], name_en=item["name_en"],
        measure=measure, good=item["good"], categories=categories, subs=subs,
        target=float(target) if target is not None else None,
        unit_targets=tuple(sorted((str(k), float(v)) for k, v in unit_targets.items())),
    )

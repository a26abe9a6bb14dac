"""Category and priority from the words of a narrative.

The category and sub-category come from the weighted lexicon of the
catalogue; the priority is the sub-category's default, raised by words such
as 持刀, 流血, 昏迷, 被困, 正在, 孩子, lowered for an incident many hours old.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from yanyun.command.catalogue import Catalogue, SubCategory
from yanyun.command.intake.suggestions import (
    CategorySuggestion,
    PrioritySuggestion,
    TimeSuggestion,
)
from yanyun.command.intake.text import _aligned, _negated, _Text


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


def _scan(
    norm: str, lexicon: Mapping[str, Any], max_len: int, bounds: frozenset[int]
) -> list[tuple[int, int, str]]:
    """Leftmost-longest lexicon words in ``norm``, skipping negated and split ones."""
    found = []
    i = 0
    n = len(norm)
    while i < n:
        for length in range(min(max_len, n - i), 0, -1):
            word = norm[i : i + length]
            if word in lexicon and (length > 1 or _aligned(bounds, i, i + 1)):
                if not _negated(norm, i):
                    found.append((i, i + length, word))
                i += length
                break
        else:
            i += 1
    return found


def _classify(
    catalogue: Catalogue,
    keywords: Mapping[str, list[tuple[SubCategory, float]]],
    max_keyword: int,
    doc: _Text,
    bounds: frozenset[int],
) -> tuple[CategorySuggestion | None, SubCategory | None]:
    hits = _scan(doc.norm, keywords, max_keyword, bounds)
    scores: dict[str, float] = {}
    words: dict[str, list[tuple[int, int]]] = {}
    order: dict[str, int] = {s.code: k for k, s in enumerate(catalogue.subcategories())}
    for start, end, word in hits:
        for sub, weight in keywords[word]:
            scores[sub.code] = scores.get(sub.code, 0.0) + weight
            words.setdefault(sub.code, []).append((start, end))
    if not scores:
        return None, None
    ranked = sorted(scores, key=lambda c: (-scores[c], -len(words[c]), order[c]))
    top = ranked[0]
    runner_up = scores[ranked[1]] if len(ranked) > 1 else 0.0
    confidence = scores[top] / (scores[top] + runner_up + 1.5)
    sub = catalogue.subcategory(top)
    category = catalogue.category_of(top)
    source = "、".join(dict.fromkeys(doc.source(s, e) for s, e in words[top]))
    return CategorySuggestion(
        category_code=category.code,
        sub_code=sub.code,
        confidence=round(min(confidence, 0.95), 2),
        source=source,
    ), sub


@dataclass
class _Grading:
    """A priority being argued: each step up or down names its reason and its words."""

    priority: int
    reasons: list[str]
    sources: list[str] = field(default_factory=list)
    stepped: set[str] = field(default_factory=set)
    capped: set[str] = field(default_factory=set)
    calmed: set[str] = field(default_factory=set)

    def change(self, priority: int, reason: str, source: str) -> None:
        self.priority = priority
        self.reasons.append(reason)
        self.sources.append(source)


def _prioritise(
    escalators: Mapping[str, _Escalator],
    max_escalator: int,
    doc: _Text,
    bounds: frozenset[int],
    category: CategorySuggestion | None,
    sub: SubCategory | None,
    occurred: TimeSuggestion | None,
    now: datetime,
) -> PrioritySuggestion:
    if sub is not None:
        grading = _Grading(sub.priority, [f"{sub.code} {sub.label_zh} 默认 {sub.priority} 级"])
        confidence = 0.55 + 0.35 * (category.confidence if category else 0.0)
    else:
        grading = _Grading(3, ["类别不明，默认 3 级"])
        confidence = 0.3
    _weigh_words(grading, escalators, max_escalator, doc, bounds)
    if occurred is not None and category is not None:
        _weigh_age(grading, category, occurred, now)
    priority = max(1, min(4, grading.priority))
    if grading.sources:
        confidence = max(confidence, 0.75)
    source = "、".join(dict.fromkeys(grading.sources)) or (category.source if category else "")
    return PrioritySuggestion(
        priority=priority,
        confidence=round(min(confidence, 0.95), 2),
        source=source,
        reasons=tuple(grading.reasons),
    )


def _weigh_words(
    grading: _Grading,
    escalators: Mapping[str, _Escalator],
    max_escalator: int,
    doc: _Text,
    bounds: frozenset[int],
) -> None:
    """Words that cap, raise or lower the priority (weapons, injuries, calm); each reason once."""
    for start, end, word in _scan(doc.norm, escalators, max_escalator, bounds):
        rule = escalators[word]
        said = doc.source(start, end)
        if rule.cap is not None and rule.reason_zh not in grading.capped and (
            grading.priority > rule.cap
        ):
            grading.capped.add(rule.reason_zh)
            grading.change(rule.cap, f"{rule.reason_zh}（{said}）→ 至少 {rule.cap} 级", said)
        elif rule.step < 0 and rule.reason_zh not in grading.stepped:
            grading.stepped.add(rule.reason_zh)
            if grading.priority > 1:
                grading.change(
                    grading.priority + rule.step, f"{rule.reason_zh}（{said}）→ 升一级", said
                )
        elif rule.step > 0 and rule.reason_zh not in grading.calmed:
            grading.calmed.add(rule.reason_zh)
            if grading.priority < _CALM_FLOOR:
                grading.change(
                    grading.priority + rule.step, f"{rule.reason_zh}（{said}）→ 降一级", said
                )


def _weigh_age(
    grading: _Grading, category: CategorySuggestion, occurred: TimeSuggestion, now: datetime
) -> None:
    """Just happened raises a fresh kind of call; hours old lowers a stale one, if nothing else
    moved it."""
    age = now - occurred.at
    if (
        age <= _FRESH
        and category.category_code in _FRESH_CATEGORIES
        and "正在发生" not in grading.stepped
        and 1 < grading.priority <= _CALM_FLOOR
    ):
        grading.change(grading.priority - 1, f"刚发生（{occurred.source}）→ 升一级",
                       occurred.source)
    elif (
        age >= _STALE
        and category.category_code in _STALE_CATEGORIES
        and not (grading.stepped or grading.capped or grading.calmed)
        and grading.priority < _CALM_FLOOR
    ):
        grading.change(
            grading.priority + 1, f"已过去 {age.total_seconds() / 3600:.0f} 小时 → 降一级",
            occurred.source,
        )

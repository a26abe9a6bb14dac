"""When it happened: jionlp's time extractor plus the rules a 110 narrative needs.

Chinese day-parts, 12-hour clocks and "the previous occurrence": an incident
cannot have happened after the call.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from yanyun.command.intake.suggestions import TimeSuggestion
from yanyun.command.intake.text import _open_jionlp, _Text
from yanyun.core.clock import SHANGHAI

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
# A bare number followed by a unit is an amount (抢走了2000块), never a year or a clock.
_BARE_NUMBER_RE = re.compile(r"^[\d一二三四五六七八九十百千万两]+年?$")
_UNIT_AFTER_RE = re.compile(r"^多?(块|元|万|千|百|个|人|岁|米|公里|斤|辆|台|张)")
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
            if _BARE_NUMBER_RE.match(surface) and _UNIT_AFTER_RE.match(text.norm[end:]):
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

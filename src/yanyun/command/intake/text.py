"""A narrative normalised for matching: dialect words, full-width forms, negation.

Shared by the gazetteer, the time reader and the lexicon; jionlp is opened
here, quietly, on first use.
"""

from __future__ import annotations

import contextlib
import io
import re
from typing import Any


def _open_jionlp() -> Any:
    # jionlp prints a banner on import; keep stdout clean for the CLI.
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp

    return jionlp


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


def _aligned(bounds: frozenset[int], start: int, end: int) -> bool:
    return start in bounds and end in bounds

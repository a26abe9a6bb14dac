"""Plates: what a valid plate looks like, and the confusions a plate reader makes.

Fuzzy search does not guess. It uses a confusion table of the characters an
OCR reader mixes up on Chinese plates (0/D/Q, 8/B, 1/I, 5/S, 2/Z) and allows
one character missing or one extra. Both sides are reduced to a canonical form
(every confusable character replaced by its class representative); a stored
plate matches when its canonical form equals the query's, or differs from it
by one inserted or deleted character. The candidates are a short list of
canonical strings, so the same predicate runs on any engine (`translate`).
"""

from __future__ import annotations

import re

# Provinces' one-character abbreviations used on plates.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O on Chinese plates
ALNUM = PLATE_LETTERS + "0123456789"
EBIKE_PREFIX = "衡阳"

# Motor vehicles: 湘D12345 (7) or new-energy 湘DD12345 / 湘D12345D (8).
# E-bikes (电动自行车登记号牌) in the demo city: 衡阳 + 6 characters.
VEHICLE_PATTERN = f"^[{PROVINCES}][{PLATE_LETTERS}][{ALNUM}]{{5,6}}$"
EBIKE_PATTERN = f"^[\u4e00-\u9fff]{{2}}[{ALNUM}]{{6}}$"
PLATE_PATTERN = f"({VEHICLE_PATTERN})|({EBIKE_PATTERN})"
_PLATE_RE = re.compile(PLATE_PATTERN)

# The confusion table: each class is written with its representative first. O is
# not on Chinese plates, but a reader that outputs it means 0.
CONFUSION_CLASSES: tuple[str, ...] = ("0DQO", "8B", "1I", "5S", "2Z")
CANON_FROM = "".join(c[1:] for c in CONFUSION_CLASSES)
CANON_TO = "".join(c[0] * (len(c) - 1) for c in CONFUSION_CLASSES)
_CANON = str.maketrans(CANON_FROM, CANON_TO)
# What an inserted character may be, in canonical form (letters and digits only:
# the province character is read reliably, the tail is where OCR slips).
_CANON_ALPHABET = sorted({ch.translate(_CANON) for ch in ALNUM + "IO"})


def normalise(raw: str) -> str:
    """Upper-case and strip separators a human or a reader adds (·, space, -)."""
    return re.sub(r"[\s·•\-.]", "", raw or "").upper()


def is_valid(plate: str) -> bool:
    return bool(_PLATE_RE.match(plate))


def canonical(plate: str) -> str:
    return plate.translate(_CANON)


def _head_length(plate: str) -> int:
    """Characters at the start that are CJK (province or city): never edited."""
    n = 0
    while n < len(plate) and "\u4e00" <= plate[n] <= "\u9fff":
        n += 1
    return max(n, 1)


def fuzzy_candidates(plate: str) -> list[str]:
    """Canonical forms a stored plate may have to match `plate` (confusions, ±1 character)."""
    canon = canonical(normalise(plate))
    head = _head_length(canon)
    found = {canon}
    for i in range(head, len(canon)):
        found.add(canon[:i] + canon[i + 1 :])
    for i in range(head, len(canon) + 1):
        for ch in _CANON_ALPHABET:
            found.add(canon[:i] + ch + canon[i:])
    return sorted(found)


def match_kind(query: str, plate: str) -> str:
    """How a found plate relates to the query: exact, confusion (same canonical), or edit."""
    query = normalise(query)
    if plate == query:
        return "exact"
    if canonical(plate) == canonical(query):
        return "confusion"
    return "edit"

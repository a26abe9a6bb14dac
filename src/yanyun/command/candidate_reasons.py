"""Why a unit is recommended, in both languages: kind, distance, ETA, capabilities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from yanyun.command.capabilities import CAPABILITIES, CAPABILITY_LABELS, UNIT_KIND_LABELS
from yanyun.geo.travel import UNIT_KINDS

__all__ = [
    "Candidate",
    "capability_phrases",
    "describe_candidates",
    "reason_phrases",
    "tie_phrases",
]


class Candidate(NamedTuple):
    """One recommended unit: its rank (1 = first to arrive) and why, in both languages.

    A named tuple rather than a frozen dataclass: as immutable, and five of
    them are built per query, where a dataclass's init would cost ~1 µs each.
    """

    unit_id: str
    eta_s: float
    distance_m: float
    rank: int
    reason_zh: str
    reason_en: str


def capability_phrases(required: frozenset[str]) -> tuple[str, str]:
    names = [c for c in CAPABILITIES if c in required]
    if not names:
        return "无能力要求", "no capability required"
    zh = "、".join(CAPABILITY_LABELS[c][0] for c in names)
    en = ", ".join(CAPABILITY_LABELS[c][1] for c in names)
    plural = "capabilities" if len(names) > 1 else "capability"
    return f"具备所需能力({zh})", f"has required {plural} ({en})"


_KIND_LABELS_BY_CODE = tuple(UNIT_KIND_LABELS[kind] for kind in UNIT_KINDS)


def reason_phrases(
    kind_code: int, distance_m: float, eta_s: float, caps: tuple[str, str]
) -> tuple[str, str]:
    """Return the Chinese and English reason: kind, distance, ETA, capabilities."""
    kind_zh, kind_en = _KIND_LABELS_BY_CODE[kind_code]
    metres = round(distance_m, -1)
    if metres < 1000.0:
        dist_zh, dist_en = f"{metres:.0f}米", f"{metres:.0f} m"
    else:
        km = f"{distance_m / 1000.0:.1f}"
        dist_zh, dist_en = f"{km}公里", f"{km} km"
    hours, rest = divmod(round(eta_s), 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        eta_zh, eta_en = f"{hours}小时{minutes}分", f"{hours} h {minutes} min"
    elif minutes and seconds:
        eta_zh, eta_en = f"{minutes}分{seconds}秒", f"{minutes} min {seconds} s"
    elif minutes:
        eta_zh, eta_en = f"{minutes}分钟", f"{minutes} min"
    else:
        eta_zh, eta_en = f"{seconds}秒", f"{seconds} s"
    return (
        f"{kind_zh}，距离{dist_zh}，预计{eta_zh}到达，{caps[0]}",
        f"{kind_en}, {dist_en}, ETA {eta_en}, {caps[1]}",
    )


def tie_phrases(previous_unit_id: str) -> tuple[str, str]:
    """Return the clause that explains a tie, so an operator sees why one id comes first."""
    return (
        f"；与{previous_unit_id}预计同时到达，按编号排在其后",
        f"; same ETA as {previous_unit_id}, ranked after it by unit id",
    )


def describe_candidates(
    unit_ids: Sequence[str],
    kind_codes: Sequence[int],
    etas_s: Sequence[float],
    distances_m: Sequence[float],
    required: frozenset[str],
) -> list[Candidate]:
    """Number the ranked units 1..k and give each its reason, naming ties on ETA."""
    caps = capability_phrases(required)
    result: list[Candidate] = []
    for rank, (unit_id, kind, eta, dist) in enumerate(
        zip(unit_ids, kind_codes, etas_s, distances_m, strict=True), 1
    ):
        reason_zh, reason_en = reason_phrases(kind, dist, eta, caps)
        if result and result[-1].eta_s == eta:
            tie_zh, tie_en = tie_phrases(result[-1].unit_id)
            reason_zh, reason_en = reason_zh + tie_zh, reason_en + tie_en
        result.append(
            Candidate(
                unit_id=unit_id,
                eta_s=eta,
                distance_m=dist,
                rank=rank,
                reason_zh=reason_zh,
                reason_en=reason_en,
            )
        )
    return result

"""What a unit can do, as names, labels and the bitmask the fleet index filters on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = [
    "CAPABILITIES",
    "CAPABILITY_BITS",
    "CAPABILITY_LABELS",
    "UNIT_KIND_LABELS",
    "capability_mask",
]

#: What a unit can do; an incident category requires a subset of these.
CAPABILITIES: tuple[str, ...] = ("patrol", "armed", "traffic", "first_aid", "water_rescue")

#: Capability name -> its bit in the ``int32`` capability mask.
CAPABILITY_BITS: Mapping[str, int] = {name: 1 << i for i, name in enumerate(CAPABILITIES)}

CAPABILITY_LABELS: Mapping[str, tuple[str, str]] = {
    "patrol": ("巡逻", "patrol"),
    "armed": ("武装", "armed"),
    "traffic": ("交通", "traffic"),
    "first_aid": ("急救", "first aid"),
    "water_rescue": ("水上救援", "water rescue"),
}

UNIT_KIND_LABELS: Mapping[str, tuple[str, str]] = {
    "patrol_car": ("巡逻车", "patrol car"),
    "quick_response": ("快警平台车", "quick-response car"),
    "motorcycle": ("铁骑摩托", "police motorcycle"),
    "foot": ("步巡民警", "officer on foot"),
    "fixed_post": ("固定岗", "fixed post"),
}


def capability_mask(names: Iterable[str]) -> int:
    """Return the bitmask of a set of capability names.

    >>> capability_mask(["patrol", "armed"]), capability_mask([])
    (3, 0)
    >>> capability_mask(["flying"])
    Traceback (most recent call last):
    ...
    ValueError: unknown capability 'flying'; known: patrol, armed, traffic, first_aid, water_rescue
    """
    mask = 0
    for name in names:
        try:
            mask |= CAPABILITY_BITS[name]
        except KeyError:
            known = ", ".join(CAPABILITIES)
            raise ValueError(f"unknown capability {name!r}; known: {known}") from None
    return mask

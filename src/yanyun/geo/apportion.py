"""Share a whole number among parts by weight, with a floor per part (largest remainder).

Totals come out exact, which is what a bureau's published sizes need
(202 stations, 4,882 grids: not 201 or 4,883 after rounding).
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def apportion(total: int, weights: Sequence[float], minimums: Sequence[int]) -> list[int]:
    """Split ``total`` seats proportionally to ``weights`` with per-item floors.

    Items whose proportional quota falls below their floor get the floor and
    leave the split; the rest share what remains by largest remainder
    (Hamilton's method), ties going to the earlier item. The result sums to
    ``total`` exactly.

    >>> apportion(10, [1.0, 1.0, 1.0], [1, 1, 1])
    [4, 3, 3]
    >>> apportion(10, [100.0, 1.0], [3, 3])
    [7, 3]
    >>> apportion(2, [1.0, 1.0], [3, 3])
    Traceback (most recent call last):
    ...
    ValueError: cannot give 2 seats with floors summing to 6
    """
    if len(weights) != len(minimums):
        raise ValueError("weights and minimums differ in length")
    if any(w < 0 for w in weights) or any(m < 0 for m in minimums):
        raise ValueError("weights and minimums must be non-negative")
    if total < sum(minimums):
        raise ValueError(f"cannot give {total} seats with floors summing to {sum(minimums)}")
    n = len(weights)
    fixed: set[int] = set()
    while True:
        # Invariant: the free items' quotas sum to at least their floors, so
        # some item always stays free (when there is any item at all).
        free = [i for i in range(n) if i not in fixed]
        remaining = total - sum(minimums[i] for i in fixed)
        weight_sum = sum(weights[i] for i in free)
        if weight_sum > 0:
            quotas = {i: remaining * weights[i] / weight_sum for i in free}
        else:
            quotas = {i: remaining / max(len(free), 1) for i in free}
        below = {i for i in free if quotas[i] < minimums[i]}
        if not below:
            break
        fixed |= below
    seats = [minimums[i] if i in fixed else math.floor(quotas[i]) for i in range(n)]
    leftover = total - sum(seats)
    by_remainder = sorted(free, key=lambda i: (-(quotas[i] - seats[i]), i))
    for i in by_remainder[:leftover]:
        seats[i] += 1
    return seats

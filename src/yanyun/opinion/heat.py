"""How hot an opinion event is: volume, velocity, reach, and the level they reach.

Pure functions over post times and counts, shared by the service and the
benchmarks that replay real Weibo repost bursts.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from datetime import datetime, timedelta

LEVEL_LABELS: dict[int, tuple[str, str]] = {
    0: ("一般", "normal"),
    1: ("关注", "watch"),
    2: ("预警", "warning"),
    3: ("高热", "hot"),
}


def velocity_per_h(
    times: Sequence[datetime], *, window_s: int, at: datetime | None = None
) -> float:
    """Posts per hour in the window that ends at `at` (default: the latest post).

    >>> from datetime import datetime, UTC
    >>> t = [datetime(2026, 1, 1, 10, m, tzinfo=UTC) for m in (0, 10, 20, 50)]
    >>> velocity_per_h(t, window_s=3600), velocity_per_h(t, window_s=1800)
    (4.0, 2.0)
    >>> velocity_per_h([], window_s=3600)
    0.0
    """
    if not times:
        return 0.0
    ordered = sorted(times)
    end = at or ordered[-1]
    start = end - timedelta(seconds=window_s)
    lo = bisect.bisect_right(ordered, start)
    hi = bisect.bisect_right(ordered, end)
    return round((hi - lo) * 3600.0 / window_s, 3)


def heat_score(*, volume: int, velocity: float, reach: int, voices: int = 0) -> float:
    """One number for ranking: grows with the log of volume and reach, linearly with speed.

    A burst (many posts an hour) outranks a slow pile of the same size; reach
    (reposts, comments, likes at the source) counts by its order of magnitude.

    >>> heat_score(volume=1, velocity=1, reach=0)
    9.0
    >>> heat_score(volume=50, velocity=20, reach=10_000) > 80
    True
    """
    score = 8.0 * math.log2(1 + volume) + velocity + 6.0 * math.log10(1 + max(reach, 0))
    score += 2.0 * math.log2(1 + max(voices, 0))
    return round(score, 2)


def heat_level(heat: float, thresholds: Sequence[float]) -> int:
    """Level 0..3: how many of the rising thresholds the heat has reached.

    >>> heat_level(49.9, [20, 50, 100]), heat_level(50, [20, 50, 100])
    (1, 2)
    """
    return bisect.bisect_right(list(thresholds), heat)


def hourly_curve(times: Sequence[datetime], *, start: datetime, hours: int) -> list[int]:
    """Posts per hour from `start`, `hours` buckets (later posts dropped)."""
    counts = [0] * hours
    for t in times:
        k = int((t - start).total_seconds() // 3600)
        if 0 <= k < hours:
            counts[k] += 1
    return counts

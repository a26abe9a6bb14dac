"""Partitions of the pool: the bureau day (Asia/Shanghai) of a sighting, as a number and a label."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

SHANGHAI_OFFSET_MS = 8 * 3600 * 1000
DAY_MS = 86_400_000


def day_of_ms(ms: np.ndarray) -> np.ndarray:
    """Bureau day (Asia/Shanghai) of epoch milliseconds, as days since 1970-01-01."""
    return (ms + SHANGHAI_OFFSET_MS) // DAY_MS


def day_label(day_number: int) -> str:
    return (date(1970, 1, 1) + timedelta(days=int(day_number))).isoformat()


def day_start_ms(day: date) -> int:
    return (day - date(1970, 1, 1)).days * DAY_MS - SHANGHAI_OFFSET_MS

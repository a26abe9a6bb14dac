"""Builders for yardstick tests: calls placed in time and station, figures drained."""

from __future__ import annotations

from datetime import datetime

from tests.bus import drain
from tests.command.helpers import create_incident
from yanyun.core.clock import SHANGHAI

CONSUMER = "yardstick.figures"


def call_at(client, headers, grid, when: datetime, sub: str, **extra) -> dict:
    return create_incident(client, headers, grid, category_code=sub[:2], sub_code=sub,
                           received_at=when.isoformat(), **extra)


def shanghai(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, tzinfo=SHANGHAI)


def figures_now(runtime, session) -> int:
    return drain(runtime, CONSUMER, session=session)

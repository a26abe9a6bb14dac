"""A deterministic past for the demo: weeks of closed incidents, so the forecast has
something to learn from and a score to show on the first start.

Calls come from the same generator as the live simulation (daily rhythm,
urban weight, hotspot grids), concentrated as crime is in real cities: a
share of them at a few dozen micro-places (the law of crime concentration),
and near repeats: a share is followed within days by another a short walk
away. Rows are written with one bulk insert.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from yanyun.command.catalogue import load_catalogue
from yanyun.command.models import Incident
from yanyun.core.clock import SHANGHAI, Clock
from yanyun.core.ids import new_id
from yanyun.geo import service as geo_service
from yanyun.sim.calls import CallGenerator, grid_areas

M_PER_DEG = 111_320.0


def ensure_history(
    *,
    session: Session,
    clock: Clock,
    seed: int,
    days: int = 90,
    calls_per_day: float = 60.0,
    repeat_share: float = 0.3,
    places: int = 40,
    place_share: float = 0.4,
    index: geo_service.CityIndex | None = None,
    incidents_per_day: float | None = None,
) -> int:
    """Insert `days` of past incidents, up to an hour ago, if the incident table is empty.

    The past runs into today, so the wall's "today" and "same time last week"
    compare like with like on the first start. `incidents_per_day`, when given,
    sets the rate of calls so that, near repeats included, about that many
    incidents fall on a day. Returns the rows added.
    """
    if session.scalar(select(func.count()).select_from(Incident)):
        return 0
    if incidents_per_day:
        calls_per_day = incidents_per_day / (1.0 + repeat_share)
    rng = random.Random(seed)
    now = clock.now()
    today = now.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=days)
    gen = CallGenerator(
        grid_areas(session=session), load_catalogue(), rng=rng,
        calls_per_hour=calls_per_day / 24.0, start=start, hotspots=8, hotspot_share=0.25,
    )
    # Up to an hour ago: every history incident is closed (an hour after it came in).
    end_s = max(days * 86400.0, (now - timedelta(hours=1) - start).total_seconds())
    calls = _draw_calls(gen, rng, end_s, repeat_share=repeat_share, places=places,
                        place_share=place_share)
    calls.sort()
    index = index or geo_service.load_index(session=session)
    lngs = np.array([c[1] for c in calls])
    lats = np.array([c[2] for c in calls])
    located = index.locate_many(lngs, lats)
    rows = _incident_rows(calls, located, start, clock)
    if rows:
        session.execute(insert(Incident), rows)
    return len(rows)


def _draw_calls(
    gen: CallGenerator, rng: random.Random, end_s: float, *, repeat_share: float, places: int,
    place_share: float,
) -> list[tuple]:
    """The generator's calls bent towards micro-places (a market, a bar street, a station)
    and followed by near repeats, as real records are: (at_s, lng, lat, category, sub)."""
    calls = []
    spots: list[tuple[float, float]] = []  # micro-places: a market, a bar street, a station
    for call in gen:
        if call.at_s >= end_s:
            break
        lng, lat = call.lng, call.lat
        if len(spots) < places:
            spots.append((lng, lat))
        elif rng.random() < place_share:
            s_lng, s_lat = spots[min(int(rng.expovariate(1 / 8.0)), places - 1)]
            lat = s_lat + rng.gauss(0, 60.0) / M_PER_DEG
            lng = s_lng + rng.gauss(0, 60.0) / (M_PER_DEG * math.cos(math.radians(s_lat)))
        calls.append((call.at_s, lng, lat, call.category_code, call.sub_code))
        if rng.random() < repeat_share:  # a near repeat: within ~150 m and ~3 days
            lag = rng.expovariate(1 / (1.5 * 86400.0))
            r, a = 150.0 * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
            dlat = r * math.sin(a) / M_PER_DEG
            dlng = r * math.cos(a) / (M_PER_DEG * math.cos(math.radians(lat)))
            if call.at_s + lag < end_s:
                calls.append((call.at_s + lag, lng + dlng, lat + dlat,
                              call.category_code, call.sub_code))
    return calls


def _incident_rows(
    calls: list[tuple], located: list, start: datetime, clock: Clock
) -> list[dict]:
    """Closed incident rows for the calls inside the city, numbered per bureau day."""
    rows, seq_of_day = [], {}
    for (at_s, lng, lat, cat, sub), place in zip(calls, located, strict=True):
        if not place.inside:
            continue
        at = start + timedelta(seconds=at_s)
        day = at.astimezone(SHANGHAI).date()
        seq_of_day[day] = seq_of_day.get(day, 0) + 1
        rows.append(
            {
                "id": new_id(clock),
                "number": f"{day:%Y%m%d}-H{seq_of_day[day]:05d}",
                "received_at": at,
                "occurred_at": at,
                "source": "history",
                "narrative": "历史警情（示范数据） demo history",
                "lng": lng,
                "lat": lat,
                "district_code": place.district.code,
                "station_code": place.station.code,
                "grid_code": place.grid.code,
                "org_path": place.org_path,
                "category_code": cat,
                "sub_code": sub,
                "priority": 3,
                "status": "closed",
                "dispatch_target_s": 60,
                "arrival_target_s": 600,
                "closed_at": at + timedelta(hours=1),
                "dispatch_breached": False,
                "arrival_breached": False,
            }
        )
    return rows

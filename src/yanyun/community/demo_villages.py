"""The demo villages with their courtyard meetings, and a year of disputes."""

from __future__ import annotations

from datetime import datetime, timedelta
from random import Random
from typing import TypedDict

import numpy as np

from yanyun.community.demo_spec import SURNAMES, CommunitySpec, DemoCity, person_name

DISPUTE_KINDS = ("family", "neighbour", "labour", "debt", "consumer", "land", "other")
DISPUTE_TEXT = {
    "family": "家庭矛盾",
    "neighbour": "邻里纠纷",
    "labour": "劳资纠纷",
    "debt": "债务纠纷",
    "consumer": "消费纠纷",
    "land": "土地山林纠纷",
    "other": "其他纠纷",
}


class VillageRow(TypedDict):
    code: str
    name_zh: str
    grid_code: str
    station_code: str
    org_path: str
    auxiliary_name: str
    patrol_team_size: int
    mediators: list[str]


class MeetingRow(TypedDict):
    id: str
    village_code: str
    org_path: str
    held_at: datetime
    attendance: int
    issues: list[str]


class DisputeRow(TypedDict):
    id: str
    kind: str
    summary: str
    parties: int
    grid_code: str
    station_code: str
    org_path: str
    status: str
    registered_at: datetime
    mediator_name: str | None
    room_station_code: str | None
    outcome: str | None
    outcome_note: str | None
    closed_at: datetime | None


def villages(
    rng: Random, now: datetime, city: DemoCity, spec: CommunitySpec
) -> tuple[list[VillageRow], list[MeetingRow]]:
    """Villages in rural grids, each with its auxiliary, mediators and one courtyard meeting."""
    grids, grid_path = city.grids, city.grid_path
    rural = [g for g in grids if not g.is_urban] or list(grids)
    villages: list[VillageRow] = []
    meetings: list[MeetingRow] = []
    for i in range(spec.villages):
        g = rural[i % len(rural)]
        code = f"VL{i + 1:05d}"
        villages.append(
            {
                "code": code,
                "name_zh": f"{rng.choice(SURNAMES)}家{rng.choice('湾冲坪村塘岭')}",
                "grid_code": g.code,
                "station_code": g.station_code,
                "org_path": grid_path[g.code],
                "auxiliary_name": person_name(rng),
                "patrol_team_size": rng.randint(5, 15),
                "mediators": [person_name(rng) for _ in range(rng.randint(1, 3))],
            }
        )
        meetings.append(
            {
                "id": f"CM{i + 1:06d}",
                "village_code": code,
                "org_path": grid_path[g.code],
                "held_at": now - timedelta(days=rng.uniform(1, 60)),
                "attendance": rng.randint(12, 80),
                "issues": rng.sample(
                    [
                        "防诈骗宣传",
                        "农村道路安全",
                        "留守老人关爱",
                        "山林防火",
                        "邻里土地边界",
                        "电动车被盗",
                    ],
                    2,
                ),
            }
        )
    return villages, meetings


def disputes(
    nrng: np.random.Generator, now: datetime, city: DemoCity, spec: CommunitySpec
) -> list[DisputeRow]:
    """A year of disputes, most closed within two days, one in twenty without agreement."""
    grids, grid_path = city.grids, city.grid_path
    n = spec.disputes_per_year
    ages = nrng.uniform(0, 365, n)
    pick = nrng.integers(0, len(grids), n)
    rows: list[DisputeRow] = []
    for i in range(n):
        g = grids[pick[i]]
        kind = DISPUTE_KINDS[i % len(DISPUTE_KINDS)]
        registered = now - timedelta(days=float(ages[i]))
        done = ages[i] > 10 or i % 3 == 0
        agreement = i % 20 != 0
        rows.append(
            {
                "id": f"DS{i + 1:07d}",
                "kind": kind,
                "summary": DISPUTE_TEXT[kind],
                "parties": 2 + i % 3,
                "grid_code": g.code,
                "station_code": g.station_code,
                "org_path": grid_path[g.code],
                "status": ("resolved" if agreement else "failed") if done else "assigned",
                "registered_at": registered,
                "mediator_name": "湾村明白人" if i % 2 else "社区民警",
                "room_station_code": None,
                "outcome": ("agreement" if agreement else "no_agreement") if done else None,
                "outcome_note": None,
                "closed_at": registered + timedelta(days=2) if done else None,
            }
        )
    return rows

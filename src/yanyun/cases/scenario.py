"""The G107 hit-and-run, seeded in the demo city so the case can be worked end to end.

The seed's worked example: at about 07:00 an e-bike knocked someone down on
107国道 at 向阳街道 and rode off; from the 雪亮工程 cameras the police found
the e-bike and its owner three hours later. The scenario adds what that story
needs to the demo city: five cameras along the road at the scene, the e-bike's
passages (it comes from the west, passes the scene at 06:59:30 and is gone
3 km east by 07:07:30), other plates passing in the same window, and the
e-bike's registration (a made-up owner). The scene's time is the latest 07:00
(Beijing time) at least 90 minutes before the demo's clock, so the search
window lies in the past however the clock is set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.core.clock import SHANGHAI, Clock, as_utc
from yanyun.core.errors import Conflict
from yanyun.core.ids import new_id
from yanyun.intel.models import Camera, Registration

#: 107国道 at 向阳街道 (the gazetteer's point for the road), WGS-84.
SCENE: tuple[float, float] = (112.68463, 26.93847)
ADDRESS = "107国道向阳街道路段"
PLATE = "衡阳G10707"
NARRATIVE = ("报警人称：107国道向阳街道路段一辆白色电动车撞倒行人后逃逸，"
             "伤者腿部受伤倒地，肇事车往东驶离。")
#: Cameras: code, kind, name, metres east and north of the scene.
CAMERAS: tuple[tuple[str, str, str, float, float], ...] = (
    ("G107XY01", "ebike", "107国道向阳街道路口电动车卡口", 30.0, 0.0),
    ("G107XY02", "hd_video", "107国道向阳街道西段高清", -500.0, 20.0),
    ("G107XY03", "ebike", "107国道向阳东路电动车卡口", 1200.0, 60.0),
    ("G107XY04", "checkpoint", "107国道东阳渡卡口", 2900.0, 700.0),
    ("G107XY05", "hd_video", "向阳街道新街口高清", 0.0, 250.0),
)
#: Passages: plate, kind, camera, minutes from the scene's time.
PASSAGES: tuple[tuple[str, str, str, float], ...] = (
    (PLATE, "ebike", "G107XY02", -6.0),
    (PLATE, "ebike", "G107XY01", -0.5),
    (PLATE, "ebike", "G107XY03", 3.0),
    (PLATE, "ebike", "G107XY04", 7.5),
    ("衡阳B35812", "ebike", "G107XY01", -9.0),
    ("衡阳B35812", "ebike", "G107XY05", -4.0),
    ("湘D7K2M5", "car", "G107XY02", 4.0),
    ("湘D7K2M5", "car", "G107XY01", 6.0),
    ("湘D7K2M5", "car", "G107XY03", 12.0),
    ("湘DA1736", "car", "G107XY01", 2.5),
    ("湘DA1736", "car", "G107XY05", 5.0),
    ("衡阳C90317", "ebike", "G107XY05", -2.0),
    ("衡阳C90317", "ebike", "G107XY01", 9.0),
)
_M_PER_DEG_LAT = 111_320.0


@dataclass(frozen=True)
class G107Report:
    cameras: int
    sightings: int
    scene_at: datetime


def scene_time(now: datetime) -> datetime:
    """The latest 07:00 Beijing time at least 90 minutes before ``now`` (UTC).

    >>> from datetime import UTC
    >>> scene_time(datetime(2026, 11, 25, 2, 0, tzinfo=UTC)).isoformat()
    '2026-11-24T23:00:00+00:00'
    >>> scene_time(datetime(2026, 11, 24, 23, 0, tzinfo=UTC)).isoformat()
    '2026-11-23T23:00:00+00:00'
    """
    local = as_utc(now).astimezone(SHANGHAI)
    at = datetime.combine(local.date(), time(7, 0), tzinfo=SHANGHAI)
    if at + timedelta(minutes=90) > local:
        at -= timedelta(days=1)
    return as_utc(at)


def _offset(east_m: float, north_m: float) -> tuple[float, float]:
    lng, lat = SCENE
    return (lng + east_m / (_M_PER_DEG_LAT * math.cos(math.radians(lat))),
            lat + north_m / _M_PER_DEG_LAT)


def _add_cameras(session: Session, clock: Clock, index) -> int:
    for code, kind, name, east_m, north_m in CAMERAS:
        lng, lat = _offset(east_m, north_m)
        where = index.locate(lng, lat)
        if not where.inside:
            raise Conflict("G107场景的点位不在示范城市内", "the G107 cameras lie outside the city")
        session.add(Camera(code=code, kind=kind, name_zh=name, lng=lng, lat=lat,
                           grid_code=where.grid.code, station_code=where.station.code,
                           district_code=where.district.code,
                           installed_at=clock.now() - timedelta(days=400), active=True))
    return len(CAMERAS)


def _register_ebike(session: Session, clock: Clock) -> None:
    if session.scalar(select(Registration.id).where(Registration.plate == PLATE)):
        return
    session.add(Registration(
        id=new_id(clock), plate=PLATE, vehicle_kind="ebike", owner_name="谭建军",
        owner_id_number="430405198803150031", owner_phone="13907345678",
        address="衡阳市珠晖区向阳街道新街12号", brand="雅迪", colour="白色",
        registered_at=clock.now() - timedelta(days=420), status="active",
    ))


def passages_table(scene_at: datetime) -> pa.Table:
    """The scenario's sightings as a pool table."""
    base_ms = int(scene_at.timestamp() * 1000)
    batch = f"g107-{scene_at.date().isoformat()}"
    return pa.table({
        "plate": pa.array([p[0] for p in PASSAGES], pa.string()),
        "kind": pa.array([p[1] for p in PASSAGES], pa.string()),
        "camera": pa.array([p[2] for p in PASSAGES], pa.string()),
        "seen_at": pa.array([base_ms + int(p[3] * 60_000) for p in PASSAGES],
                            pa.timestamp("ms", tz="UTC")),
        "flags": pa.array([0] * len(PASSAGES), pa.int8()),
        "batch_id": pa.array([batch] * len(PASSAGES), pa.string()),
    })


def build_g107(*, session: Session, clock: Clock, index, pool) -> G107Report | None:
    """Seed the scenario once (None if its cameras are already there)."""
    if session.get(Camera, CAMERAS[0][0]) is not None:
        return None
    cameras = _add_cameras(session, clock, index)
    _register_ebike(session, clock)
    session.flush()
    scene_at = scene_time(clock.now())
    table = passages_table(scene_at)
    rows = pool.sightings.append(table, batch_id=f"g107-{scene_at.isoformat()}",
                                 received_ms=int(clock.now().timestamp() * 1000)).rows
    return G107Report(cameras=cameras, sightings=rows, scene_at=scene_at)

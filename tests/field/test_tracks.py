"""Positions are telemetry: one audit row per batch, the history in the pool, read with purpose."""

from datetime import timedelta

from sqlalchemy import func, select

from tests.bus import consumers_from_now, drain
from tests.command.helpers import available_units, create_incident, grid_point
from tests.conftest import login_as
from yanyun.core.audit import AuditEntry
from yanyun.core.clock import SHANGHAI
from yanyun.field.tracks import TRACK_SPOOL, TRACKS, TrackSpool, track_upkeep
from yanyun.intel.pool import Dataset


def _audit_rows(session, **where) -> int:
    stmt = select(func.count()).select_from(AuditEntry)
    for name, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, name) == value)
    session.expire_all()
    return session.scalar(stmt)


def _batch(units, clock, step):
    now = clock.advance(10)
    return {"positions": [
        {"unit_id": u.id, "lng": 112.6 + step * 0.001, "lat": 26.9, "at": now.isoformat()}
        for u in units
    ]}


def test_a_batch_of_positions_is_one_audit_row_not_one_per_unit(client, session, clock):
    dispatcher = login_as(client, "dispatcher")
    units = available_units(session, limit=3)
    before_unit = _audit_rows(session, resource_type="unit")
    result = client.post("/api/v1/units/positions", headers=dispatcher.headers,
                         json=_batch(units, clock, 1)).json()
    assert result["accepted"] == 3
    rows = list(session.scalars(select(AuditEntry).where(AuditEntry.resource_type == "unit")
                                .order_by(AuditEntry.id)))[before_unit:]
    assert [(r.action, r.username, r.detail["fixes"], r.detail["units"]) for r in rows] == [
        ("positions", "dispatcher", 3, 3)
    ]
    listed = {u["id"]: u for u in client.get("/api/v1/units", headers=dispatcher.headers,
                                             params={"limit": 5000}).json()}
    assert listed[units[0].id]["lng"] == 112.601  # the latest is in the database


def test_a_units_track_comes_from_the_pool_with_a_purpose_bound_to_work(
    client, session, clock, runtime, tmp_path
):
    spool = TrackSpool(Dataset(tmp_path / "lake", TRACKS))
    runtime.state[TRACK_SPOOL.name] = spool
    consumers_from_now(session, clock, "field.unit_tracks")
    session.commit()
    dispatcher = login_as(client, "dispatcher")
    units = available_units(session, limit=2)
    start = clock.now()
    for step in range(3):
        client.post("/api/v1/units/positions", headers=dispatcher.headers,
                    json=_batch(units, clock, step))
    clock.advance(timedelta(minutes=1))  # past the runner's grace for id holes (PostgreSQL)
    assert drain(runtime, "field.unit_tracks") == 3
    assert spool.flush() == 6  # in the pool's files now, partitioned by day
    assert spool.dataset.row_count() == 6
    assert all(f.path.startswith("day=") for f in spool.dataset.files())
    client.post("/api/v1/units/positions", headers=dispatcher.headers,
                json=_batch(units, clock, 3))
    drain(runtime, "field.unit_tracks")  # gathered, not yet appended
    query = {"since": start.isoformat(), "until": clock.now().isoformat()}
    path = f"/api/v1/field/units/{units[0].id}/track"
    refused = client.post(path, headers=dispatcher.headers, json=query)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "case_number"
    not_mine = client.post(path, headers=dispatcher.headers,
                           json={**query, "case_number": "A2026-0001", "purpose": "核实警力位置"})
    assert not_mine.status_code == 422 and not_mine.json()["error"]["field"] == "case_number"
    incident = create_incident(client, dispatcher.headers, grid_point(session))
    query = {**query, "until": (clock.now() + timedelta(seconds=1)).isoformat(),
             "case_number": incident["number"], "purpose": "核实出警途中警力位置"}
    track = client.post(path, headers=dispatcher.headers, json=query)
    assert track.status_code == 200, track.text
    lngs = [round(p["lng"], 3) for p in track.json()["points"]]
    assert lngs == [112.6, 112.601, 112.602, 112.603]
    reads = list(session.scalars(select(AuditEntry).where(
        AuditEntry.action == "read_personal", AuditEntry.resource_type == "unit_track")))
    assert [(r.username, r.resource_id, r.case_number) for r in reads] == [
        ("dispatcher", units[0].id, incident["number"])
    ]
    too_long = client.post(path, headers=dispatcher.headers,
                           json={**query, "until": (start + timedelta(days=8)).isoformat()})
    assert too_long.status_code == 422 and too_long.json()["error"]["field"] == "until"


def test_a_finished_day_of_tracks_becomes_one_sorted_file_and_old_days_are_deleted(
    runtime, clock, tmp_path
):
    spool = TrackSpool(Dataset(tmp_path / "lake", TRACKS))
    runtime.state[TRACK_SPOOL.name] = spool
    day = clock.now()
    for minute in range(3):  # three minutes' appends: three files of the day
        spool.add([(unit, day + timedelta(minutes=minute, seconds=10 * i), 112.6 + i, 26.9)
                   for unit in ("u2", "u1") for i in range(2)])
        spool.flush()
    assert [f.tier for f in spool.dataset.files()] == ["part"] * 3
    assert track_upkeep(runtime).startswith("0 days compacted")  # the day is not over
    ended = (day.astimezone(SHANGHAI) + timedelta(days=1)).replace(hour=0, minute=0)
    clock.advance(ended - day + timedelta(hours=runtime.settings.field.track_compact_after_h,
                                          minutes=1))
    assert track_upkeep(runtime).startswith("1 days compacted")
    (whole,) = spool.dataset.files()
    assert whole.tier == "day" and whole.rows == 12
    table = spool.dataset.read_all()
    assert table.column("unit_id").to_pylist() == ["u1"] * 6 + ["u2"] * 6  # sorted by unit
    times = table.column("at").to_pylist()
    assert times[:6] == sorted(times[:6])
    assert track_upkeep(runtime).startswith("0 days compacted, 0 fixes")  # nothing left to do
    # Past retention the day is deleted, its file too.
    clock.advance(timedelta(days=runtime.settings.field.track_kept_days))
    assert track_upkeep(runtime) == "0 days compacted, 12 fixes past retention deleted"
    assert spool.dataset.files() == [] and spool.dataset.row_count() == 0
    assert not list((tmp_path / "lake").rglob("*.parquet"))

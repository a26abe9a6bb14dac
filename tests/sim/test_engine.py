"""The simulator: through the platform on both backends, and in memory on tiny streams."""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
import shapely
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import START
from yanyun.auth.models import User
from yanyun.command.catalogue import load_catalogue
from yanyun.command.models import Assignment, Incident, IncidentTransition, Unit
from yanyun.core.clock import FrozenClock, as_utc
from yanyun.core.errors import Conflict
from yanyun.core.once import AppliedAction
from yanyun.sim.calls import HOURLY_PROFILE, CallGenerator, GridArea
from yanyun.sim.chicago import chicago_fleet, load_chicago_incidents, load_chicago_stations
from yanyun.sim.engine import POLICIES, CitySim
from yanyun.sim.live import run_live
from yanyun.sim.memory_port import MemoryPort
from yanyun.sim.platform import SIM_ACTOR
from yanyun.sim.ports import Call, FleetUnit
from yanyun.sim.replay import replay, stream_from_records
from yanyun.sim.report import format_report
from yanyun.sim.synthetic import simulate

RATE = 15.0  # calls per hour: ~35 calls in two hours from 09:00


@contextmanager
def rolled_back(runtime, clock):
    """Run on the test's connection inside a savepoint, then undo it and the clock."""
    connection = runtime.session_factory.kw["bind"]
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()
        clock.set(START)


# -- through the platform (SQLite and PostgreSQL) -----------------------------


@pytest.mark.parametrize("policy", POLICIES)
def test_every_call_ends_resolved_or_open_with_ordered_times_and_no_unit_double_booked(
    runtime, session, policy
):
    report = simulate(runtime, policy=policy, hours=2, calls_per_hour=RATE, seed=7)
    incidents = list(
        session.scalars(select(Incident).where(Incident.created_by == SIM_ACTOR.user_id))
    )
    assert report.calls == len(incidents) >= 20
    assert report.dispatched == report.calls and report.arrived >= report.calls - 3
    assert report.resolved == sum(1 for i in incidents if i.status == "resolved")
    assert {i.status for i in incidents} <= {"resolved", "on_scene", "en_route", "dispatched"}
    end = START + timedelta(hours=3)
    for inc in incidents:
        times = [inc.received_at, inc.dispatched_at, inc.arrived_at, inc.resolved_at]
        known = [as_utc(t) for t in times if t is not None]
        assert known == sorted(known), inc.number
        assert START <= known[0] < START + timedelta(hours=2) and known[-1] <= end
        assert (inc.resolved_at is not None) == (inc.status == "resolved")
    # Units are never double-booked: one unit's assignments never overlap.
    spans = defaultdict(list)
    for a in session.scalars(select(Assignment)):
        cleared = as_utc(a.cleared_at) if a.cleared_at else START + timedelta(days=1)
        spans[a.unit_id].append((as_utc(a.assigned_at), cleared))
    assert spans
    for unit_id, intervals in spans.items():
        intervals.sort()
        for (_, cleared), (assigned, _) in pairwise(intervals):
            assert cleared <= assigned, unit_id
    open_ids = {
        i.id for i in session.scalars(select(Incident).where(Incident.resolved_at.is_(None)))
    }
    for unit in session.scalars(select(Unit).where(Unit.status != "available")):
        assert unit.current_incident_id in open_ids


def test_same_seed_gives_the_same_report(runtime, clock):
    with rolled_back(runtime, clock):
        first = simulate(runtime, policy="recommend", hours=1, calls_per_hour=RATE, seed=3)
    with rolled_back(runtime, clock):
        second = simulate(runtime, policy="recommend", hours=1, calls_per_hour=RATE, seed=3)
    assert first == second and first.calls > 5


def test_recommend_answers_faster_than_the_station_and_never_without_the_capability(runtime, clock):
    reports = {}
    for policy in ("recommend", "nearest_station"):
        with rolled_back(runtime, clock):
            reports[policy] = simulate(runtime, policy=policy, hours=2, calls_per_hour=RATE, seed=7)
    rec, station = reports["recommend"], reports["nearest_station"]
    assert rec.calls == station.calls
    assert rec.response_s.mean <= station.response_s.mean
    assert rec.response_basic_s.mean <= station.response_basic_s.mean
    assert rec.mismatched == 0 < station.mismatched
    assert "nearest_station" in format_report([rec, station]).splitlines()[0]


def test_live_driver_opens_and_resolves_calls_until_stopped(runtime, session):
    stop = threading.Event()
    start = runtime.clock.now()

    # Stop after 40 simulated minutes, however slowly a busy machine runs them
    # (1 ms of wall time per simulated second when it is idle).
    def watch() -> None:
        deadline = time.monotonic() + 180
        while not stop.is_set() and time.monotonic() < deadline:
            if runtime.clock.now() - start >= timedelta(minutes=40):
                stop.set()
            time.sleep(0.05)
        stop.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    report = run_live(runtime, calls_per_hour=60, seed=5, stop_event=stop, time_factor=0.001)
    watcher.join()
    assert report.policy == "recommend" and report.calls >= 10 and report.resolved >= 1
    assert report.backend == "field"
    opened = session.scalars(select(Incident).where(Incident.created_by == SIM_ACTOR.user_id)).all()
    assert len(opened) == report.calls
    # The units acted as phones do: every arrival and resolution is a crew's keyed action.
    ids = [i.id for i in opened]
    moves = session.execute(
        select(IncidentTransition.to_status, IncidentTransition.actor_name)
        .where(IncidentTransition.incident_id.in_(ids),
               IncidentTransition.to_status.in_(("on_scene", "resolved")))
    ).all()
    assert moves and all(name.startswith("sim-crew-") for _, name in moves)
    resolved = sum(1 for status, _ in moves if status == "resolved")
    assert resolved == report.resolved
    keys = session.scalar(select(func.count()).select_from(AppliedAction)
                          .where(AppliedAction.actor_id.in_(
                              select(User.id).where(User.username.like("sim-crew-%")))))
    arrived = sum(1 for status, _ in moves if status == "on_scene")
    # One key per 签收, 到场 and 处置完毕 (positions keep none).
    assert keys >= arrived * 2 + resolved


# -- the call stream -----------------------------------------------------------


def _grids() -> list[GridArea]:
    cells = []
    for i in range(10):
        for j in range(10):
            box = shapely.box(
                112.5 + i * 0.01, 26.8 + j * 0.01, 112.51 + i * 0.01, 26.81 + j * 0.01
            )
            cells.append(GridArea(f"G{i}{j}", urban=i < 3, geometry=box))
    return cells


def test_call_stream_follows_the_day_and_the_town():
    start = START.replace(hour=0)
    fleet_caps = [frozenset({"patrol", "armed", "first_aid"}), frozenset({"patrol", "traffic"})]
    gen = CallGenerator(
        _grids(),
        load_catalogue(),
        rng=random.Random(1),
        calls_per_hour=100,
        start=start,
        feasible=fleet_caps,
    )
    calls = []
    for call in gen:
        if call.at_s >= 7 * 86400:
            break
        calls.append(call)
    by_hour = [0] * 24
    for c in calls:
        by_hour[int(c.at_s // 3600) % 24] += 1
    assert by_hour[4] < 0.4 * by_hour[20]
    assert abs(len(calls) / (7 * 24) - 100) < 5
    urban = sum(1 for c in calls if c.lng < 112.53)
    assert urban / len(calls) > 0.6  # 30 % of the grids, weighted 6:1
    subs = {c.sub_code for c in calls}
    assert "5001" not in subs and "3001" not in subs  # water rescue; traffic + first aid
    assert "9001" not in subs and "1001" in subs  # no unit sent; robbery
    assert all(5 * 60 <= c.service_s <= 180 * 60 and 15 <= c.handling_s <= 180 for c in calls)
    assert max(HOURLY_PROFILE) == HOURLY_PROFILE[20]


# -- in memory -------------------------------------------------------------------


def _unit(uid, station, lng, lat, caps=("patrol",), kind="patrol_car"):
    return FleetUnit(uid, kind, station, frozenset(caps), lng, lat, lng, lat)


STATIONS = {"A": (-87.70, 41.90), "B": (-87.60, 41.90)}


def _stream(records, seed=1, hours=2.0):
    return stream_from_records(records, start=START, hours=hours, rng=random.Random(seed))


def _run(stream, units, policy, stations=STATIONS):
    port = MemoryPort(units, stations)
    sim = CitySim(
        port,
        stream.calls,
        policy=policy,
        clock=FrozenClock(START),
        start=START,
        horizon_s=stream.hours * 3600,
    )
    return sim, port, sim.run()


def test_memory_replay_walks_each_call_through_the_lifecycle_in_order():
    rng = random.Random(4)
    records = [
        (
            rng.uniform(0, 7200),
            rng.uniform(-87.72, -87.58),
            rng.uniform(41.88, 41.92),
            rng.choice(["violent", "property", "other"]),
        )
        for _ in range(24)
    ]
    units = [
        _unit(f"{s}-{n}", s, *STATIONS[s], caps=("patrol", "armed") if n <= 2 else ("patrol",))
        for s in STATIONS
        for n in range(1, 5)
    ]
    sim, port, report = _run(_stream(records), units, "recommend")
    assert report.calls == 24 and report.arrived == 24 and report.mismatched == 0
    steps = defaultdict(list)
    for key, status, _ in port.log:
        steps[key].append(status)
    for key, seen in steps.items():
        expected = ["received", "dispatched", "en_route", "on_scene", "resolved"]
        assert seen == expected[: len(seen)], key
    for t in sim.traces:
        marks = [
            t.received_s,
            t.ready_s,
            t.dispatched_s,
            t.acknowledged_s,
            t.arrived_s,
            t.resolved_s,
        ]
        known = [m for m in marks if m is not None]
        assert known == sorted(known)


def test_a_call_waits_for_a_free_unit_and_the_wait_counts():
    records = [
        (0.0, -87.69, 41.90, "other"),
        (1.0, -87.69, 41.90, "other"),
        (2.0, -87.69, 41.90, "other"),
    ]
    sim, _, report = _run(_stream(records), [_unit("A-1", "A", *STATIONS["A"])], "nearest_unit")
    assert report.waited == 2 and report.max_queue == 2 and report.arrived == 3
    first, second, third = sorted(sim.traces, key=lambda t: t.dispatched_s)
    assert not first.waited and second.waited and third.waited
    assert second.dispatched_s == first.resolved_s
    assert third.dispatched_s == second.resolved_s
    assert report.response_s.p99 > first.call.service_s


def test_recommend_waits_for_an_armed_unit_that_nearest_unit_ignores():
    records = [(0.0, -87.61, 41.90, "violent")]
    units = [
        _unit("B-1", "B", *STATIONS["B"]),
        _unit("A-1", "A", *STATIONS["A"], caps=("patrol", "armed")),
    ]
    sims = {p: _run(_stream(records), units, p) for p in ("recommend", "nearest_unit")}
    assert sims["recommend"][0].traces[0].unit_id == "A-1"
    assert sims["nearest_unit"][0].traces[0].unit_id == "B-1"
    assert sims["recommend"][2].mismatched == 0 and sims["nearest_unit"][2].mismatched == 1
    assert sims["recommend"][2].response_s.mean > sims["nearest_unit"][2].response_s.mean


def test_nearest_station_sends_the_own_station_first_then_the_nearest():
    own_b = Call(
        1,
        0.0,
        -87.68,
        41.90,
        "other",
        None,
        30.0,
        10.0,
        600.0,
        required=frozenset({"patrol"}),
        station_code="B",
    )
    units = [
        _unit("A-1", "A", *STATIONS["A"]),
        _unit("B-1", "B", *STATIONS["B"]),
        _unit("B-2", "B", -87.65, 41.90, kind="foot"),
    ]
    port = MemoryPort(units, STATIONS)
    sim = CitySim(
        port,
        [own_b],
        policy="nearest_station",
        clock=FrozenClock(START),
        start=START,
        horizon_s=3600,
    )
    sim.run()
    assert sim.traces[0].unit_id == "B-1"  # the station's car, not its nearer foot officer


def test_memory_replay_is_deterministic_and_refuses_a_busy_unit():
    records = [(i * 60.0, -87.65 + i * 0.001, 41.90, "property") for i in range(20)]
    units = [_unit(f"A-{n}", "A", *STATIONS["A"]) for n in range(1, 3)]
    stream = _stream(records, seed=9)
    assert _run(stream, units, "recommend")[2] == _run(stream, units, "recommend")[2]
    port = MemoryPort(units, STATIONS)
    incident = port.open_incident(stream.calls[0])
    port.dispatch(incident, "A-1", 60.0)
    with pytest.raises(Conflict):
        port.dispatch(port.open_incident(stream.calls[1]), "A-1", 60.0)


def test_chicago_readers_on_a_tiny_synthetic_extract(tmp_path: Path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from datetime import datetime

    (tmp_path / "stations.csv").write_text(
        "DISTRICT,ADDRESS,LOCATION\n"
        'Headquarters,x,"x (41.83, -87.62)"\n'
        '1,x,"1718 State St Chicago, IL 60616 (41.858, -87.627)"\n'
        '2,x,"5101 Wentworth Ave (41.801, -87.630)"\n',
        encoding="utf-8",
    )
    stations = load_chicago_stations(tmp_path / "stations.csv")
    assert stations == {"001": (-87.627, 41.858), "002": (-87.630, 41.801)}
    table = pa.table(
        {
            "occurred_at": pa.array(
                [
                    datetime(2018, 10, 1, 0, 5),
                    datetime(2018, 10, 1, 0, 1),
                    datetime(2018, 10, 1, 3, 0),
                    datetime(2018, 10, 2, 0, 0),
                ],
                type=pa.timestamp("ms"),
            ),
            "primary_type": ["ROBBERY", "THEFT", "NARCOTICS", "THEFT"],
            "district": ["001", "002", "002", "001"],
            "lat": [41.85, 41.80, None, 41.85],
            "lon": [-87.62, -87.63, None, -87.62],
        }
    )
    pq.write_table(table, tmp_path / "incidents.parquet")
    stream = load_chicago_incidents(
        tmp_path / "incidents.parquet",
        start=datetime(2018, 10, 1),
        days=1,
        rng=random.Random(1),
    )
    assert [c.label for c in stream.calls] == ["THEFT", "ROBBERY"]
    assert stream.dropped_no_location == 1 and stream.by_class == {"property": 1, "violent": 1}
    assert 60 <= stream.calls[0].at_s < 120 and stream.calls[1].required == {"patrol", "armed"}
    fleet = chicago_fleet(stations, units_per_station=3, armed_per_station=1)
    assert len(fleet) == 6 and sum("armed" in u.capabilities for u in fleet) == 2
    report = replay(stream, units=fleet, stations=stations, policy="nearest_station")
    assert report.calls == report.resolved == 2


# -- the command line -------------------------------------------------------------


def test_sim_command_leaves_the_configured_database_alone(tmp_path, monkeypatch):
    from yanyun.cli.main import app

    target = tmp_path / "demo.db"
    monkeypatch.setenv("YANYUN_DATABASE_URL", f"sqlite:///{target}")
    for key, value in {
        "STATIONS": 40,
        "GRIDS": 400,
        "FIRST_GRADE_STATIONS": 4,
        "SECOND_GRADE_STATIONS": 12,
        "COMMAND_ROOMS": 14,
        "MEDIATION_ROOMS": 16,
    }.items():
        monkeypatch.setenv(f"YANYUN_CITY__{key}", str(value))
    result = CliRunner().invoke(
        app,
        [
            "sim",
            "--hours",
            "0.5",
            "--policy",
            "all",
            "--calls-per-hour",
            "20",
            "--jobs",
            "1",
            "--start",
            "2026-11-23T09:00",
        ],
    )
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()
    assert any("recommend" in line and "nearest_unit" in line for line in header)
    assert "response mean (s)" in result.output
    assert not target.exists()

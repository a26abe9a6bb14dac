"""布控: plates on watch for a case, checked against every sighting the pool takes in.

A watch is asked for from a case, with a reason and an expiry, and starts
only when a second user with the right to approve it says so (one officer
alone cannot put a citizen's car under watch). Every batch ingested is
checked against the active watches: exact plates, and the OCR confusion
forms (8/B, 0/D, ...), since a camera misreads. A hit is raised at once (an
event the console and the case's members see) but nobody acts on it until
an operator confirms the read against the image: a misread plate must not
send a car after an innocent driver. Expired watches stop matching.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core import audit, events
from yanyun.core.clock import Clock, as_utc
from yanyun.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from yanyun.core.ids import new_id
from yanyun.events.intel import WatchHitDecided, WatchHitRaised
from yanyun.intel.engines import canonical_forms
from yanyun.intel.models import Camera, WatchEntry, WatchHit
from yanyun.intel.plates import canonical, is_valid, normalise
from yanyun.intel.schemas import WatchDecision, WatchHitRead, WatchIn, WatchRead

#: The longest a watch may run before it must be asked for again.
MAX_WATCH = timedelta(days=90)


def watch_read(entry: WatchEntry) -> WatchRead:
    return WatchRead.model_validate(entry, from_attributes=True)


def request_watch(*, session: Session, clock: Clock, actor: Actor, watch_in: WatchIn) -> WatchRead:
    """Ask for a plate to be watched under the actor's case; it waits for a second user."""
    plate = normalise(watch_in.plate)
    if not is_valid(plate):
        raise Invalid("plate", "号牌格式不正确", "the plate is malformed")
    expires = as_utc(watch_in.expires_at)
    now = clock.now()
    if expires <= now or expires - now > MAX_WATCH:
        raise Invalid("expires_at", "布控期限须在当前时间之后、90天以内",
                      "a watch ends after now and within 90 days")
    # The case must be the requester's own live work (as for any personal-data search).
    audit.bind_to_work(session, watch_in.case_number)
    entry = WatchEntry(
        id=new_id(clock), plate=plate, canonical=canonical(plate),
        case_number=watch_in.case_number, reason=watch_in.reason, org_path=actor.org_path,
        status="pending", requested_by=actor.username, requested_at=now, expires_at=expires,
    )
    session.add(entry)
    session.flush()
    return watch_read(entry)


def decide_watch(*, session: Session, clock: Clock, actor: Actor, entry_id: str,
                 decision: WatchDecision) -> WatchRead:
    """A second user approves or refuses a watch; the requester never approves their own."""
    entry = session.get(WatchEntry, entry_id)
    if entry is None or not actor.sees(entry.org_path):
        raise NotFound("watch", entry_id)
    if entry.status != "pending":
        raise Conflict("该布控已处理", "this watch was already decided")
    if entry.requested_by == actor.username:
        raise PermissionDenied("布控须由另一人审批", "a watch is approved by someone else")
    entry.status = "active" if decision.approve else "refused"
    entry.decided_by, entry.decided_at = actor.username, clock.now()
    session.flush()
    return watch_read(entry)


def end_watch(*, session: Session, clock: Clock, actor: Actor, entry_id: str) -> WatchRead:
    entry = session.get(WatchEntry, entry_id)
    if entry is None or not actor.sees(entry.org_path):
        raise NotFound("watch", entry_id)
    entry.status = "ended"
    entry.expires_at = min(as_utc(entry.expires_at), clock.now())
    session.flush()
    return watch_read(entry)


def list_watches(*, session: Session, actor: Actor) -> list[WatchRead]:
    rows = session.scalars(
        actor.scope(select(WatchEntry), WatchEntry.org_path)
        .order_by(WatchEntry.requested_at.desc()).limit(500)
    )
    return [watch_read(w) for w in rows]


def active_watches(session: Session, now: datetime) -> list:
    """The active watches as plain rows (id, plate, canonical, case, area): read per batch."""
    return list(session.execute(
        select(WatchEntry.id, WatchEntry.plate, WatchEntry.canonical, WatchEntry.case_number,
               WatchEntry.org_path)
        .where(WatchEntry.status == "active", WatchEntry.expires_at > now)
    ))


def check_batch(*, session: Session, clock: Clock, accepted: pa.Table) -> int:
    """Match an ingested batch against the active watches; a hit row per matching sighting,
    one event per watch with its latest sighting and how many there were.

    Vectorised: the batch's plates and their confusion forms are tested for
    membership in the watched sets, so the cost grows with the batch, not
    with the number of watches; hits are written in one statement.
    """
    watches = active_watches(session, clock.now())
    if not watches or accepted.num_rows == 0:
        return 0
    by_plate = {w.plate: w for w in watches}
    by_canon: dict[str, list] = {}
    for w in watches:
        by_canon.setdefault(w.canonical, []).append(w)
    plates = accepted.column("plate")
    hit_mask = pc.or_(pc.is_in(plates, value_set=pa.array(list(by_plate))),
                      pc.is_in(canonical_forms(plates), value_set=pa.array(list(by_canon))))
    rows = accepted.filter(hit_mask).select(["plate", "camera", "seen_at"]).to_pylist()
    if not rows:
        return 0
    now = clock.now()
    hits: list[dict] = []
    latest: dict[str, tuple[object, dict, str, int]] = {}
    for row in rows:
        exact = by_plate.get(row["plate"])
        matched = [exact] if exact else by_canon.get(canonical(row["plate"]), [])
        match = "exact" if exact else "confusion"
        for entry in matched:
            hits.append(dict(
                id=new_id(clock), entry_id=entry.id, case_number=entry.case_number,
                org_path=entry.org_path, read_plate=row["plate"], match=match,
                camera=row["camera"], seen_at=row["seen_at"], raised_at=now, status="pending",
                decided_by=None, decided_at=None,
            ))
            previous = latest.get(entry.id)
            count = (previous[3] if previous else 0) + 1
            if previous is None or row["seen_at"] > previous[1]["seen_at"]:
                latest[entry.id] = (entry, {**row, "hit_id": hits[-1]["id"]}, match, count)
            else:
                latest[entry.id] = (*previous[:3], count)
    session.execute(insert(WatchHit), hits)
    _raise(session, clock, list(latest.values()))
    return len(hits)


def _raise(session: Session, clock: Clock, latest: list[tuple]) -> None:
    """One event per watch: its latest read, for the case's members wherever they sit
    (the audience) and for the watch's area (its org path)."""
    places = _camera_places(session, {row["camera"] for _, row, _, _ in latest})
    for entry, row, match, count in latest:
        lng, lat = places.get(row["camera"], (None, None))
        events.publish(
            session,
            WatchHitRaised(entry_id=entry.id, case_number=entry.case_number,
                           watched_plate=entry.plate, read_plate=row["plate"], match=match,
                           camera=row["camera"], seen_at=row["seen_at"], lng=lng, lat=lat,
                           sightings=count, hit_id=row["hit_id"],
                           image_ref=image_ref(row["camera"], row["seen_at"])),
            clock=clock, resource_id=entry.id, org_path=entry.org_path,
            audience=audit.work_audience(session, entry.case_number),
        )


def image_ref(camera: str, seen_at: datetime) -> str:
    """The camera frame a read came from (the checkpoint's store keys it by camera and UTC
    second): what the operator opens to compare with the read."""
    return f"{camera}/{as_utc(seen_at):%Y%m%dT%H%M%SZ}"


def _camera_places(session: Session, codes: set[str]) -> dict[str, tuple[float, float]]:
    rows = session.execute(select(Camera.code, Camera.lng, Camera.lat)
                           .where(Camera.code.in_(codes)))
    return {r.code: (r.lng, r.lat) for r in rows}


def list_hits(*, session: Session, actor: Actor, status: str | None) -> list[WatchHitRead]:
    stmt = actor.scope(select(WatchHit), WatchHit.org_path)
    if status:
        stmt = stmt.where(WatchHit.status == status)
    rows = session.scalars(stmt.order_by(WatchHit.raised_at.desc()).limit(200))
    return [_hit_read(h) for h in rows]


def _hit_read(hit: WatchHit) -> WatchHitRead:
    read = WatchHitRead.model_validate(hit, from_attributes=True)
    return read.model_copy(update={"image_ref": image_ref(hit.camera, hit.seen_at)})


def decide_hit(*, session: Session, clock: Clock, actor: Actor, hit_id: str,
               confirm: bool) -> WatchHitRead:
    """The operator compares the read with the image: a confirmed hit may be acted on.

    Whoever was alerted may do it: the watch's area, or a member of its open case.
    """
    hit = session.get(WatchHit, hit_id)
    # The watch's area, or a member of its case from another unit (who was alerted too).
    if hit is None or not actor.can(Perm.sightings_search) or not (
        actor.sees(hit.org_path) or audit.works_on(session, hit.case_number)
    ):
        raise NotFound("watch hit", hit_id)
    if hit.status != "pending":
        raise Conflict("该预警已处理", "this hit was already decided")
    hit.status = "confirmed" if confirm else "rejected"
    hit.decided_by, hit.decided_at = actor.username, clock.now()
    session.flush()
    events.publish(
        session,
        WatchHitDecided(hit_id=hit.id, entry_id=hit.entry_id, case_number=hit.case_number,
                        read_plate=hit.read_plate, status=hit.status, decided_by=actor.username),
        clock=clock, resource_id=hit.id, org_path=hit.org_path,
        audience=audit.work_audience(session, hit.case_number),
    )
    return _hit_read(hit)

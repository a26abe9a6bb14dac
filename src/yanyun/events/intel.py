"""Events of intelligence 情: a watched plate was seen, and the read was checked."""

from __future__ import annotations

from pydantic import AwareDatetime

from yanyun.core.events import Event


class WatchHitRaised(Event):
    """Sightings of a batch matched a plate on watch (布控): its latest one, and how many.

    The case's members and the console look; an operator confirms or rejects
    each read (its hit row) before anyone acts.
    """

    kinds = ("watch.hit",)
    resource_type = "watch_hit"
    read_permission = "sightings:search"

    entry_id: str
    case_number: str
    watched_plate: str
    read_plate: str
    match: str
    camera: str
    seen_at: AwareDatetime
    lng: float | None = None
    lat: float | None = None
    sightings: int = 1
    #: The hit row of the latest sighting (what the console confirms or rejects)
    #: and the camera frame it was read from; absent in events written before.
    hit_id: str | None = None
    image_ref: str | None = None


class WatchHitDecided(Event):
    """An operator compared a hit's read with its image: confirmed (act on it) or rejected."""

    kinds = ("watch.hit_decided",)
    resource_type = "watch_hit"
    read_permission = "sightings:search"

    hit_id: str
    entry_id: str
    case_number: str
    read_plate: str
    status: str
    decided_by: str

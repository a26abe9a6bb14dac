"""Events of duty 勤: crews at shift change, duty levels, post clock-ins, tidal plans."""

from __future__ import annotations

from pydantic import AwareDatetime, ConfigDict, Field

from yanyun.core.events import Event, Part


class ShiftRef(Part):
    id: str
    name: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class CrewRef(Part):
    unit_id: str
    crew: list[str]
    shift_id: str


class CrewsChanged(Event):
    """A station's units were crewed or left without a crew at a shift change (one per station)."""

    kinds = ("duty.crews_changed",)
    resource_type = "station"

    station_code: str
    shifts: list[ShiftRef]
    crewed: list[CrewRef]
    uncrewed: list[str]


class UnitCrewedLegacy(Event):
    """One unit crewed or uncrewed: how shift changes were announced before batching.

    Nothing publishes these any more; rows left in an outbox at upgrade are
    still read by command's crewing.
    """

    kinds = ("duty.unit_crewed", "duty.unit_uncrewed")
    resource_type = "unit"

    unit_id: str | None = None
    crew: list[str] = Field(default_factory=list)
    shift_id: str | None = None
    station_code: str | None = None
    model_config = ConfigDict(frozen=True, extra="allow")


class DutyLevelRaised(Event):
    """A duty level (一级/二级勤务) was raised over an area for a time."""

    kinds = ("duty.level_raised",)
    resource_type = "duty_level"

    level: str
    area_code: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class ClockedIn(Event):
    """An officer clocked in at a post inside its window and geofence."""

    kinds = ("duty.clocked_in",)
    resource_type = "duty_post"

    officer_id: str
    window: str | None = None
    distance_m: float


class TidalPlanAdopted(Event):
    """A duty manager adopted the day's tidal deployment plan (a later one supersedes it)."""

    kinds = ("duty.tidal_plan_adopted",)
    resource_type = "duty_tidal_plan"

    day: str
    demand: str
    units: int
    share_current: float
    share_recommended: float
    superseded: str | None = None

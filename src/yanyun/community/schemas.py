"""API shapes of community policing: grids, disputes, villages, enterprises, the summary.

Volunteers and 一呼百应 have theirs in volunteer_schemas.py.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yanyun.core.params import Day, Instant
from yanyun.core.schemas import InputModel


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)

HAZARD_LABELS = {
    "found": ("已发现", "found"),
    "assigned": ("已交办", "assigned"),
    "removed": ("已整改", "removed"),
    "verified": ("已核验", "verified"),
    "recorded": ("已记录", "recorded"),
}

class GridTeamRead(BaseModel):
    grid_code: str
    grid_name_zh: str | None
    station_code: str
    officer_name: str
    auxiliary_name: str
    patrollers: int
    reports: int
    hazards: int
    hazards_removed: int


class GridTeamPage(BaseModel):
    total: int
    items: list[GridTeamRead]


class HazardType(StrEnum):
    fire = "fire"
    public_order = "public_order"
    other = "other"


class GridReportCreate(InputModel):
    # dynamics 社情动态, hazard 隐患, visit 走访 (a household or shop the grid staff called on)
    kind: str = Field(pattern=r"^(dynamics|hazard|visit)$")
    hazard_type: HazardType | None = None
    title: str = Field(min_length=2, max_length=200)
    detail: str | None = Field(None, max_length=2000)
    lng: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    photos: list[str] = Field(default_factory=list, max_length=20)
    deadline: Instant | None = None
    # Made on the phone when the report was written: a report sent again is filed once.
    key: str | None = Field(None, min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")

    @field_validator("photos")
    @classmethod
    def _photo_refs(cls, value: list[str]) -> list[str]:
        for ref in value:
            if not ref or len(ref) > 300 or any(c.isspace() for c in ref):
                raise ValueError("photo references are non-blank ids or URLs 照片引用格式错误")
        return value


class HazardAction(InputModel):
    action: str = Field(pattern=r"^(assign|remove|verify)$")
    assignee: str | None = Field(None, min_length=1, max_length=64)
    note: str | None = Field(None, max_length=500)
    photos: list[str] = Field(default_factory=list, max_length=20)


class GridReportRead(ReadModel):
    id: str
    kind: str
    hazard_type: str | None
    title: str
    detail: str | None
    grid_code: str
    station_code: str
    lng: float
    lat: float
    status: str
    photos: list[str]
    reported_by: str | None
    found_at: datetime
    deadline: datetime | None
    assignee: str | None
    assigned_at: datetime | None
    removed_at: datetime | None
    verified_at: datetime | None
    overdue_at: datetime | None
    note: str | None


class GridReportPage(BaseModel):
    total: int
    items: list[GridReportRead]


class CountRow(BaseModel):
    code: str
    name_zh: str | None = None
    counts: dict[str, float]


class GridTotals(BaseModel):
    grid_teams: int
    reports: int
    hazards: int
    hazards_removed: int
    hazards_overdue: int


class EnterpriseTotals(BaseModel):
    enterprises: int
    project_officers: int
    cases: int
    recovered_yuan: float


class CommunitySummary(BaseModel):
    """The headline figures of the actor's area (grid totals, people, enterprise totals)."""

    grid_teams: int
    reports: int
    hazards: int
    hazards_removed: int
    hazards_overdue: int
    volunteers: int
    volunteers_available: int
    villages: int
    disputes: int
    disputes_resolved: int
    enterprises: int
    project_officers: int
    cases: int
    recovered_yuan: float


class DisputeCreate(InputModel):
    kind: str = Field(pattern=r"^(family|neighbour|labour|debt|consumer|land|other)$")
    summary: str = Field(min_length=2, max_length=500)
    parties: int = Field(2, ge=2, le=500)
    lng: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class DisputeAssign(InputModel):
    mediator_name: str | None = Field(None, min_length=1, max_length=32)
    room_station_code: str | None = Field(None, min_length=1, max_length=24)


class SessionCreate(InputModel):
    held_at: Instant
    note: str = Field(min_length=1, max_length=500)


class DisputeClose(InputModel):
    outcome: str = Field(pattern=r"^(agreement|no_agreement|referred)$")
    note: str | None = Field(None, max_length=500)


class DisputeRead(ReadModel):
    id: str
    kind: str
    summary: str
    parties: int
    grid_code: str
    station_code: str
    status: str
    registered_at: datetime
    mediator_name: str | None
    room_station_code: str | None
    outcome: str | None
    outcome_note: str | None
    closed_at: datetime | None
    sessions: int = 0


class DisputePage(BaseModel):
    total: int
    items: list[DisputeRead]


class SessionRead(ReadModel):
    id: str
    dispute_id: str
    held_at: datetime
    note: str


class VillageRead(ReadModel):
    code: str
    name_zh: str
    grid_code: str
    station_code: str
    auxiliary_name: str
    patrol_team_size: int
    mediators: list[str]
    meetings: int = 0


class VillagePage(BaseModel):
    total: int
    items: list[VillageRead]


class MeetingCreate(InputModel):
    held_at: Instant
    attendance: int = Field(ge=1, le=5000)
    issues: list[str] = Field(default_factory=list, max_length=50)


class MeetingRead(ReadModel):
    id: str
    village_code: str
    held_at: datetime
    attendance: int
    issues: list[str]


class PlanItem(InputModel):
    text: str = Field(min_length=1, max_length=200)
    done: bool = False


class EnterpriseRead(ReadModel):
    id: str
    name_zh: str
    kind: str
    park: str | None
    station_code: str
    officer_name: str
    plan_items: list[dict]
    visits: int = 0
    cases: int = 0
    recovered_yuan: float = 0.0


class EnterprisePage(BaseModel):
    total: int
    items: list[EnterpriseRead]


class PlanUpdate(InputModel):
    items: list[PlanItem] = Field(max_length=50)


class VisitIssue(InputModel):
    text: str = Field(min_length=1, max_length=200)
    handling: str | None = Field(None, max_length=200)
    resolved: bool = False


class VisitCreate(InputModel):
    visited_at: Instant
    issues: list[VisitIssue] = Field(default_factory=list, max_length=50)
    service_day_id: str | None = Field(None, max_length=26)


class VisitRead(ReadModel):
    id: str
    enterprise_id: str
    service_day_id: str | None
    visited_at: datetime
    issues: list[dict]


class ServiceDayCreate(InputModel):
    station_code: str = Field(min_length=1, max_length=24)
    day: Day | None = Field(None, description="A 20th; defaults to the next 20th.")
    enterprise_ids: list[str] = Field(default_factory=list, max_length=200)


class ServiceDayReport(InputModel):
    report: str = Field(min_length=2, max_length=4000)


class ServiceDayRead(ReadModel):
    id: str
    station_code: str
    station_name_zh: str | None = None
    day: date
    status: str
    planned_enterprises: list[str]
    report: str | None
    reported_at: datetime | None
    visits: int = 0
    issues: int = 0
    issues_resolved: int = 0


class CaseCreate(InputModel):
    title: str = Field(min_length=2, max_length=200)
    status: str = Field(pattern=r"^(solved|prosecution|open)$")
    amount_recovered_yuan: float = Field(0.0, ge=0, le=1e12)


class CaseRead(ReadModel):
    id: str
    enterprise_id: str
    title: str
    status: str
    amount_recovered_yuan: float

"""Settings of community policing (``YANYUN_COMMUNITY__...``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

# Categories (1x-5x) and sub-categories the shipped catalogue marks not
# volunteer_safe: volunteers are never called to these.
DEFAULT_UNSAFE_FOR_VOLUNTEERS = [
    "10", "20", "30", "40", "50", "60", "70",
    "1001", "1004", "1005", "1006", "1007", "1008", "1009", "1010",
    "2001", "2002", "2003", "2004", "2007", "2008",
    "3001", "3005", "4001", "4002", "4003", "4004",
    "5001", "5002", "5003", "5004", "5005", "5006", "6006", "7005",
]


class CommunitySettings(BaseModel):
    """Grids, volunteers and their mobilisation (一呼百应), disputes, villages, enterprises."""

    volunteers: int = Field(
        121_000, ge=0, description="Volunteers (衡阳义警) the demo city registers."
    )
    unsafe_categories: list[str] = Field(
        default_factory=lambda: list(DEFAULT_UNSAFE_FOR_VOLUNTEERS),
        description="Incident category or sub-category codes volunteers are never called to.",
    )
    call_radius_m: float = Field(
        5000.0, gt=0, description="Default search radius of a volunteer call (m)."
    )
    max_headcount: int = Field(200, ge=1, description="Most volunteers one call may ask for.")
    hazard_deadline_h: int = Field(
        72, ge=1, description="Hours to remove a hazard when the report gives no deadline."
    )
    overdue_scan_s: float = Field(
        30.0, gt=0, description="How often hazards past their deadline are looked for (s)."
    )
    index_ttl_s: float = Field(
        60.0, gt=0, description="Age after which the in-memory volunteer index is rebuilt (s)."
    )
    arrive_radius_m: float = Field(
        300.0, gt=0, le=5000,
        description="How near the call's place a volunteer's fix must be to count as arrived (m).",
    )
    arrive_max_accuracy_m: float = Field(
        100.0, gt=0, le=5000, description="Coarsest fix accepted as an arrival (m)."
    )

"""Settings of duty (``YANYUN_DUTY__...``)."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator


class DutySettings(BaseModel):
    """Shifts, duty levels and post clock-in."""

    shift_check_s: float = Field(
        5.0, gt=0, description="How often shift starts and ends are applied to units' crews (s)."
    )
    normal_share: float = Field(
        0.3, gt=0, le=1, description="Share of an area's officers on duty per shift, normal duty."
    )
    level3_share: float = Field(
        0.4, gt=0, le=1, description="Share of an area's officers on duty per shift at level 3."
    )
    level2_share: float = Field(
        0.6, gt=0, le=1, description="Share of an area's officers on duty per shift at level 2."
    )
    level1_share: float = Field(
        0.9, gt=0, le=1, description="Share of an area's officers on duty per shift at level 1."
    )
    level_requirements: dict[str, dict[str, int]] = Field(
        default_factory=lambda: {
            "normal": {"skill:first_aid": 1},
            "level_3": {"skill:firearms": 1, "skill:first_aid": 1, "post:reserve": 2},
            "level_2": {
                "skill:firearms": 2, "skill:traffic": 2, "skill:mediation": 1,
                "skill:first_aid": 2, "post:reserve": 3,
            },
            "level_1": {
                "skill:firearms": 3, "skill:traffic": 3, "skill:mediation": 2,
                "skill:first_aid": 2, "post:reserve": 5,
            },
        },
        description=(
            "Default staffing requirements of a level, per station in its area and per shift:"
            " level -> {'skill:<code>' | 'certification:<name>' | 'post:<kind>': officers}."
        ),
    )
    clock_in_max_skew_s: int = Field(
        120, ge=0, description="A device time further than this from the server's is refused (s)."
    )
    clock_in_max_accuracy_m: float = Field(
        60.0, gt=0, description="A position fix less precise than this is refused (m)."
    )
    clock_in_early_min: int = Field(
        10, ge=0, description="Minutes before a post's window opens when clock-in already counts."
    )
    tidal_max_move_m: float = Field(
        5000.0,
        ge=0,
        description="Farthest a tidal plan sends a quick-response unit from its platform (m); "
        "0: no limit.",
    )

    @model_validator(mode="after")
    def _check_requirements(self) -> DutySettings:
        levels = ("normal", "level_3", "level_2", "level_1")
        for level, wanted in self.level_requirements.items():
            if level not in levels:
                raise ValueError(f"level_requirements: unknown level {level!r}")
            for key, count in wanted.items():
                kind, _, code = key.partition(":")
                if kind not in ("skill", "certification", "post") or not code:
                    raise ValueError(
                        f"level_requirements: {key!r} is not skill:, certification: or post:"
                    )
                if count < 0:
                    raise ValueError(f"level_requirements: {key!r} needs a count >= 0")
        return self

"""Typed settings, read from `YANYUN_` environment variables.

Built explicitly by `load_settings()` at the edges (CLI, app factory, tests),
never at import, so two apps with different settings can live in one process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev-secret"}

#: Monday (0) to Sunday (6): a unit that works every day.
EVERY_DAY = frozenset(range(7))


def _check_weekdays(days: list[int], name: str) -> list[int]:
    if not days or any(d not in EVERY_DAY for d in days):
        raise ValueError(
            f"{name}: weekdays are 0 (Monday) to 6 (Sunday), at least one "
            f"工作日须为 0（周一）到 6（周日），至少一天: {days}"
        )
    return sorted(set(days))


@dataclass(frozen=True)
class HolidayCalendar:
    """Public holidays (days off) and 调休 working days (weekends worked) of office units."""

    name: str
    holidays: frozenset[date]
    workdays: frozenset[date]


def _calendar_days(entries: object, where: str) -> set[date]:
    """Dates from ISO days and inclusive ranges ("2026-10-01..2026-10-07")."""
    if not isinstance(entries, list):
        raise ValueError(f"holiday calendar {where}: a list of dates 须为日期列表")
    days: set[date] = set()
    for entry in entries:
        first_text, _, last_text = str(entry).partition("..")
        try:
            first = date.fromisoformat(first_text.strip())
            last = date.fromisoformat(last_text.strip()) if last_text else first
        except ValueError:
            raise ValueError(
                f"holiday calendar {where}: not a date or range 日期格式错误: {entry!r}"
            ) from None
        if last < first or (last - first).days > 31:
            raise ValueError(
                f"holiday calendar {where}: a range runs forward, at most a month "
                f"日期区间须顺序且不超过一个月: {entry!r}"
            )
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return days


def load_holiday_calendar(source: str) -> HolidayCalendar:
    """Read a holiday calendar from a file path or a shipped name (``cn-2026``)."""
    path = Path(source)
    if not path.suffix and "/" not in source:
        path = Path(str(files("yanyun") / "data" / "calendars" / f"{source}.json"))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(
            f"holiday calendar {source}: cannot read 无法读取节假日历: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise ValueError(f"holiday calendar {source}: a JSON object 须为 JSON 对象")
    holidays = _calendar_days(data.get("holidays", []), f"{source} holidays")
    workdays = _calendar_days(data.get("workdays", []), f"{source} workdays")
    both = sorted(holidays & workdays)
    if both:
        raise ValueError(
            f"holiday calendar {source}: both holiday and working day 既是假日又是调休工作日: "
            + ", ".join(d.isoformat() for d in both)
        )
    return HolidayCalendar(str(data.get("name", source)), frozenset(holidays), frozenset(workdays))


class AuthSettings(BaseModel):
    """Logins and tokens."""

    token_ttl_s: int = Field(12 * 3600, ge=60, description="Lifetime of a login token (s).")
    max_failed_logins: int = Field(
        5, ge=1, description="Failed logins per user name in the window before it is throttled."
    )
    failed_login_window_s: int = Field(
        900, ge=10, description="Window over which failed logins are counted (s)."
    )


class CitySettings(BaseModel):
    """The demo city: which boundaries, how many stations and grids, from which seed."""

    name: str = Field("hengyang", description="Boundary file under yanyun/data/boundaries.")
    seed: int = Field(20261123, description="Seed of the deterministic city generator.")
    stations: int = Field(202, ge=1, description="Police stations (派出所) to generate.")
    grids: int = Field(4882, ge=1, description="Policing grids (网格) to generate.")
    urban_districts: list[str] = Field(
        default_factory=lambda: ["珠晖区", "雁峰区", "石鼓区", "蒸湘区", "南岳区"],
        description="Districts drawn with dense, small urban grids.",
    )
    urban_density: float = Field(
        15.0, gt=0, description="Grids per km² in urban districts relative to rural ones."
    )
    first_grade_stations: int = Field(19, ge=0, description="一级派出所 count.")
    second_grade_stations: int = Field(60, ge=0, description="二级派出所 count.")
    command_rooms: int = Field(
        71, ge=0, description="Stations with an integrated duty command room."
    )
    mediation_rooms: int = Field(78, ge=0, description="Stations with a mediation room.")

    @model_validator(mode="after")
    def _counts_fit(self) -> CitySettings:
        if self.grids < self.stations:
            raise ValueError("city.grids must be at least city.stations (每个派出所至少一个网格)")
        if self.first_grade_stations + self.second_grade_stations > self.stations:
            raise ValueError("first- and second-grade stations exceed city.stations")
        if max(self.command_rooms, self.mediation_rooms) > self.stations:
            raise ValueError("stations with rooms exceed city.stations")
        return self


class CommandSettings(BaseModel):
    """Incidents, the 1-3-5 clock, duplicates and unit positions."""

    catalogue_path: Path | None = Field(
        None, description="A bureau's own incident category catalogue (JSON); none = shipped."
    )
    dispatch_target_s: int = Field(60, ge=1, description="Dispatch within this of receipt (s).")
    urban_arrival_target_s: int = Field(
        600, ge=60, description="Arrival target outside any 1-3-5 circle, urban districts (s)."
    )
    rural_arrival_target_s: int = Field(
        1200, ge=60, description="Arrival target outside any 1-3-5 circle, rural counties (s)."
    )
    duplicate_radius_m: float = Field(
        300, gt=0, description="Calls this close (and close in time) are offered as duplicates."
    )
    duplicate_window_s: int = Field(
        1800, gt=0, description="Calls this close in time (and place) are offered as duplicates."
    )
    position_stale_after_s: int = Field(
        120, gt=0, description="A unit position older than this is flagged stale (s)."
    )
    breach_scan_s: float = Field(
        5.0, gt=0, description="How often open incidents are checked for missed 1-3-5 targets."
    )
    position_future_tolerance_s: int = Field(
        60, ge=0, description="Positions stamped further in the future than this are rejected."
    )


class OversightSettings(BaseModel):
    """Supervised tasks, the daily clearing (日清零), risk inspections, notifications."""

    day_end: str = Field(
        "18:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="End of the working day (Asia/Shanghai, HH:MM): undone tasks escalate then.",
    )
    day_end_by_org: dict[str, str] = Field(
        default_factory=dict,
        description="Per-org end of day, org code -> HH:MM; the nearest listed ancestor applies.",
    )
    working_days: list[int] = Field(
        default_factory=lambda: sorted(EVERY_DAY),
        description=(
            "Weekdays (0 = Monday) on which the clearing runs and daily duties are due; "
            "every day by default (stations and the command centre never close)."
        ),
    )
    working_days_by_kind: dict[str, list[int]] = Field(
        default_factory=dict,
        description=(
            "Per org kind, its weekdays (e.g. an office kind Monday-Friday: "
            '{"office": [0,1,2,3,4]}); overrides working_days.'
        ),
    )
    working_days_by_org: dict[str, list[int]] = Field(
        default_factory=dict,
        description=(
            "Per org code, its weekdays; the nearest listed ancestor applies and overrides "
            "the kind's."
        ),
    )
    holiday_calendar_file: str | None = Field(
        None,
        description=(
            "Public-holiday calendar (JSON: holidays and 调休 working weekends) followed by "
            "units that do not work every day: a file path or a shipped name such as cn-2026."
        ),
    )
    job_interval_s: float = Field(
        10.0, gt=0, description="How often the web process runs the supervision jobs (s)."
    )
    recurring_unit_kind: str = Field(
        "station", description="Org unit kind that receives the recurring duties."
    )
    enterprise_service_day: int = Field(
        20, ge=1, le=28, description="Day of the month of the enterprise service day (企业服务日)."
    )
    weekly_inspection_weekday: int = Field(
        0, ge=0, le=6, description="Weekday (0 = Monday) of the weekly risk inspection duty."
    )
    notify_channels: list[str] = Field(
        default_factory=lambda: ["live"],
        description="Notification channels: any of live, email, webhook.",
    )
    notify_max_attempts: int = Field(
        5, ge=1, description="Delivery attempts per notification before it is marked failed."
    )
    notify_retry_s: float = Field(
        30.0, gt=0, description="First retry delay (s); doubles after each failed attempt."
    )
    smtp_host: str = Field("127.0.0.1", description="SMTP server of the email channel.")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP port of the email channel.")
    smtp_from: str = Field("yanyun@localhost", description="Sender address of notifications.")
    smtp_to: list[str] = Field(
        default_factory=list, description="Recipients of email notifications (duty inboxes)."
    )
    webhook_url: str | None = Field(
        None, description="URL the webhook channel POSTs JSON to (a WeCom/DingTalk/SMS gateway)."
    )
    webhook_secret: SecretStr | None = Field(
        None, description="Signs webhook bodies (HMAC-SHA256 in X-Yanyun-Signature) when set."
    )
    send_timeout_s: float = Field(
        5.0, gt=0, description="Timeout of one email or webhook delivery attempt (s)."
    )

    _calendar: HolidayCalendar | None = PrivateAttr(default=None)

    @field_validator("working_days")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        return _check_weekdays(value, "working_days")

    @field_validator("working_days_by_kind", "working_days_by_org")
    @classmethod
    def _weekdays_by(cls, value: dict[str, list[int]]) -> dict[str, list[int]]:
        return {key: _check_weekdays(days, key) for key, days in value.items()}

    @model_validator(mode="after")
    def _load_calendar(self) -> OversightSettings:
        if self.holiday_calendar_file:
            self._calendar = load_holiday_calendar(self.holiday_calendar_file)
        return self

    @property
    def holiday_calendar(self) -> HolidayCalendar | None:
        """The parsed holiday calendar, read once when the settings were built."""
        return self._calendar



class OpinionSettings(BaseModel):
    """Public opinion: ingest limits, grouping, heat and linking to incidents."""

    city: str = Field("hengyang", description="City whose place names the text pipeline knows.")
    max_post_chars: int = Field(
        200_000, ge=100, description="Longer posts are rejected as too large (characters)."
    )
    max_batch: int = Field(5000, ge=1, description="Most posts accepted in one push or file.")
    jaccard: float = Field(
        0.5, gt=0, le=1, description="Stories this similar (3-gram Jaccard) are one story."
    )
    containment: float = Field(
        0.6, gt=0, le=1, description="A story this much contained in another is an excerpt of it."
    )
    min_relevance: float = Field(
        0.3, ge=0, le=1, description="Stories below this public-safety relevance open no event."
    )
    event_window_s: int = Field(
        172800, gt=0, description="Groups of one place and category this close in time join (s)."
    )
    velocity_window_s: int = Field(
        3600, gt=0, description="Velocity counts posts in this window before the latest (s)."
    )
    heat_thresholds: list[float] = Field(
        default_factory=lambda: [20.0, 50.0, 100.0],
        description="Heat at which an event turns level 1 (关注), 2 (预警) and 3 (高热); rising "
        "past one raises an alert event.",
    )
    link_radius_m: float = Field(
        3000, gt=0, description="Incidents this close to an event's place may be linked to it."
    )
    link_window_s: int = Field(
        172800, gt=0, description="Incidents this close in time to an event may be linked (s)."
    )
    feed_timeout_s: float = Field(10.0, gt=0, description="A feed slower than this fails (s).")
    feed_max_bytes: int = Field(
        5_000_000, gt=0, description="A feed answer larger than this is refused (bytes)."
    )
    feed_poll_s: int = Field(300, ge=10, description="How often enabled feeds are polled (s).")
    rumor_model_path: Path | None = Field(
        None, description="A rumour-score model trained on the bureau's own posts; none = no score."
    )

    @model_validator(mode="after")
    def _thresholds_rise(self) -> OpinionSettings:
        t = self.heat_thresholds
        if len(t) != 3 or not 0 < t[0] < t[1] < t[2]:
            raise ValueError("opinion.heat_thresholds must be three rising positive numbers")
        return self

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


class IntelSettings(BaseModel):
    """The data pool (数据池), cameras and plate search."""

    engine: Literal["duckdb", "spark"] = Field(
        "duckdb", description="Query engine of the pool: DuckDB in-process or Apache Spark."
    )
    spark_master: str = Field(
        "local[1]", description="Spark master URL when engine is spark (local[n] or a cluster)."
    )
    row_group_rows: int = Field(
        4096, ge=64, description="Rows per Parquet row group (a plate lookup reads one or few)."
    )
    row_group_cache_mb: int = Field(
        256, ge=0, description="Memory for decoded row groups of the pool, MB (0: none)."
    )
    max_speed_kmh: float = Field(
        250.0, gt=0, description="Speed between two sightings of a plate above which it is flagged."
    )
    future_tolerance_s: int = Field(
        300, ge=0, description="Sightings stamped further in the future than this are refused (s)."
    )
    recent_window_h: int = Field(
        24,
        ge=1,
        description="Hours of accepted sightings the writer remembers, to refuse a row re-sent "
        "in a later batch and flag a jump from a plate's sighting in an earlier batch.",
    )
    maintenance_interval_s: int = Field(
        600, ge=1, description="How often the server's pool job looks for work (s)."
    )
    compact_after_h: float = Field(
        1.0, ge=0, description="Hours after a bureau day ends before its batch files are compacted."
    )
    seal_after_days: int = Field(
        2, ge=0, description="Days after a month ends before it is sealed into a plate-sorted file."
    )
    ledger_retention_days: int = Field(
        7, ge=1, description="Days a batch id is remembered, to answer a re-sent batch."
    )
    max_batch_rows: int = Field(
        2_000_000, ge=1, description="Largest ingest batch accepted in one request (rows)."
    )
    max_window_days: int = Field(
        400, ge=1, description="Longest time window of one plate search (days)."
    )
    cameras: int = Field(20_000, ge=1, description="Cameras in the demo city's registry.")
    demo_plates: int = Field(8_000, ge=10, description="Plates in the demo pool.")
    demo_days: int = Field(14, ge=0, description="Days of sightings in the demo pool.")
    demo_rows_per_day: int = Field(
        40_000, ge=0, description="Sightings per day in the demo pool."
    )


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


class WebSettings(BaseModel):
    """The HTTP server and the map."""

    host: str = Field("127.0.0.1", description="Address the server binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port the server binds.")
    tile_url: str | None = Field(
        None, description="Base-map tile URL template; none by default (vector layers only)."
    )
    tile_crs: Literal["WGS84", "GCJ02"] = Field(
        "WGS84", description="Coordinate system of the tiles at tile_url."
    )
    event_poll_s: float = Field(
        0.25, gt=0, description="How often committed events are read for live fan-out (s)."
    )


class StatsSettings(BaseModel):
    """Hotspots and forecasts (情报研判)."""

    cell_m: float = Field(150.0, ge=10, description="Forecast cell size (m).")
    forecast_method: Literal["counts", "retro", "prospective", "etas", "boosted"] = Field(
        "retro", description="Method of the platform's next-day forecast."
    )
    window_days: int = Field(365, ge=1, description="Past window the forecast reads (days).")
    bandwidth_m: float = Field(300.0, ge=0, description="Kernel bandwidth, retro/prospective (m).")
    coverage: float = Field(
        0.05, gt=0, le=1, description="Share of cells flagged as hotspots and scored."
    )
    score_days: int = Field(30, ge=1, le=120, description="Days of the live score.")
    day_shift_start_h: int = Field(
        8, ge=0, le=23, description="Local hour the day shift starts (the next-shift forecast)."
    )
    night_shift_start_h: int = Field(
        20, ge=0, le=23, description="Local hour the night shift starts (the next-shift forecast)."
    )


class Settings(BaseSettings):
    """All of yanyun's settings; `yanyun config show` prints them, secrets masked."""

    model_config = SettingsConfigDict(
        env_prefix="YANYUN_", env_nested_delimiter="__", extra="ignore"
    )

    env: Literal["development", "test", "production"] = Field(
        "development", description="Deployment kind; production refuses placeholder secrets."
    )
    database_url: str = Field(
        "sqlite:///./var/yanyun.db",
        description="SQLAlchemy URL; postgresql+psycopg://... for production.",
    )
    lake_path: Path = Field(Path("./var/lake"), description="Folder of the data pool (Parquet).")
    secret_key: SecretStr = Field(
        SecretStr("change-me"), description="Server secret (salts, signing); set in production."
    )
    clock_start: AwareDatetime | None = Field(
        None,
        description=(
            "Start the server's clock at this instant (ISO 8601 with a zone) and let it run: "
            "a demo replayed on a chosen day, tests that must not depend on the calendar. "
            "Refused in production."
        ),
    )
    auth: AuthSettings = Field(default_factory=AuthSettings, description="Logins and tokens.")
    city: CitySettings = Field(default_factory=CitySettings, description="The demo city.")
    command: CommandSettings = Field(
        default_factory=CommandSettings, description="Command and dispatch."
    )
    opinion: OpinionSettings = Field(
        default_factory=OpinionSettings, description="Public opinion (舆情)."
    )
    duty: DutySettings = Field(
        default_factory=DutySettings, description="Shifts, duty levels, posts."
    )
    web: WebSettings = Field(default_factory=WebSettings, description="HTTP server and map.")
    oversight: OversightSettings = Field(
        default_factory=OversightSettings, description="Supervision: tasks, clearing, notices."
    )
    intel: IntelSettings = Field(
        default_factory=IntelSettings, description="Data pool, cameras and plate search."
    )
    community: CommunitySettings = Field(
        default_factory=CommunitySettings, description="Community policing."
    )
    stats: StatsSettings = Field(
        default_factory=StatsSettings, description="Hotspots and forecasts."
    )

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.env != "development" and self.secret_key.get_secret_value() in PLACEHOLDER_SECRETS:
            raise ValueError(
                "YANYUN_SECRET_KEY is a placeholder; set a real secret outside development "
                "(生产环境必须设置真实密钥)"
            )
        if self.env == "production" and self.clock_start is not None:
            raise ValueError(
                "YANYUN_CLOCK_START is for demos and tests; production runs on wall time "
                "(生产环境不得设置模拟时钟)"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides on top."""
    return Settings(**overrides)


def masked(settings: Settings) -> dict:
    """Return the effective settings as plain data with secrets and passwords masked."""
    data = settings.model_dump(mode="json")
    data["secret_key"] = "********"
    data["database_url"] = _mask_url_password(settings.database_url)
    return data


def _mask_url_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)

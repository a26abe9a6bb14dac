"""Settings of supervision (``YANYUN_OVERSIGHT__...``): the working calendar, jobs, notices."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel, Field, PrivateAttr, SecretStr, field_validator, model_validator

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

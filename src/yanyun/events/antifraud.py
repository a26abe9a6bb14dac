"""Events of anti-fraud early warning 反电诈: a warning received, overdue, or closed.

An overdue warning is announced as :class:`WarningOverdue` (the fact, for the
desk's live view) and asked of supervision as a `TaskRequested` (督办), the
path every context takes to supervision.
"""

from __future__ import annotations

from pydantic import AwareDatetime

from yanyun.core.events import Event


class WarningReceived(Event):
    """A warning taken in, graded and routed to its station."""

    kinds = ("antifraud.warning_received",)
    resource_type = "antifraud_warning"
    read_permission = "antifraud:read"

    number: str
    grade: str
    fraud_type: str
    station_code: str
    phone_due_at: AwareDatetime
    visit_due_at: AwareDatetime


class WarningOverdue(Event):
    """A warning past its phone or in-person deadline without that contact (announced once)."""

    kinds = ("antifraud.warning_overdue",)
    resource_type = "antifraud_warning"
    read_permission = "antifraud:read"

    number: str
    grade: str
    station_code: str
    missed: str
    due_at: AwareDatetime


class WarningClosed(Event):
    """A warning's outcome recorded (劝阻成功, 已受骗, 无法联系, 误报, 已转案件)."""

    kinds = ("antifraud.warning_closed",)
    resource_type = "antifraud_warning"
    read_permission = "antifraud:read"

    number: str
    outcome: str
    station_code: str
    stopped_yuan: float = 0.0


class FraudCaseRequested(Event):
    """A warning closed 已受骗 or 已转案件: a fraud case (案件) is to be opened for it.

    Cases opens it (one per warning, however often this is delivered) with the
    officer who recorded the outcome as its owner; the victim travels masked.
    """

    kinds = ("antifraud.case_requested",)
    resource_type = "antifraud_warning"
    read_permission = "antifraud:read"

    warning_id: str
    number: str
    outcome: str
    owner_username: str
    fraud_type_zh: str
    victim_masked: str
    address: str
    lng: float
    lat: float
    amount_yuan: float
    suspect_account: str
    received_at: AwareDatetime

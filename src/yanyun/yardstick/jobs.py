"""The yardstick's periodic work: the monthly report sent to supervisors (考核月报).

Once the bureau's month has ended and it is past 08:00 in Asia/Shanghai, the
last month's yardstick for the city (four down, two up, with year-on-year
changes) goes out through supervision's notification interface (live,
e-mail, webhook: whatever the deployment set), with a link to the page and
its workbook. The month's row is claimed first in the same transaction, so
the report goes out once however many processes run the job.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit
from yanyun.auth.permissions import permissions_of
from yanyun.auth.service import Actor
from yanyun.core.clock import SHANGHAI
from yanyun.core.db import Runtime, session_scope
from yanyun.core.jobs import Job
from yanyun.oversight import notify
from yanyun.yardstick import service
from yanyun.yardstick.models import MonthlyReport
from yanyun.yardstick.schemas import YardstickRead

REPORT_HOUR = 8
SYSTEM = Actor(user_id="system", username="system", roles=("admin",), org_code="",
               org_path="", permissions=permissions_of(["admin"]))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.1f}%"


def report_text(read: YardstickRead) -> tuple[str, str]:
    """Subject and body of a month's report: each indicator, its value and year on year."""
    month = read.first[:7]
    lines = [f"{read.name_zh} {month} 考核指标（指标版本 {read.version}）",
             f"Yardstick of {read.name_en} for {month}", ""]
    for f in read.indicators:
        value = "—" if f.value is None else (
            f"{f.value:,.0f}" if f.measure == "count" else
            f"{f.value * 100:.1f}%" if f.measure != "mean_arrival_s" else f"{f.value:.0f} s")
        mark = "" if f.better is None else ("（向好 better）" if f.better else "（变差 worse）")
        lines.append(f"- {f.name_zh} / {f.name_en}: {value}，同比 {_pct(f.yoy)}{mark}")
    lines += ["", f"/kpi?month={month}  ·  /api/v1/kpi/export.xlsx?month={month}"]
    return f"【考核月报】{month} {read.name_zh}", "\n".join(lines)


def send_monthly_report(runtime: Runtime) -> str:
    now = runtime.clock.now().astimezone(SHANGHAI)
    if now.hour < REPORT_HOUR:
        return "not yet 08:00"
    month = service.default_month(runtime.clock)
    with session_scope(runtime, actor_username="system") as session:
        if session.get(MonthlyReport, month) is not None:
            return f"{month} already sent"
        try:
            with session.begin_nested():
                claim = MonthlyReport(month=month, sent_at=runtime.clock.now(), notifications=0)
                session.add(claim)
        except IntegrityError:
            return f"{month} sent by another process"
        read, _, _ = service.view(session, SYSTEM, runtime.provide(service.YARDSTICK),
                                  org=None, month=month)
        subject, body = report_text(read)
        rows = notify.enqueue(
            session, clock=runtime.clock, settings=runtime.settings.oversight,
            kind="yardstick.monthly", org_path=_bureau_path(session), subject=subject, body=body,
            payload={"month": month, "figures": {f.id: f.value for f in read.indicators}},
        )
        claim.notifications = len(rows)
    return f"{month} report queued on {len(rows)} channels"


def _bureau_path(session: Session) -> str:
    bureau = session.scalar(select(OrgUnit).where(OrgUnit.kind == "bureau"))
    return bureau.path if bureau is not None else ""


JOBS = [
    Job("yardstick.monthly_report", send_monthly_report, every_s=3600.0,
        description="the last month's yardstick sent to supervisors once, after 08:00 on the "
        "1st (through supervision's notification channels)"),
]

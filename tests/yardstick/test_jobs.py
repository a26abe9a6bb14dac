"""The monthly report (考核月报): sent once after 08:00 through supervision's channels."""

from datetime import timedelta

from sqlalchemy import select

from tests.bus import consumers_from_now
from tests.command.helpers import grid_point
from tests.conftest import login_as
from tests.yardstick.helpers import CONSUMER, call_at, figures_now, shanghai
from yanyun.oversight.models import Notification
from yanyun.yardstick.jobs import send_monthly_report


def test_last_months_report_goes_out_once_with_its_figures(client, runtime, session, clock):
    consumers_from_now(session, clock, CONSUMER)
    session.commit()
    admin = login_as(client, "admin").headers
    grid = grid_point(session)
    for day in (2, 3):
        call_at(client, admin, grid, shanghai(2026, 10, day), "1002")
    call_at(client, admin, grid, shanghai(2025, 10, 9), "1002")
    figures_now(runtime, session)
    clock.set(shanghai(2026, 11, 1, 7))
    assert send_monthly_report(runtime) == "not yet 08:00"
    clock.set(shanghai(2026, 11, 1, 8) + timedelta(minutes=5))
    assert "2026-10 report queued" in send_monthly_report(runtime)
    assert send_monthly_report(runtime) == "2026-10 already sent"
    sent = session.scalars(select(Notification).where(Notification.kind == "yardstick.monthly"))
    rows = list(sent)
    assert rows and len({r.channel for r in rows}) == len(rows)  # one per channel, once
    report = rows[0]
    assert report.subject == "【考核月报】2026-10 全市"
    assert report.payload["figures"]["street_crime"] == 2
    assert "街面现行案件 / Street crime" in report.body and "同比 +100.0%" in report.body

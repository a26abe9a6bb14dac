"""The demo's synthetic stream: seeded, labelled synthetic, nothing overdue when built."""

from __future__ import annotations

from sqlalchemy import func, select

from yanyun.antifraud.demo import build_demo, synthetic_id_number
from yanyun.antifraud.grading import load_rules
from yanyun.antifraud.models import FraudWarning
from yanyun.antifraud.overdue import flag_overdue
from yanyun.core.clock import local_date
from yanyun.geo.service import city_index
from yanyun.intel.ebike_registry import valid_id_number


def test_synthetic_id_numbers_pass_the_check_digit(rng):
    from datetime import date

    assert all(valid_id_number(synthetic_id_number(rng, date(1950 + n, 1 + n % 12, 1 + n)))
               for n in range(20))


def test_the_demo_stream_is_synthetic_followed_in_time_and_built_once(session, runtime, clock):
    settings = runtime.settings.antifraud.model_copy(update={"demo_warnings_per_day": 40})
    kwargs = {"session": session, "clock": clock, "index": city_index(runtime=runtime),
              "rules": load_rules(), "settings": settings, "seed": 7, "days": 2}
    made = build_demo(**kwargs)
    assert 60 <= made <= 80
    rows = session.scalars(select(FraudWarning)).all()
    assert all(r.synthetic and "合成数据" in r.address for r in rows)
    assert {r.grade for r in rows} == {"high", "medium", "low"}
    assert {r.status for r in rows} >= {"closed", "open"}
    assert any(r.outcome == "dissuaded" for r in rows)
    assert flag_overdue(session=session, clock=clock, settings=settings) == 0
    assert build_demo(**kwargs) == 0
    assert session.scalar(select(func.count()).select_from(FraudWarning)) == made


def test_a_warning_pushed_after_the_bulk_demo_continues_its_days_numbers(client, session,
                                                                        runtime, clock):
    from tests.antifraud.helpers import grid, row, signed

    settings = runtime.settings.antifraud.model_copy(update={"demo_warnings_per_day": 30})
    made = build_demo(session=session, clock=clock, index=city_index(runtime=runtime),
                      rules=load_rules(), settings=settings, seed=3, days=1)
    session.commit()
    today = local_date(clock.now())
    prefix = f"FZ{today:%Y%m%d}-"
    todays = sorted(n for n in session.scalars(select(FraudWarning.number))
                    if n.startswith(prefix))
    body, headers = signed(runtime.settings.antifraud.push_secret,
                           {"source": "bank", "warnings": [row(grid(session), "AFTER-1")]})
    assert client.post("/api/v1/antifraud/push", content=body, headers=headers).status_code == 201
    pushed = session.scalar(select(FraudWarning.number).where(
        FraudWarning.sender_ref == "AFTER-1"))
    assert made and pushed == f"{prefix}{len(todays) + 1:06d}"
    assert todays == [f"{prefix}{i:06d}" for i in range(1, len(todays) + 1)]
    by_time = [n for n in session.scalars(select(FraudWarning.number).where(
        FraudWarning.synthetic.is_(True)).order_by(FraudWarning.received_at))
        if n.startswith(prefix)]
    assert by_time == todays  # numbered in the order received

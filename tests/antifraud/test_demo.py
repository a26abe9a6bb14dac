"""The demo's synthetic stream: seeded, labelled synthetic, nothing overdue when built."""

from __future__ import annotations

from sqlalchemy import func, select

from yanyun.antifraud.demo import build_demo, synthetic_id_number
from yanyun.antifraud.grading import load_rules
from yanyun.antifraud.models import FraudWarning
from yanyun.antifraud.overdue import flag_overdue
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

"""The demo city's warnings: a seeded synthetic stream, labelled synthetic, so the desk is alive.

A week of warnings at ``ANTIFRAUD__DEMO_WARNINGS_PER_DAY``, graded and routed
as real ones are; those whose deadlines have passed were reached in time and
mostly dissuaded (a seeded model of outcomes), the last hour's are still open.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.antifraud.grading import Rules, load_rules
from yanyun.antifraud.intake import RowProblem, canonical, check_row, store
from yanyun.antifraud.models import FraudWarning, StopPayment, WarningContact
from yanyun.antifraud.settings import AntifraudSettings
from yanyun.core.clock import Clock
from yanyun.core.ids import new_id
from yanyun.geo.models import Grid
from yanyun.geo.service import CityIndex

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: The seeded model of outcomes once a warning's deadlines have passed.
OUTCOME_SHARES = (("dissuaded", 0.86), ("defrauded", 0.04), ("unreachable", 0.04),
                  ("false_alarm", 0.05), ("case_opened", 0.01))
TYPE_SHARES = (("brushing", 0.26), ("investment", 0.18), ("customer_service", 0.14),
               ("police", 0.08), ("loan", 0.12), ("acquaintance", 0.08), ("game", 0.05),
               ("romance", 0.06), ("other", 0.03))


def synthetic_id_number(rng: random.Random, born: date) -> str:
    """A made-up identity number with a correct GB 11643 check digit."""
    body = f"430405{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


def _pick(rng: random.Random, shares: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([s for s, _ in shares], weights=[w for _, w in shares])[0]


def synthetic_row(rng: random.Random, grid: Grid, at: Any, serial: int) -> dict[str, Any]:
    """One synthetic warning as a centre would send it."""
    born = date(rng.randint(1940, 2006), rng.randint(1, 12), rng.randint(1, 28))
    return {
        "warning_id": f"SYN-{at:%Y%m%d}-{serial:05d}", "received_at": at.isoformat(),
        "contacted_at": (at - timedelta(minutes=rng.randint(1, 600))).isoformat(),
        "victim_name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
        "victim_phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
        "victim_id_number": synthetic_id_number(rng, born),
        "address": f"{grid.name_zh}（合成数据）", "lng": grid.lng, "lat": grid.lat,
        "fraud_type": _pick(rng, TYPE_SHARES),
        "suspect_account": f"62{rng.randrange(10**6):06d}" if rng.random() < 0.7 else "",
        "amount_yuan": round(rng.lognormvariate(8.5, 1.3), 0) if rng.random() < 0.6 else 0,
    }


def _follow(session: Session, clock: Clock, rng: random.Random, row: FraudWarning) -> None:
    """What the station did, in time: contacts within each window, then the outcome."""
    now = clock.now()
    if row.phone_due_at <= now:
        row.first_phone_at = row.received_at + (row.phone_due_at - row.received_at) * rng.random()
        session.add(WarningContact(id=new_id(clock), warning_id=row.id, at=row.first_phone_at,
                                   channel="phone", by="synthetic", reached=True, note=""))
        row.status = "contacted"
    if row.visit_due_at <= now:
        row.first_visit_at = row.first_phone_at + (row.visit_due_at - row.first_phone_at) * (
            rng.random())
        session.add(WarningContact(id=new_id(clock), warning_id=row.id, at=row.first_visit_at,
                                   channel="visit", by="synthetic", reached=True, note=""))
        row.status, row.outcome = "closed", _pick(rng, OUTCOME_SHARES)
        row.closed_at = row.first_visit_at
        if row.outcome == "defrauded" and row.amount_yuan:
            row.stopped_yuan = round(row.amount_yuan * rng.uniform(0.2, 0.9), 0)
            session.add(StopPayment(
                id=new_id(clock), warning_id=row.id, requested_at=row.first_visit_at,
                requested_by="synthetic", bank="合成银行", account=row.suspect_account or "-",
                amount_lost_yuan=row.amount_yuan, amount_stopped_yuan=row.stopped_yuan))


def build_demo(*, session: Session, clock: Clock, index: CityIndex, rules: Rules,
               settings: AntifraudSettings, seed: int, days: int = 7) -> int:
    """A week of synthetic warnings, followed up as far as the clock says; 0 if built."""
    if session.scalar(select(FraudWarning.id).where(FraudWarning.synthetic.is_(True)).limit(1)):
        return 0
    rng = random.Random(seed + 19)
    grids = list(session.scalars(select(Grid).order_by(Grid.code)))
    now = clock.now()
    total = settings.demo_warnings_per_day * days
    made = 0
    for serial in range(total):
        at = now - timedelta(seconds=rng.uniform(0, days * 86400))
        cells = canonical(synthetic_row(rng, rng.choice(grids), at, serial))
        try:
            facts = check_row(cells, rules=rules, index=index, now=now)
        except RowProblem:
            continue
        row = store(session, clock, facts=facts, source=rng.choice(
            ("national", "provincial", "bank", "carrier", "96110")), batch_id="synthetic",
            rules=rules, settings=settings, synthetic=True)
        _follow(session, clock, rng, row)
        made += 1
    session.flush()
    return made


def build_demo_step(runtime: Any, options: Any) -> str | None:
    """The synthetic warning stream, once."""
    from yanyun.core.db import session_scope
    from yanyun.geo.service import city_index

    settings = runtime.settings.antifraud
    with session_scope(runtime, actor_username="system") as session:
        made = build_demo(session=session, clock=runtime.clock,
                          index=city_index(runtime=runtime), rules=load_rules(
                              settings.rules_path), settings=settings,
                          seed=runtime.settings.city.seed,
                          days=max(1, min(7, options.history_days)))
    if not made:
        return None
    return f"反电诈 anti-fraud: {made} synthetic warnings ({{s}} s)"

"""The demo city's warnings: a seeded synthetic stream, labelled synthetic, so the desk is alive.

A week of warnings at ``ANTIFRAUD__DEMO_WARNINGS_PER_DAY`` (the seed's ~1,650 a
day: 29.8万 in a half-year), graded and routed
as real ones are; those whose deadlines have passed were reached in time and
mostly dissuaded (a seeded model of outcomes), the last hour's are still open.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from yanyun.antifraud.grading import Rules, load_rules
from yanyun.antifraud.intake import RowProblem, canonical, check_row, warning_values
from yanyun.antifraud.models import FraudWarning, StopPayment, WarningContact
from yanyun.antifraud.settings import AntifraudSettings
from yanyun.core.clock import Clock, local_date
from yanyun.core.ids import new_id
from yanyun.core.sequences import next_of_day
from yanyun.geo.models import Grid
from yanyun.geo.service import CityIndex

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: The seeded model of outcomes once a warning's deadlines have passed.
OUTCOME_SHARES = (("dissuaded", 0.86), ("defrauded", 0.04), ("unreachable", 0.04),
                  ("false_alarm", 0.05), ("case_opened", 0.01))
SOURCES = ("national", "provincial", "bank", "carrier", "96110")
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


def _follow(clock: Clock, rng: random.Random, row: dict[str, Any], contacts: list[dict],
            stops: list[dict]) -> None:
    """What the station did, in time: contacts within each window, then the outcome."""
    now = clock.now()
    received = row["received_at"]
    row.update(first_phone_at=None, first_visit_at=None, outcome=None, closed_at=None)
    if row["phone_due_at"] <= now:
        row["first_phone_at"] = received + (row["phone_due_at"] - received) * rng.random()
        contacts.append(dict(id=new_id(clock), warning_id=row["id"], at=row["first_phone_at"],
                             channel="phone", by="synthetic", reached=True, note=""))
        row["status"] = "contacted"
    if row["visit_due_at"] <= now:
        phoned = row["first_phone_at"]
        row["first_visit_at"] = phoned + (row["visit_due_at"] - phoned) * rng.random()
        contacts.append(dict(id=new_id(clock), warning_id=row["id"], at=row["first_visit_at"],
                             channel="visit", by="synthetic", reached=True, note=""))
        row.update(status="closed", outcome=_pick(rng, OUTCOME_SHARES),
                   closed_at=row["first_visit_at"])
        if row["outcome"] == "defrauded" and row["amount_yuan"]:
            row["stopped_yuan"] = round(row["amount_yuan"] * rng.uniform(0.2, 0.9), 0)
            stops.append(dict(
                id=new_id(clock), warning_id=row["id"], requested_at=row["first_visit_at"],
                requested_by="synthetic", bank="合成银行", account=row["suspect_account"] or "-",
                amount_lost_yuan=row["amount_yuan"], amount_stopped_yuan=row["stopped_yuan"],
                state="recorded", attempts=0, next_attempt_at=None, sent_at=None,
                answered_at=None, bank_ref="", last_error=""))


def _plan(rng: random.Random, grids: list[Grid], *, rules: Rules, index: CityIndex, now: Any,
          per_day: int, days: int) -> list[tuple[Any, str]]:
    """The checked synthetic warnings of the last ``days`` at ``per_day``, oldest first."""
    made: list[tuple[Any, str]] = []
    serial = 0
    for back in range(days):
        for _ in range(per_day):
            at = now - timedelta(seconds=(back + rng.random()) * 86400)
            cells = canonical(synthetic_row(rng, rng.choice(grids), at, serial))
            serial += 1
            try:
                facts = check_row(cells, rules=rules, index=index, now=now)
            except RowProblem:
                continue
            made.append((facts, rng.choice(SOURCES)))
    made.sort(key=lambda item: item[0].received_at)
    return made


def build_demo(*, session: Session, clock: Clock, index: CityIndex, rules: Rules,
               settings: AntifraudSettings, seed: int, days: int = 7) -> int:
    """Days of synthetic warnings, followed up as far as the clock says; 0 if built.

    Loaded in bulk (Core inserts, no ORM objects): numbers taken a day's block
    at a time, repeats found among the stream itself, no event per past warning
    (the desk reads the records).
    """
    if session.scalar(select(FraudWarning.id).where(FraudWarning.synthetic.is_(True)).limit(1)):
        return 0
    rng = random.Random(seed + 19)
    grids = list(session.scalars(select(Grid).order_by(Grid.code)))
    plan = _plan(rng, grids, rules=rules, index=index, now=clock.now(),
                 per_day=settings.demo_warnings_per_day, days=days)
    per_day = Counter(local_date(facts.received_at) for facts, _ in plan)
    next_number = {day: next_of_day(session, "fraud_warning", day, count=n)
                   for day, n in sorted(per_day.items())}
    victims: set[str] = set()
    accounts: set[str] = set()
    warnings: list[dict[str, Any]] = []
    contacts: list[dict[str, Any]] = []
    stops: list[dict[str, Any]] = []
    for facts, source in plan:
        day = local_date(facts.received_at)
        number, next_number[day] = next_number[day], next_number[day] + 1
        repeats = (facts.phone in victims or (facts.id_number or "") in victims,
                   bool(facts.suspect_account) and facts.suspect_account in accounts)
        victims.update({facts.phone, facts.id_number or facts.phone})
        if facts.suspect_account:
            accounts.add(facts.suspect_account)
        row = warning_values(clock, facts=facts, source=source, batch_id="synthetic",
                             rules=rules, settings=settings,
                             number=f"FZ{day:%Y%m%d}-{number:06d}", repeats=repeats,
                             synthetic=True)
        _follow(clock, rng, row, contacts, stops)
        warnings.append({**row, "overdue_at": None, "case_id": None, "case_number": None})
    for model, rows in ((FraudWarning, warnings), (WarningContact, contacts),
                        (StopPayment, stops)):
        for start in range(0, len(rows), 2000):
            session.execute(insert(model), rows[start:start + 2000])
    return len(plan)


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

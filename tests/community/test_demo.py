"""The demo community: sized by its spec, and built once."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.community.helpers import SMALL, build_small
from yanyun.community.models import Volunteer, VolunteerUnit


def test_demo_builder_is_sized_by_spec_and_idempotent(session, clock) -> None:
    build_small(session, clock)
    assert session.scalar(select(func.count()).select_from(Volunteer)) == SMALL.volunteers
    levels = dict(
        session.execute(
            select(VolunteerUnit.level, func.count()).group_by(VolunteerUnit.level)
        ).all()
    )
    assert levels["corps"] == 1 and levels["detachment"] >= 1
    assert levels["squad"] == levels["brigade"] * SMALL.squads_per_brigade
    build_small(session, clock)
    assert session.scalar(select(func.count()).select_from(Volunteer)) == SMALL.volunteers

"""The volunteer index: selection doctests, and its pick matching a plain scan of the table."""

from __future__ import annotations

import doctest

from sqlalchemy import select

from tests.community.helpers import build_small, urban_grid
from yanyun.community import selection, volunteers
from yanyun.community.models import Volunteer


def test_selection_doctests() -> None:
    assert doctest.testmod(selection).failed == 0


def test_index_select_matches_a_plain_scan(session, clock) -> None:
    build_small(session, clock)
    index = volunteers.load_index(session=session)
    grid = urban_grid(session)
    picked = index.select(lng=grid.lng, lat=grid.lat, required_mask=0, radius_m=20_000, limit=10)
    from yanyun.geo.coords import distance_m

    rows = session.execute(
        select(Volunteer.id, Volunteer.lng, Volunteer.lat).where(Volunteer.available.is_(True))
    ).all()
    plain = sorted(rows, key=lambda r: distance_m((r.lng, r.lat), (grid.lng, grid.lat)))
    plain = [r.id for r in plain if distance_m((r.lng, r.lat), (grid.lng, grid.lat)) <= 20_000]
    assert [c.volunteer_id for c in picked] == plain[:10]

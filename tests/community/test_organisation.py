"""The volunteer organisation: head counts add up from squads to the corps."""

from __future__ import annotations

from tests.community.helpers import CITY, SMALL, build_small
from yanyun.community import organisation as units


def test_organisation_counts_add_up_level_by_level(session, clock) -> None:
    build_small(session, clock)
    corps = units.organisation(session=session, actor=CITY, parent_id=None)
    assert [u.level for u in corps] == ["corps"]
    assert corps[0].volunteers == SMALL.volunteers
    detachments = units.organisation(session=session, actor=CITY, parent_id=corps[0].id)
    assert sum(d.volunteers for d in detachments) == SMALL.volunteers
    with_brigades = next(d for d in detachments if d.children)
    brigades = units.organisation(session=session, actor=CITY,
                                  parent_id=with_brigades.id)
    assert sum(b.volunteers for b in brigades) == with_brigades.volunteers
    squads = units.organisation(session=session, actor=CITY, parent_id=brigades[0].id)
    assert len(squads) == SMALL.squads_per_brigade
    assert sum(s.volunteers for s in squads) == brigades[0].volunteers
    assert brigades[0].rally_points > 0

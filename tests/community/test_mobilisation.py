"""一呼百应: the nearest available volunteers are called, never to unsafe categories; answers and
the stand-down."""

from __future__ import annotations

import doctest

import pytest
from sqlalchemy import func, select

from tests.community.helpers import CITY, place_volunteer, urban_grid
from yanyun.community import mobilisation, volunteers
from yanyun.community.models import Mobilisation
from yanyun.community.notifiers import OutboxNotifier
from yanyun.community.volunteer_schemas import MobilisationCreate
from yanyun.core.errors import Conflict, Invalid
from yanyun.core.events import OutboxEvent


def _call(grid, **overrides):
    body = dict(
        title="寻找走失老人",
        lng=grid.lng,
        lat=grid.lat,
        category_code="70",
        sub_code="7001",
        skills=[],
        headcount=2,
    )
    body.update(overrides)
    return MobilisationCreate(**body)


def _mobilise(session, clock, city, settings, call_in):
    return mobilisation.mobilise(
        session=session,
        clock=clock,
        actor=CITY,
        city=city,
        volunteers=volunteers.load_index(session=session),
        settings=settings,
        notifier=OutboxNotifier(),
        call_in=call_in,
    )


def test_mobilisation_doctests() -> None:
    assert doctest.testmod(mobilisation).failed == 0


def test_call_picks_nearest_available_volunteers_with_the_skill(
    session, clock, city, community_settings
) -> None:
    grid = urban_grid(session)
    place_volunteer(session, grid, "VT-FAR", metres_east=900, skills=("patrol", "first_aid"))
    place_volunteer(session, grid, "VT-NEAR", metres_east=100, skills=("patrol", "first_aid"))
    place_volunteer(
        session, grid, "VT-OFF", metres_east=50, skills=("patrol", "first_aid"), available=False
    )
    place_volunteer(session, grid, "VT-NOSKILL", metres_east=20, skills=("patrol",))
    call, ms = _mobilise(
        session, clock, city, community_settings, _call(grid, skills=["first_aid"], headcount=5)
    )
    read = mobilisation.call_read(session, call)
    assert [r.volunteer_id for r in read.responses] == ["VT-NEAR", "VT-FAR"]
    assert read.responses[0].eta_s < read.responses[1].eta_s
    assert ms >= 0
    session.commit()  # the events are written with the transaction that made the call
    kinds = [e.kind for e in session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))]
    assert "volunteer.called" in kinds and "mobilisation.opened" in kinds


@pytest.mark.parametrize(
    ("category", "sub", "flag"),
    [("40", "4001", None), ("10", None, None), ("70", "7005", None), ("70", "7001", False)],
)
def test_volunteers_are_never_called_to_unsafe_categories(
    session, clock, city, community_settings, category, sub, flag
) -> None:
    grid = urban_grid(session)
    place_volunteer(session, grid, "VT-1", metres_east=50)
    with pytest.raises(Invalid) as err:
        _mobilise(
            session,
            clock,
            city,
            community_settings,
            _call(grid, category_code=category, sub_code=sub, volunteer_safe=flag),
        )
    assert err.value.field == "category_code"
    assert session.scalar(select(func.count()).select_from(Mobilisation)) == 0


def test_call_tracks_answers_and_ends_with_a_stand_down(
    session, clock, city, community_settings
) -> None:
    grid = urban_grid(session)
    for i, metres in enumerate((50, 150, 250)):
        place_volunteer(session, grid, f"VT-{i}", metres_east=metres)
    call, _ = _mobilise(session, clock, city, community_settings, _call(grid, headcount=3))
    responses = {
        r.volunteer_id: r.id for r in mobilisation.call_read(session, call).responses
    }
    act = lambda vid, action: mobilisation.respond(  # noqa: E731
        session=session,
        clock=clock,
        actor=CITY,
        call_id=call.id,
        response_id=responses[vid],
        action=action,
    )
    act("VT-0", "accept")
    act("VT-0", "arrive")
    act("VT-1", "decline")
    with pytest.raises(Conflict):
        act("VT-2", "arrive")  # must accept first
    # Volunteers still on an open call are not called again; one who declined may be.
    other, _ = _mobilise(
        session,
        clock,
        city,
        community_settings,
        _call(grid, headcount=5, title="另一个呼叫", radius_m=300),
    )
    assert [r.volunteer_id for r in mobilisation.call_read(session, other).responses] == [
        "VT-1"
    ]
    mobilisation.stand_down(
        session=session,
        clock=clock,
        actor=CITY,
        call_id=call.id,
        reason="任务完成",
        notifier=OutboxNotifier(),
    )
    read = mobilisation.call_read(session, call)
    assert read.status == "stood_down"
    assert read.counts == {
        "called": 0,
        "accepted": 0,
        "declined": 1,
        "arrived": 0,
        "stood_down": 2,
    }
    with pytest.raises(Conflict):
        act("VT-2", "accept")
    session.commit()  # events are written with their transaction
    stood = session.scalars(
        select(OutboxEvent).where(
            OutboxEvent.kind == "volunteer.stood_down", OutboxEvent.resource_id == call.id
        )
    ).one()
    assert sorted(stood.payload["volunteer_ids"]) == ["VT-0", "VT-2"]


def test_call_beyond_headcount_limit_or_outside_city_is_refused(
    session, clock, city, community_settings
) -> None:
    grid = urban_grid(session)
    with pytest.raises(Invalid):
        _mobilise(
            session,
            clock,
            city,
            community_settings,
            _call(grid, headcount=community_settings.max_headcount + 1),
        )
    with pytest.raises(Conflict):
        _mobilise(session, clock, city, community_settings, _call(grid))  # nobody registered

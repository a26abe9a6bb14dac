"""一呼百应 from the volunteer's own phone: their calls only, answers applied once,
arrival only on the spot, hours credited at the stand-down."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.community.helpers import place_volunteer, urban_grid
from tests.conftest import login_as
from yanyun.auth.models import User
from yanyun.community.models import MobilisationResponse, VolunteerActivity


def _linked_volunteer(session, grid):
    """The demo volunteer account, linked to a volunteer at the grid's centre, and four
    others further east, so a call at the centre reaches them all."""
    user = session.scalar(select(User).where(User.username == "volunteer"))
    mine = place_volunteer(session, grid, "VA-MINE", metres_east=0)
    mine.user_id = user.id
    for i in range(4):
        place_volunteer(session, grid, f"VA-{i}", metres_east=80 * (i + 1))
    session.commit()
    return mine


def _call(client, grid, headcount=5):
    dispatcher = login_as(client, "dispatcher").headers
    resp = client.post("/api/v1/community/mobilisations", headers=dispatcher, json={
        "title": "寻找走失老人", "lng": grid.lng, "lat": grid.lat, "headcount": headcount,
        "category_code": "70", "sub_code": "7001",
    })
    assert resp.status_code == 201, resp.text
    return resp.json(), dispatcher


def _answer(client, headers, call_id, key, action, **fix):
    return client.post(f"/api/v1/community/me/calls/{call_id}/answer", headers=headers,
                       json={"key": key, "action": action, **fix})


def test_a_volunteer_accepts_arrives_and_is_credited_hours(client, session, clock) -> None:
    grid = urban_grid(session)
    mine = _linked_volunteer(session, grid)
    call, dispatcher = _call(client, grid)
    phone = login_as(client, "volunteer").headers

    screen = client.get("/api/v1/community/me/volunteer", headers=phone).json()
    assert screen["volunteer_id"] == mine.id
    assert [c["call_id"] for c in screen["calls"]] == [call["id"]]
    assert screen["calls"][0]["my_status"] == "called"

    first = _answer(client, phone, call["id"], "accept-key-1", "accept")
    again = _answer(client, phone, call["id"], "accept-key-1", "accept")
    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == {"call_id": call["id"], "my_status": "accepted", "replayed": False}
    assert again.json()["replayed"] is True
    # The resend moved nothing: one accepted response, one event of it.
    assert session.scalar(select(func.count()).select_from(MobilisationResponse).where(
        MobilisationResponse.status == "accepted")) == 1

    # 1 km away is not arrived; a coarse fix is not either; neither keeps the key.
    far = _answer(client, phone, call["id"], "arrive-key-1", "arrive",
                  lng=grid.lng + 0.01, lat=grid.lat, accuracy_m=10)
    assert far.status_code == 422 and far.json()["error"]["field"] == "lng", far.text
    coarse = _answer(client, phone, call["id"], "arrive-key-1", "arrive",
                     lng=grid.lng, lat=grid.lat, accuracy_m=900)
    assert coarse.status_code == 422 and coarse.json()["error"]["field"] == "accuracy_m"
    there = _answer(client, phone, call["id"], "arrive-key-1", "arrive",
                    lng=grid.lng + 0.0005, lat=grid.lat, accuracy_m=12)
    assert there.status_code == 200 and there.json()["my_status"] == "arrived", there.text

    clock.advance(timedelta(minutes=90))
    down = client.post(f"/api/v1/community/mobilisations/{call['id']}/stand-down",
                       headers=dispatcher, json={"reason": "老人已找到"})
    assert down.status_code == 200, down.text
    screen = client.get("/api/v1/community/me/volunteer", headers=phone).json()
    assert screen["calls"][0]["my_status"] == "stood_down"
    assert screen["calls"][0]["call_status"] == "stood_down"
    assert screen["activities"][0]["kind"] == "mobilisation"
    assert screen["activities"][0]["hours"] == 1.5
    session.expire_all()
    assert screen["hours_total"] == mine.hours_total == 1.5
    # Only the one who arrived is credited.
    assert session.scalar(select(func.count()).select_from(VolunteerActivity).where(
        VolunteerActivity.kind == "mobilisation")) == 1
    # A stood-down call takes no more answers.
    late = _answer(client, phone, call["id"], "decline-key-1", "decline")
    assert late.status_code == 409


def test_a_volunteer_reaches_only_their_own_calls(client, session) -> None:
    grid = urban_grid(session)
    _linked_volunteer(session, grid)
    far_grid = urban_grid(session, offset=40)
    place_volunteer(session, far_grid, "VA-FAR", metres_east=0)
    session.commit()
    elsewhere, _ = _call(client, far_grid, headcount=1)
    phone = login_as(client, "volunteer").headers
    # Another volunteer's call is unknown, the same as no call at all.
    assert _answer(client, phone, elsewhere["id"], "k-elsewhere", "accept").status_code == 404
    assert _answer(client, phone, "01NOSUCHCALL", "k-nosuch", "accept").status_code == 404
    # A volunteer's account opens nothing of the bureau's.
    for path in ("/api/v1/community/volunteers", "/api/v1/incidents", "/api/v1/units",
                 "/api/v1/community/mobilisations"):
        assert client.get(path, headers=phone).status_code == 403, path
    # An officer is not a volunteer: the app refuses them clearly.
    officer = login_as(client, "officer").headers
    assert client.get("/api/v1/community/me/volunteer", headers=officer).status_code == 403


def test_a_key_reused_for_another_answer_is_refused(client, session) -> None:
    grid = urban_grid(session)
    _linked_volunteer(session, grid)
    call, _ = _call(client, grid)
    phone = login_as(client, "volunteer").headers
    assert _answer(client, phone, call["id"], "same-key-9", "accept").status_code == 200
    reused = _answer(client, phone, call["id"], "same-key-9", "decline")
    assert reused.status_code == 422 and reused.json()["error"]["field"] == "key"

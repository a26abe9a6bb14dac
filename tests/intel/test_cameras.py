"""The camera registry over HTTP."""

from __future__ import annotations

from tests.conftest import login_as


def test_cameras_follow_the_city_and_carry_their_grid(client, cameras):
    login = login_as(client, "opinion")
    page = client.get("/api/v1/intel/cameras?limit=300", headers=login.headers).json()
    assert len(page["items"]) == 300
    assert set(page["counts"]) == {"hd_video", "checkpoint", "ebike"}
    assert all(c["grid_code"] and c["station_code"] for c in page["items"])

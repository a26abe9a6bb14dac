"""Incident matching and unverified claims as plain functions over plain data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from yanyun.opinion.linking import IncidentRecord, matching_incidents, unverified_claim

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def _incident(iid: str, *, lng=112.688, lat=26.899, minutes=0, category="10", district="430405"):
    return IncidentRecord(
        id=iid,
        category_code=category,
        district_code=district,
        lng=lng,
        lat=lat,
        received_at=T0 + timedelta(minutes=minutes),
    )


def test_matching_needs_same_category_near_place_and_time_closest_first() -> None:
    incidents = [
        _incident("far", lng=112.60),
        _incident("late", minutes=60 * 72),
        _incident("fire", category="40"),
        _incident("near", lng=112.6885),
        _incident("nearest"),
    ]
    found = matching_incidents(
        incidents,
        category_code="10",
        district_code="430405",
        lng=112.688,
        lat=26.899,
        at=T0,
        radius_m=3000,
        window_s=48 * 3600,
    )
    assert [i.id for i in found] == ["nearest", "near"]


def test_without_a_point_the_district_decides_and_without_a_place_nothing_matches() -> None:
    incidents = [_incident("a"), _incident("b", district="430406")]
    kwargs = {"category_code": "10", "at": T0, "radius_m": 3000, "window_s": 3600}
    by_district = matching_incidents(
        incidents, district_code="430405", lng=None, lat=None, **kwargs
    )
    assert [i.id for i in by_district] == ["a"]
    assert matching_incidents(incidents, district_code=None, lng=None, lat=None, **kwargs) == []
    assert unverified_claim(claim=True, linked=[])
    assert not unverified_claim(claim=True, linked=by_district)
    assert not unverified_claim(claim=False, linked=[])

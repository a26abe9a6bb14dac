"""Fixtures of the community tests: the test city's point index, built once per database."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from yanyun.community.settings import CommunitySettings
from yanyun.geo.service import CityIndex, load_index

_INDEXES: dict[str, CityIndex] = {}


@pytest.fixture
def city(session: Session, database: str) -> CityIndex:
    if database not in _INDEXES:
        _INDEXES[database] = load_index(session=session)
    return _INDEXES[database]


@pytest.fixture
def community_settings() -> CommunitySettings:
    return CommunitySettings()

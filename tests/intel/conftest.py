"""Fixtures of the intel tests: a pool in a temporary lake and cameras in the test city."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import make_settings
from yanyun.geo.service import load_index
from yanyun.intel import service
from yanyun.intel.models import Camera
from yanyun.intel.settings import IntelSettings
from yanyun.registry import Settings


@pytest.fixture
def settings(database: str, tmp_path: Path) -> Settings:
    """The suite's settings with the pool in this test's own folder and a small registry."""
    return make_settings(
        database,
        lake_path=tmp_path / "lake",
        intel=IntelSettings(cameras=300, demo_plates=50, demo_days=0, row_group_rows=256),
    )


@dataclass
class Cams:
    codes: list[str]
    grid_of: dict[str, str]
    district_of: dict[str, str]


@pytest.fixture
def cameras(session: Session, settings: Settings) -> Cams:
    """300 cameras in the test city, committed into the test's transaction."""
    made = service.build_cameras(
        session=session,
        clock=session.info["clock"],
        index=load_index(session=session),
        count=settings.intel.cameras,
        seed=7,
    )
    service.register_catalog(session=session, clock=session.info["clock"])
    session.commit()
    assert made == 300
    rows = session.execute(
        select(Camera.code, Camera.grid_code, Camera.district_code).order_by(Camera.code)
    ).all()
    return Cams(
        codes=[r.code for r in rows],
        grid_of={r.code: r.grid_code for r in rows},
        district_of={r.code: r.district_code for r in rows},
    )

"""What the demo community is sized by, who its people are, and the city it is drawn on."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹"
    "曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪"
    "陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚"
    "邵万钱严覃武"
)
GIVEN = (
    "建国华军平伟芳敏静丽强磊洋艳勇杰娟涛明超秀霞刚桂英玉兰辉鹏飞"
    "云红梅亮林斌波宇浩凯俊文志新春海燕晨阳婷雪琳"
)
@dataclass(frozen=True)
class CommunitySpec:
    volunteers: int = 121_000
    villages: int = 2_372
    project_officers: int = 467
    enterprises_per_officer: int = 3
    disputes_per_year: int = 31_000
    reports_this_year: int = 3_258
    hazards_removed_this_year: int = 1_537
    hazards_open: int = 160
    squads_per_brigade: int = 6
    rally_points_per_brigade: int = 8
    patroller_share: float = 0.12
    solved_cases: int = 127
    prosecuted_cases: int = 609
    recovered_yuan: float = 200_000_000.0


def person_name(rng: random.Random) -> str:
    """A Chinese name: a surname and one or two given characters."""
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


@dataclass(frozen=True)
class DemoCity:
    """The places the community is drawn on, with each one's org path."""

    bureau: str
    districts: list[Any]
    stations: list[Any]
    grids: list[Any]
    station_path: dict[str, str]
    grid_path: dict[str, str]
    by_station: dict[str, list[Any]]

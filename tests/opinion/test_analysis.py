"""The analyzer: terms kept whole, place, category, time and claim read out of a post."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from yanyun.opinion.analysis import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.for_city("hengyang")


def test_segmenter_keeps_police_terms_and_place_names_whole(analyzer: Analyzer) -> None:
    words = analyzer.segment("网上快警在衡阳东站处置情指勤舆督转来的警情")
    assert {"网上快警", "衡阳东站", "情指勤舆督", "警情"} <= set(words)


def test_analysis_resolves_place_category_time_and_claim(analyzer: Analyzer) -> None:
    post = "网传昨晚衡阳东站附近有人持刀砍人,致一人死亡,现场很多人围观。"
    result = analyzer.analyse(post, published_at=datetime(2026, 11, 23, 12, tzinfo=UTC))
    assert result.places[0] == "衡阳东站"
    assert result.district_code == "430405"
    assert result.lng is not None
    assert result.category_code == "10"
    assert result.times and "昨晚" in result.times[0]
    assert result.claim
    assert result.relevance > 0.5
    assert "砍人" in result.keywords


def test_refutation_and_unrelated_posts_are_not_claims(analyzer: Analyzer) -> None:
    refuted = analyzer.analyse("衡阳警方:网传雁峰区有人抢孩子系谣言,请勿传谣")
    assert not refuted.claim
    assert refuted.district_code == "430406"
    weather = analyzer.analyse("今天天气很好,周末去南岳衡山看日出")
    assert weather.relevance == 0.0
    assert weather.category_code is None
    assert not weather.claim


def test_city_name_alone_does_not_place_a_post_in_hengyang_county(analyzer: Analyzer) -> None:
    assert analyzer.analyse("衡阳今天有雨").district_code is None
    assert analyzer.analyse("衡阳县西渡镇一民房起火").district_code == "430421"

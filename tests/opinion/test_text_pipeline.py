"""The Chinese text pipeline: decoding, normalisation, segmentation, places, category."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from yanyun.opinion.analysis import Analyzer
from yanyun.opinion.text import Rejected, decode, normalise


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.for_city("hengyang")


def test_decode_reads_gbk_and_big5_and_utf8_with_bom() -> None:
    text = "网传蒸湘区发生火灾,警方已到场处置。"
    assert decode(text.encode("gbk")) == text
    assert decode(text.encode("gb18030")) == text
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    big5 = "網上快警處置謠言，民警已到場。"
    assert decode(big5.encode("big5")) == big5


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary"),
        (bytes(range(128, 256)) * 8, "encoding"),
        ("长".encode() * 400_000, "too_large"),
    ],
)
def test_decode_rejects_bad_input_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(Rejected) as err:
        decode(raw)
    assert err.value.reason == reason
    assert err.value.zh and err.value.en


def test_normalise_simplifies_halfwidths_and_strips_html() -> None:
    raw = "<div><p>衡陽市公安局：網傳「蒸湘區」發生命案</p><script>alert(1)</script>　１１０</div>"
    assert normalise(raw) == "衡阳市公安局:网传「蒸湘区」发生命案\n110"
    with pytest.raises(Rejected):
        normalise("<p> </p>")


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

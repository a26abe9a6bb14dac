"""Text in: encodings decoded or refused with a reason, text normalised."""

from __future__ import annotations

import pytest

from yanyun.opinion.text import Rejected, decode, normalise


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

"""Raw bytes and markup to clean simplified Chinese: what every later step reads.

Posts arrive as bytes in unknown encodings (GBK from older sites), as HTML
from feeds, in traditional characters from Hong Kong and Taiwan reposts and
with full-width digits typed on phones. Matching, hashing and the lexicons
all assume one form, so everything passes through here first.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from charset_normalizer import from_bytes

#: Largest post accepted, in characters after normalisation.
MAX_POST_CHARS = 200_000


@dataclass(frozen=True)
class Rejected(Exception):
    """Input that cannot become a post; `reason` is a stable code counted per source."""

    reason: str
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.reason}: {self.en}"


REASONS: dict[str, tuple[str, str]] = {
    "empty": ("内容为空", "empty text"),
    "binary": ("二进制或无法识别的内容", "binary or undecodable content"),
    "too_large": ("内容过长", "post too large"),
    "encoding": ("无法识别的文字编码", "unknown text encoding"),
    "malformed": ("格式错误", "malformed record"),
    "feed_timeout": ("订阅源超时", "feed timed out"),
    "feed_garbage": ("订阅源内容无法解析", "feed returned unparseable content"),
    "feed_error": ("订阅源访问失败", "feed could not be fetched"),
    "feed_not_allowed": ("订阅源地址不在允许范围内", "feed address not allowed"),
    "feed_redirect": ("订阅源要求跳转，未跟随", "feed redirected; not followed"),
}


def rejected(reason: str, detail: str = "") -> Rejected:
    """Build a rejection with its bilingual message (detail appended, English side)."""
    zh, en = REASONS[reason]
    return Rejected(reason, zh, f"{en}: {detail}" if detail else en)


def decode(raw: bytes, *, max_bytes: int = 4 * MAX_POST_CHARS) -> str:
    """Decode bytes of an unknown encoding, refusing binary, oversized and empty input.

    UTF-8 and GB18030 (a superset of GBK and GB2312) are tried strictly
    first because a detector guesses wrong on short Chinese text; only then
    does charset-normalizer guess.

    >>> decode("警情通报".encode("gbk"))
    '警情通报'
    >>> decode(b"\\x00\\x01\\x02\\xff" * 10)
    Traceback (most recent call last):
    ...
    yanyun.opinion.text.Rejected: binary: binary or undecodable content
    """
    if len(raw) > max_bytes:
        raise rejected("too_large", f"{len(raw)} bytes")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _checked(raw.decode("utf-16"))
    if not raw.strip():
        raise rejected("empty")
    if b"\x00" in raw[:4096]:
        raise rejected("binary")
    try:
        return _checked(raw.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    # GB18030 decodes most byte soups; keep the result only if it reads as text.
    try:
        text = raw.decode("gb18030")
        if _plausible(text):
            return _checked(text)
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw).best()
    if best is None or not _plausible(str(best)):
        raise rejected("encoding")
    return _checked(str(best))


def _plausible(text: str) -> bool:
    sample = text[:4096]
    common = sum(
        1
        for ch in sample
        if ch.isascii()
        or "\u4e00" <= ch <= "\u9fa5"
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
    )
    return common >= 0.85 * len(sample)


def _checked(text: str) -> str:
    if not text.strip():
        raise rejected("empty")
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > max(4, len(text[:4096]) // 50):
        raise rejected("binary")
    return text


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Every character a t2s rule changes: text without one converts to itself."""
    converter = _t2s()
    converter.convert("測")  # loads the dictionaries
    changed: set[str] = set()
    for chain in converter._dict_chain_data:
        for _, _, table in chain:
            for key, value in table.items():
                first = value.split(" ")[0]
                if len(key) != len(first):
                    changed.update(key)
                else:
                    changed.update(k for k, v in zip(key, first, strict=True) if k != v)
    return frozenset(changed)


def to_simplified(text: str) -> str:
    """Traditional to simplified with OpenCC's t2s rules, skipping text that has none to apply.

    >>> to_simplified("網傳命案"), to_simplified("网传命案")
    ('网传命案', '网传命案')
    """
    if _traditional_chars().isdisjoint(text):
        return text
    return _t2s().convert(text)


# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space to their ASCII twins.
_HALF = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]{0,2000}>", re.S | re.I)
# A tag as a browser would read one: `<` then a letter, `/` or `!`; "a < b" stays text.
_DECODED_TAG = re.compile(
    r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|</?[a-z][^<>]{0,2000}>|<![^<>]{0,2000}>", re.S | re.I
)
_BLOCK = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|p|div|li|h[1-6])\b[^>]*>", re.I)
_SPACES = re.compile(r"[ \t\u00a0\u2002\u2003\u200b]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def strip_html(text: str) -> str:
    """Remove markup, keeping paragraph breaks, and unescape entities.

    >>> strip_html("<p>警方&amp;通报</p><p>第二段<br>续</p><script>x()</script>")
    '警方&通报\\n\\n第二段\\n续'
    """
    if "<" in text:
        text = _BLOCK.sub("\n", text)
        text = _TAG.sub("", text)
    return html.unescape(text).strip()


def drop_markup(text: str) -> str:
    """Remove tags that decoding made (`&lt;img&gt;`, full-width `＜img＞` become tags only now).

    Stored text is plain text and every page escapes it; this keeps a post from
    carrying live-looking markup into titles, exports and other systems.

    >>> drop_markup("通报<img src=x onerror=alert(1)>完")
    '通报完'
    """
    for _ in range(3):
        if "<" not in text:
            break
        stripped = _DECODED_TAG.sub("", text)
        if stripped == text:
            break
        text = stripped
    return text


def to_halfwidth(text: str) -> str:
    """Full-width letters, digits and punctuation to ASCII.

    >>> to_halfwidth("１１０报警，ＡＢ")
    '110报警,AB'
    """
    return text.translate(_HALF)


def normalise(text: str) -> str:
    """Markup out, traditional to simplified, full-width to half-width, spaces tidied.

    >>> normalise("<b>衡陽警方：網傳「蒸湘區」發生命案不實</b>　１２日")
    '衡阳警方:网传「蒸湘区」发生命案不实 12日'
    """
    text = strip_html(text)
    text = drop_markup(to_halfwidth(to_simplified(text)))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    if not text:
        raise rejected("empty")
    if len(text) > MAX_POST_CHARS:
        raise rejected("too_large", f"{len(text)} characters")
    return text

"""Stories out of pages, and near-duplicate stories into groups.

A scraped newspaper page carries several unrelated stories, so whole pages
are never compared: a page is split into stories first. Stories are then
compared by character 3-gram shingles (punctuation and spacing dropped, so
reformatting does not matter). Candidates come from two indexes: MinHash
LSH bands for rewrites (high Jaccard) and shared whole sentences for
excerpts and reposts with comments (high containment, low Jaccard). Every
candidate pair is then verified on the exact shingle sets.

Hashing is vectorised in numpy over a whole batch: the shingles of every
story are computed in one pass over the concatenated code points, and the
MinHash minimum is a `np.minimum.reduceat` over story offsets.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SHINGLE = 3
PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
#: Below this many shingles a story is too short to call a near-duplicate by itself.
MIN_SHINGLES = 12

_MASK61 = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20261123)
# Multiply-shift hashing (Dietzfelbinger): odd multipliers, wraps mod 2**64.
_A = (_rng.integers(1, 2**63 - 1, size=PERMUTATIONS, dtype=np.uint64) << np.uint64(1)) | np.uint64(
    1
)
_B = _rng.integers(0, 2**63 - 1, size=PERMUTATIONS, dtype=np.uint64)

_KEEP = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff]+")
_SENTENCE_END = re.compile(r"(?<=[。!?！？;；\n])")
_HEADING = re.compile(r"^(#{1,2})\s+(.*)$")
_BYLINE = re.compile(
    r"^(?:(?:见习|本报|特约)?记者|通讯员|本报讯|文/|文 /|作者[:：]|来源[:：]|编辑[:：])"
)
_CLOSING = "。!?！？…”\"」)"


@dataclass(frozen=True)
class Story:
    """One story of a page: its title guess, text and first line number (0-based)."""

    title: str
    text: str
    line: int


def _is_body(line: str) -> bool:
    return len(line) >= 40 or (len(line) >= 12 and line.rstrip()[-1:] in _CLOSING)


def split_stories(text: str, *, min_chars: int = 60) -> list[Story]:
    """Split a page into its stories; a short post is one story.

    A new story starts at a level-1 or level-2 markdown heading, or at a
    byline (记者/通讯员 ...) together with the short title lines just above
    it, but only once the current story has body text: consecutive headings
    and bylines belong together. Fragments shorter than `min_chars` (menus,
    copyright lines) join the story before them.

    >>> page = "# 甲\\n" + "正文一。" * 20 + "\\n## 乙\\n" + "正文二。" * 20
    >>> [s.title for s in split_stories(page)]
    ['甲', '乙']
    >>> len(split_stories("网传某地起火,警方已到场。"))
    1
    """
    lines = [ln.strip() for ln in text.split("\n")]
    starts: list[int] = [0]
    body_since_start = False
    for i, line in enumerate(lines):
        if not line:
            continue
        heading = _HEADING.match(line)
        if heading or _BYLINE.match(line):
            if body_since_start:
                start = i
                if not heading:
                    j = i - 1
                    while j > starts[-1] and (not lines[j] or not _is_body(lines[j])):
                        if lines[j]:
                            start = j
                        j -= 1
                starts.append(start)
                body_since_start = False
            continue
        if _is_body(line):
            body_since_start = True
    stories: list[Story] = []
    bounds = [*starts, len(lines)]
    for a, b in itertools.pairwise(bounds):
        chunk = [ln for ln in lines[a:b] if ln]
        if not chunk:
            continue
        body = "\n".join(chunk)
        title = _title(chunk)
        if stories and len(_KEEP.sub("", body)) < min_chars:
            prev = stories[-1]
            stories[-1] = Story(prev.title, prev.text + "\n" + body, prev.line)
            continue
        stories.append(Story(title[:120], body, a))
    if len(stories) > 1 and len(_KEEP.sub("", stories[0].text)) < min_chars:
        first, second = stories[0], stories[1]
        stories[:2] = [Story(second.title, first.text + "\n" + second.text, first.line)]
    return stories or [Story(text[:120], text, 0)]


def _title(chunk: list[str]) -> str:
    # A heading if there is one; else the longest short line above the first paragraph.
    for line in chunk:
        heading = _HEADING.match(line)
        if heading:
            return heading.group(2)
        if _is_body(line):
            break
    head: list[str] = []
    for line in chunk:
        if _is_body(line):
            break
        if not _BYLINE.match(line) and "|" not in line:
            head.append(line)
    return max(head, key=len) if head else chunk[0][:40]


def letters(text: str) -> str:
    """The text with punctuation and spaces dropped: what shingles are cut from."""
    return _KEEP.sub("", text)


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def shingle_array(text: str) -> np.ndarray:
    """Sorted unique 64-bit hashes of the character 3-grams of `text`'s letters."""
    return np.unique(_shingles_of_codes(_codepoints(letters(text)).astype(np.uint64)))


def _shingles_of_codes(codes: np.ndarray) -> np.ndarray:
    if len(codes) < SHINGLE:
        return np.zeros(0, dtype=np.uint64)
    # Three code points (< 2**21 each) pack exactly into 63 bits, then one mix.
    packed = (codes[:-2] << np.uint64(42)) | (codes[1:-1] << np.uint64(21)) | codes[2:]
    return _mix(packed)


def _mix(x: np.ndarray) -> np.ndarray:
    # splitmix64's finaliser: spreads packed code points over all 64 bits.
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def batch_shingles(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of many texts at once and the offset where each text's run starts.

    Runs are not deduplicated (MinHash does not need it); a text with fewer
    than three letters has an empty run.
    """
    cleaned = [letters(t) for t in texts]
    lengths = np.fromiter((len(c) for c in cleaned), dtype=np.int64, count=len(cleaned))
    codes = _codepoints("".join(cleaned)).astype(np.uint64)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    if len(codes) < SHINGLE:
        return np.zeros(0, dtype=np.uint64), np.zeros(len(texts), dtype=np.int64)
    all_sh = _mix(
        (codes[:-2] << np.uint64(42)) | (codes[1:-1] << np.uint64(21)) | codes[2:]
    )
    # Keep only the 3-grams that lie inside one text.
    valid = np.zeros(len(all_sh), dtype=bool)
    counts = np.maximum(lengths - (SHINGLE - 1), 0)
    idx = np.repeat(starts, counts) + _ragged_arange(counts)
    valid[idx] = True
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    return all_sh[valid], offsets


def _ragged_arange(counts: np.ndarray) -> np.ndarray:
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    firsts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return np.arange(total, dtype=np.int64) - np.repeat(firsts, counts)


def minhash_batch(shingles: np.ndarray, offsets: np.ndarray, *, chunk: int = 1 << 16) -> np.ndarray:
    """MinHash signatures (n_texts x PERMUTATIONS, uint64) of shingle runs.

    A text with no shingles gets the all-ones signature, which matches nothing.
    """
    n = len(offsets)
    sig = np.full((n, PERMUTATIONS), np.iinfo(np.uint64).max, dtype=np.uint64)
    if len(shingles) == 0:
        return sig
    lengths = np.diff(np.append(offsets, len(shingles)))
    nonempty = np.flatnonzero(lengths > 0)
    owner = np.repeat(np.arange(n), lengths)
    for lo in range(0, len(shingles), chunk):
        hi = min(lo + chunk, len(shingles))
        hashed = shingles[lo:hi, None] * _A[None, :] + _B[None, :]
        own = owner[lo:hi]
        cut = np.flatnonzero(np.diff(own)) + 1
        seg_starts = np.concatenate(([0], cut))
        mins = np.minimum.reduceat(hashed, seg_starts, axis=0)
        who = own[seg_starts]
        sig[who] = np.minimum(sig[who], mins)
    del nonempty
    return sig


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """One 63-bit key per band per text (n_texts x BANDS), for LSH buckets."""
    bands = signatures.reshape(len(signatures), BANDS, ROWS)
    key = np.zeros(bands.shape[:2], dtype=np.uint64)
    for r in range(ROWS):
        key = _mix(key ^ bands[:, :, r])
    key = key + (np.arange(BANDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    return (_mix(key) >> np.uint64(1)).astype(np.int64)


def sentence_keys(text: str, *, min_letters: int = 10) -> list[int]:
    """Stable 63-bit keys of the text's sentences long enough to be telling."""
    keys = []
    for sentence in _SENTENCE_END.split(text):
        core = letters(sentence)
        if len(core) >= min_letters:
            digest = hashlib.blake2b(core.encode("utf-8"), digest_size=8).digest()
            keys.append(int.from_bytes(digest, "big") >> 1)
    return list(dict.fromkeys(keys))


@dataclass(frozen=True)
class Similarity:
    jaccard: float
    containment: float


def similarity(a: np.ndarray, b: np.ndarray) -> Similarity:
    """Exact Jaccard and containment (of the smaller in the larger) of two shingle sets."""
    if len(a) == 0 or len(b) == 0:
        return Similarity(0.0, 0.0)
    common = len(np.intersect1d(a, b, assume_unique=True))
    return Similarity(common / (len(a) + len(b) - common), common / min(len(a), len(b)))


@dataclass(frozen=True)
class Thresholds:
    """When two stories are one: rewrites by Jaccard, excerpts by containment."""

    jaccard: float = 0.5
    containment: float = 0.8
    min_shingles: int = MIN_SHINGLES

    def same(self, a: np.ndarray, b: np.ndarray) -> bool:
        if min(len(a), len(b)) < self.min_shingles:
            return len(a) == len(b) and bool(np.array_equal(a, b)) and len(a) > 0
        s = similarity(a, b)
        return s.jaccard >= self.jaccard or s.containment >= self.containment


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def candidate_pairs(texts: Sequence[str], signatures: np.ndarray) -> set[tuple[int, int]]:
    """Pairs sharing an LSH band or a whole sentence (i < j)."""
    pairs: set[tuple[int, int]] = set()
    keys = band_keys(signatures)
    flat = keys.ravel()
    owner = np.repeat(np.arange(len(texts)), BANDS)
    empty = (signatures == np.iinfo(np.uint64).max).all(axis=1)
    keep = ~empty[owner]
    _pairs_from_buckets(flat[keep], owner[keep], pairs)
    s_keys: list[int] = []
    s_owner: list[int] = []
    for i, t in enumerate(texts):
        ks = sentence_keys(t)
        s_keys.extend(ks)
        s_owner.extend([i] * len(ks))
    if s_keys:
        _pairs_from_buckets(
            np.array(s_keys, dtype=np.int64), np.array(s_owner, dtype=np.int64), pairs
        )
    return pairs


def _pairs_from_buckets(keys: np.ndarray, owner: np.ndarray, pairs: set[tuple[int, int]]) -> None:
    order = np.argsort(keys, kind="stable")
    k, o = keys[order], owner[order]
    cut = np.flatnonzero(np.diff(k)) + 1
    for members in np.split(o, cut):
        if len(members) < 2:
            continue
        uniq = np.unique(members)
        # A bucket of hundreds is boilerplate ("转发微博"); verifying every pair
        # would be quadratic, so it only links each member to the first.
        if len(uniq) > 64:
            pairs.update((int(uniq[0]), int(m)) for m in uniq[1:])
            continue
        for x in range(len(uniq)):
            for y in range(x + 1, len(uniq)):
                pairs.add((int(uniq[x]), int(uniq[y])))


def group_texts(texts: Sequence[str], *, thresholds: Thresholds | None = None) -> list[int]:
    """Group label of each text: near-duplicates share one (the index of the first member).

    >>> a = "衡阳市公安局今天通报,蒸湘区解放路一商场发生火灾,消防和民警及时赶到,无人员伤亡。"
    >>> group_texts([a, "转发://" + a, "长沙市雨花区一小区今晨有人持刀伤人,嫌疑人已被警方控制。"])
    [0, 0, 2]
    """
    thresholds = thresholds or Thresholds()
    shingles, offsets = batch_shingles(texts)
    signatures = minhash_batch(shingles, offsets)
    sets = [shingle_array(t) for t in texts]
    uf = _UnionFind(len(texts))
    for i, j in sorted(candidate_pairs(texts, signatures)):
        if uf.find(i) != uf.find(j) and thresholds.same(sets[i], sets[j]):
            uf.union(i, j)
    return [uf.find(i) for i in range(len(texts))]

"""Near-duplicate stories into groups.

A scraped newspaper page carries several unrelated stories, so whole pages
are never compared: a page is split into stories first (`story_split`). Stories are then
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

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Splitting pages is `story_split`'s; callers have always found it here.
from yanyun.opinion.story_split import Story as Story
from yanyun.opinion.story_split import letters as letters
from yanyun.opinion.story_split import split_stories as split_stories

SHINGLE = 3
PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
#: Below this many shingles a story is too short to call a near-duplicate by itself.
MIN_SHINGLES = 12

_BIN_BITS = 6  # 2**6 == PERMUTATIONS bins
_LOW_BITS = np.uint64((1 << (64 - _BIN_BITS)) - 1)

_SENTENCE_END = re.compile(r"(?<=[。!?！？;；\n])")


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _mix(x: np.ndarray) -> np.ndarray:
    # splitmix64's finaliser: spreads packed code points over all 64 bits.
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


# Lookup tables over the Basic Multilingual Plane: is a code point a sentence
# end, is it a letter kept for shingles (CJK ideograph, ASCII letter or digit).
_END_LUT = np.zeros(0x10000, dtype=bool)
_END_LUT[[ord(c) for c in "。!?！？;；\n"]] = True
_KEEP_LUT = np.zeros(0x10000, dtype=bool)
_KEEP_LUT[0x4E00:0xA000] = True
_KEEP_LUT[48:58] = True
_KEEP_LUT[65:91] = True
_KEEP_LUT[97:123] = True
#: A sentence needs this many 3-grams to index a story (shorter ones are stock phrases).
MIN_SENTENCE_SHINGLES = 8
_FULL = np.iinfo(np.uint64).max


@dataclass(frozen=True)
class Sketches:
    """Everything near-duplicate search needs of a batch of texts, computed at once.

    ``run(i)`` is text i's 3-gram hashes (with repeats); ``sentence_keys``
    (with ``sentence_owner``) index each long enough sentence by the sum of
    its 3-gram hashes, so an excerpt meets its source on a shared sentence.
    """

    shingles: np.ndarray
    offsets: np.ndarray
    signatures: np.ndarray
    sentence_keys: np.ndarray
    sentence_owner: np.ndarray

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(np.append(self.offsets, len(self.shingles)))

    def run(self, i: int) -> np.ndarray:
        end = self.offsets[i + 1] if i + 1 < len(self.offsets) else len(self.shingles)
        return self.shingles[self.offsets[i] : end]

    def keys_of(self, i: int) -> list[int]:
        """Band and sentence keys of text i, as stored for incremental search."""
        bands = [int(k) for k in band_keys(self.signatures[i : i + 1])[0] if k >= 0]
        sentences = self.sentence_keys[self.sentence_owner == i].tolist()
        return list(dict.fromkeys(bands + sentences))


def sketch(texts: Sequence[str]) -> Sketches:
    """Shingles, signatures and sentence keys of many texts in a few numpy passes."""
    n = len(texts)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=n)
    cps = _codepoints("\n".join(texts) + "\n") if n else np.zeros(0, dtype=np.uint32)
    text_id = np.repeat(np.arange(n, dtype=np.int32), lengths)
    bmp = np.minimum(cps, 0xFFFF)
    sentence_id = np.cumsum(_END_LUT[bmp], dtype=np.int32)
    keep = _KEEP_LUT[bmp] & (cps < 0x10000)
    codes = cps[keep].astype(np.uint64)
    tid, sid = text_id[keep], sentence_id[keep]
    none = np.zeros(0, dtype=np.int64)
    if len(codes) < SHINGLE:
        empty = np.zeros(0, dtype=np.uint64)
        offsets = np.zeros(n, dtype=np.int64)
        return Sketches(empty, offsets, minhash_batch(empty, offsets), none, none)
    packed = (codes[:-2] << np.uint64(42)) | (codes[1:-1] << np.uint64(21)) | codes[2:]
    hashed = _mix(packed)
    same_text = tid[:-2] == tid[2:]
    shingles = hashed[same_text]
    owner = tid[:-2][same_text]
    offsets = np.searchsorted(owner, np.arange(n, dtype=np.int32)).astype(np.int64)
    in_sentence = same_text & (sid[:-2] == sid[2:])
    s_hash, s_id, s_owner = hashed[in_sentence], sid[:-2][in_sentence], tid[:-2][in_sentence]
    s_keys = s_own = none
    if len(s_hash):
        starts = np.flatnonzero(np.r_[True, s_id[1:] != s_id[:-1]])
        sums = np.add.reduceat(s_hash, starts)
        counts = np.diff(np.append(starts, len(s_hash)))
        ok = counts >= MIN_SENTENCE_SHINGLES
        mixed = _mix(sums[ok] ^ counts[ok].astype(np.uint64))
        s_keys = (mixed >> np.uint64(1)).astype(np.int64)
        s_own = s_owner[starts][ok].astype(np.int64)
    return Sketches(shingles, offsets, minhash_batch(shingles, offsets), s_keys, s_own)


def shingle_array(text: str) -> np.ndarray:
    """Sorted unique 64-bit hashes of the character 3-grams of `text`'s letters."""
    return np.unique(sketch([text]).shingles)


def batch_shingles(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of many texts and the offset where each text's run starts."""
    sk = sketch(texts)
    return sk.shingles, sk.offsets


def minhash_batch(shingles: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """One-permutation MinHash signatures (n_texts x PERMUTATIONS, uint64) of shingle runs.

    Each (already mixed) shingle hash falls into one of PERMUTATIONS bins by
    its top bits and the minimum of the rest is kept per bin: one pass over
    the shingles instead of one per permutation (Li, Owen and Zhang 2012).
    An empty bin keeps the all-ones value; a text with no shingles matches nothing.
    """
    n = len(offsets)
    sig = np.full(n * PERMUTATIONS, _FULL, dtype=np.uint64)
    if len(shingles) == 0:
        return sig.reshape(n, PERMUTATIONS)
    lengths = np.diff(np.append(offsets, len(shingles)))
    owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
    bins = (shingles >> np.uint64(64 - _BIN_BITS)).astype(np.int64)
    np.minimum.at(sig, owner * PERMUTATIONS + bins, shingles & _LOW_BITS)
    return sig.reshape(n, PERMUTATIONS)


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """One 63-bit key per band per text (n_texts x BANDS); blank bands get unique negatives."""
    bands = signatures.reshape(len(signatures), BANDS, ROWS)
    key = np.zeros(bands.shape[:2], dtype=np.uint64)
    for r in range(ROWS):
        key = _mix(key ^ bands[:, :, r])
    key = key + (np.arange(BANDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    keys = (_mix(key) >> np.uint64(1)).astype(np.int64)
    # A band with no shingle in any of its bins says nothing: never let it collide.
    blank = (bands == _FULL).all(axis=2)
    keys[blank] = -1 - np.flatnonzero(blank.ravel())
    return keys


def sentence_keys(text: str) -> list[int]:
    """Keys of the text's sentences long enough to be telling (see `sketch`)."""
    return list(dict.fromkeys(sketch([text]).sentence_keys.tolist()))


def story_keys(text: str) -> list[int]:
    """LSH band keys and sentence keys of one story, as stored for incremental search."""
    return sketch([text]).keys_of(0)


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
    containment: float = 0.6
    min_shingles: int = MIN_SHINGLES

    def same(self, a: np.ndarray, b: np.ndarray) -> bool:
        """Decide on exact sets; very short texts only when identical."""
        if min(len(a), len(b)) < self.min_shingles:
            return len(a) == len(b) and bool(np.array_equal(a, b)) and len(a) > 0
        s = similarity(a, b)
        return s.jaccard >= self.jaccard or s.containment >= self.containment


class _UnionFind:
    def __init__(self, parent: list[int]) -> None:
        self.parent = parent

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _pairs_from_buckets(keys: np.ndarray, owner: np.ndarray) -> np.ndarray:
    # Members of a bucket are linked to its first member (a star, not every
    # pair): a bucket of thousands of reposts costs thousands of checks, not
    # millions. A near-duplicate of a member that is not one of the head is
    # still found when the two share another band or sentence.
    if len(keys) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    order = np.lexsort((owner, keys))
    k, o = keys[order], owner[order]
    first = np.ones(len(k), dtype=bool)
    first[1:] = k[1:] != k[:-1]
    head = o[np.maximum.accumulate(np.where(first, np.arange(len(k)), 0))]
    link = (~first) & (head != o)
    return np.stack([head[link], o[link]], axis=1)


def candidate_pairs(sk: Sketches) -> np.ndarray:
    """Pairs (m x 2, smaller index first) sharing an LSH band or a whole sentence."""
    n = len(sk.offsets)
    keys = band_keys(sk.signatures).ravel()
    owner = np.repeat(np.arange(n, dtype=np.int64), BANDS)
    pairs = np.concatenate(
        [
            _pairs_from_buckets(keys, owner),
            _pairs_from_buckets(sk.sentence_keys, sk.sentence_owner),
        ]
    )
    if len(pairs) == 0:
        return pairs
    lo, hi = np.minimum(pairs[:, 0], pairs[:, 1]), np.maximum(pairs[:, 0], pairs[:, 1])
    code = np.unique(lo * n + hi)
    return np.stack([code // n, code % n], axis=1)


def estimated_similarity(sk: Sketches, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Jaccard and containment of many pairs estimated from their signatures."""
    a, b = sk.signatures[pairs[:, 0]], sk.signatures[pairs[:, 1]]
    filled = (a != _FULL) | (b != _FULL)
    equal = (a == b) & (a != _FULL)
    jaccard = equal.sum(axis=1) / np.maximum(filled.sum(axis=1), 1)
    sizes = sk.sizes
    sa, sb = sizes[pairs[:, 0]], sizes[pairs[:, 1]]
    common = jaccard / (1 + jaccard) * (sa + sb)
    containment = np.minimum(common / np.maximum(np.minimum(sa, sb), 1), 1.0)
    return jaccard, containment


def _components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected components of a pair list: each node labelled by its smallest member."""
    label = np.arange(n, dtype=np.int64)
    if len(pairs) == 0:
        return label
    a, b = pairs[:, 0], pairs[:, 1]
    while True:
        low = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]
        if np.array_equal(new, label):
            return label
        label = new


def group_texts(texts: Sequence[str], *, thresholds: Thresholds | None = None) -> list[int]:
    """Group label of each text: near-duplicates share one (the index of the first member).

    Pairs whose signatures put them clearly above or clearly below the
    thresholds are decided on the estimate; only the uncertain band between
    is checked on the exact shingle sets.

    >>> a = "衡阳市公安局今天通报,蒸湘区解放路一商场发生火灾,消防和民警及时赶到,无人员伤亡。"
    >>> group_texts([a, "转发://" + a, "长沙市雨花区一小区今晨有人持刀伤人,嫌疑人已被警方控制。"])
    [0, 0, 2]
    """
    thresholds = thresholds or Thresholds()
    sk = sketch(texts)
    pairs = candidate_pairs(sk)
    if len(pairs) == 0:
        return list(range(len(texts)))
    jaccard, containment = estimated_similarity(sk, pairs)
    sizes = sk.sizes
    least = np.minimum(sizes[pairs[:, 0]], sizes[pairs[:, 1]])
    # Few shingles make a noisy estimate: those pairs need a wider margin.
    margin = np.where(least < 4 * thresholds.min_shingles, 0.3, 0.15)
    decidable = least >= thresholds.min_shingles
    sure = decidable & (
        (jaccard >= np.minimum(thresholds.jaccard + margin, 0.98))
        | (containment >= np.minimum(thresholds.containment + margin, 0.98))
    )
    hopeless = (
        decidable
        & (jaccard < thresholds.jaccard - margin - 0.1)
        & (containment < thresholds.containment - margin - 0.1)
    )
    uf = _UnionFind(_components(len(texts), pairs[sure]).tolist())
    sets: dict[int, np.ndarray] = {}

    def shingle_set(i: int) -> np.ndarray:
        found = sets.get(i)
        if found is None:
            found = sets[i] = np.unique(sk.run(i))
        return found

    for i, j in pairs[~sure & ~hopeless].tolist():
        if uf.find(i) != uf.find(j) and thresholds.same(shingle_set(i), shingle_set(j)):
            uf.union(i, j)
    return [uf.find(i) for i in range(len(texts))]

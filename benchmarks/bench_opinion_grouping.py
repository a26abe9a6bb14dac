"""Story grouping: throughput against a pure-Python per-post version, and pair F1.

Throughput: a stream of real Weibo reposts (CED: the reposter's words
followed by the original post, as a reader sees a repost) grouped by
`grouping.group_texts` (numpy, one batch) and by the same algorithm written
per post in plain Python (`PurePythonGrouper`: the same 3-gram shingles,
one-permutation MinHash with 64 bins, 16 LSH bands, sentence index, star
buckets and the same exact Jaccard / containment test). Both run in this
process, on the same posts; their groupings are compared.

Quality: a labelled set built from real text. Bases are real hotel reviews
(ChnSentiCorp: many different texts on one topic), real Weibo posts (CED)
and the stories of the seed documents. Each base gets real-looking variants:
a repost with an inserted comment (a real waimai review as the comment), an
excerpt (a contiguous run of half its sentences), its sentences reordered,
edited words (about 6% of characters replaced or dropped) and an excerpt
with a comment. Seed 001 is labelled one with seed 000's first story; all
other stories are distinct. Pairs of the same base are positives, every
other pair a negative. Precision, recall and F1 are over pairs.

Run: python benchmarks/bench_opinion_grouping.py [--shared ../shared] [--posts 50000]
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import time
from collections import Counter, defaultdict
from math import comb
from pathlib import Path

import numpy as np

from opinion_corpus import (
    ced_posts,
    ced_repost_stream,
    reviews,
    sentences,
    shared_dir,
)
from yanyun.opinion import grouping
from yanyun.opinion.text import decode, normalise

_KEEP = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff]+")
_END = re.compile(r"[。!?！？;；\n]")
MASK58 = (1 << 58) - 1
FULL = (1 << 64) - 1


def _mix(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & FULL
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & FULL
    return x ^ (x >> 31)


class PurePythonGrouper:
    """The grouping algorithm one post at a time in plain Python (the per-post alternative)."""

    def __init__(self, jaccard: float = 0.5, containment: float = 0.8) -> None:
        self.jaccard, self.containment = jaccard, containment
        self.buckets: dict[object, int] = {}
        self.sets: list[set[int]] = []
        self.parent: list[int] = []

    def _find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def add(self, text: str) -> None:
        i = len(self.sets)
        self.parent.append(i)
        shingles: list[int] = []
        sentence_keys = []
        for sentence in _END.split(text):
            core = _KEEP.sub("", sentence)
            sh = [
                _mix((ord(core[k]) << 42) | (ord(core[k + 1]) << 21) | ord(core[k + 2]))
                for k in range(len(core) - 2)
            ]
            if len(sh) >= 8:
                sentence_keys.append(("s", sum(sh) & FULL, len(sh)))
            shingles.extend(sh)
        full = _KEEP.sub("", text)
        shingles = [
            _mix((ord(full[k]) << 42) | (ord(full[k + 1]) << 21) | ord(full[k + 2]))
            for k in range(len(full) - 2)
        ]
        sig = [FULL] * 64
        for h in shingles:
            b = h >> 58
            v = h & MASK58
            if v < sig[b]:
                sig[b] = v
        keys = [("b", k, tuple(sig[4 * k : 4 * k + 4])) for k in range(16)]
        keys = [k for k in keys if any(v != FULL for v in k[2])] + sentence_keys
        s = set(shingles)
        self.sets.append(s)
        for key in keys:
            head = self.buckets.setdefault(key, i)
            if head != i and self._find(head) != self._find(i) and self._same(self.sets[head], s):
                a, b = self._find(head), self._find(i)
                self.parent[max(a, b)] = min(a, b)

    def _same(self, a: set[int], b: set[int]) -> bool:
        if min(len(a), len(b)) < grouping.MIN_SHINGLES:
            return a == b and bool(a)
        common = len(a & b)
        return (
            common / (len(a) + len(b) - common) >= self.jaccard
            or common / min(len(a), len(b)) >= self.containment
        )

    def labels(self) -> list[int]:
        return [self._find(i) for i in range(len(self.sets))]


def pair_scores(truth: list[int], predicted: list[int]) -> tuple[float, float, float]:
    """Pair precision, recall and F1 of a clustering, by contingency counts."""
    cells = Counter(zip(truth, predicted, strict=True))
    tp = sum(comb(n, 2) for n in cells.values())
    pred = sum(comb(n, 2) for n in Counter(predicted).values())
    true = sum(comb(n, 2) for n in Counter(truth).values())
    p = tp / pred if pred else 1.0
    r = tp / true if true else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# ---- the labelled set --------------------------------------------------------------


def _edit(text: str, rng: random.Random, rate: float = 0.06) -> str:
    chars = list(text)
    out = []
    for ch in chars:
        x = rng.random()
        if x < rate / 2 and "\u4e00" <= ch <= "\u9fff":
            out.append(rng.choice("的了是在有和就不人都一上也很到说要去你会着没看好"))
        elif x < rate and "\u4e00" <= ch <= "\u9fff":
            continue
        else:
            out.append(ch)
    return "".join(out)


def _excerpt(text: str, rng: random.Random) -> str:
    parts = sentences(text)
    if len(parts) < 4:
        return text[: max(30, len(text) * 2 // 3)]
    k = max(2, len(parts) // 2)
    start = rng.randrange(0, len(parts) - k + 1)
    return "".join(parts[start : start + k])


def _reorder(text: str, rng: random.Random) -> str:
    parts = sentences(text)
    if len(parts) < 3:
        return text
    rng.shuffle(parts)
    return "".join(parts)


def _comment(text: str, rng: random.Random, comments: list[str]) -> str:
    c = rng.choice(comments)[:60]
    return f"{c} //@网友{rng.randrange(1000)}: {text}" if rng.random() < 0.5 else f"{text}\n{c}"


def _distinct(texts: list[str], limit: float = 0.5) -> list[str]:
    """Drop texts that are already the same story as an earlier one.

    The corpora hold their own rewrites (CED has several posts of one rumour;
    a review may be posted twice). Labelling them as different stories would
    be wrong, so a text whose character 5-grams lie at least `limit` inside an
    earlier kept text's (or the reverse) is dropped. Moderately overlapping
    texts (same topic, some shared phrasing) stay as hard negatives.
    """
    kept: list[str] = []
    grams: list[set[str]] = []
    index: dict[str, list[int]] = defaultdict(list)
    for t in texts:
        core = _KEEP.sub("", t)
        g = {core[i : i + 5] for i in range(len(core) - 4)}
        if not g:
            continue
        overlap: Counter[int] = Counter()
        for x in g:
            overlap.update(index.get(x, ()))
        if any(n >= limit * min(len(g), len(grams[k])) for k, n in overlap.items()):
            continue
        for x in g:
            index[x].append(len(kept))
        kept.append(t)
        grams.append(g)
    return kept


def labelled_set(shared: Path, seed: int, bases: int) -> tuple[list[str], list[int], list[str]]:
    rng = random.Random(seed)
    # Some hotel reviews carry the booking site's page footer: page chrome, not review.
    hotel = [
        t
        for t in reviews(shared, "hotel")
        if 120 <= len(t) <= 600 and "免费注册" not in t and "携程" not in t
    ]
    weibo = [r["text"] for r in ced_posts(shared) if len(r["text"]) >= 80]
    comments = [t for t in reviews(shared, "waimai") if 8 <= len(t) <= 80]
    rng.shuffle(hotel)
    rng.shuffle(weibo)
    # Real texts repeat in these corpora (a review posted twice): keep one of each.
    picked = _distinct(hotel[: bases * 6 // 10] + weibo[: bases * 4 // 10])
    texts: list[str] = []
    labels: list[int] = []
    kinds: list[str] = []
    for b, base in enumerate(picked):
        texts.append(base)
        labels.append(b)
        kinds.append("original")
        variants = {
            "repost+comment": lambda t: _comment(t, rng, comments),
            "excerpt": lambda t: _excerpt(t, rng),
            "reordered": lambda t: _reorder(t, rng),
            "edited": lambda t: _edit(t, rng),
            "excerpt+comment": lambda t: _comment(_excerpt(t, rng), rng, comments),
        }
        for kind in rng.sample(sorted(variants), 3):
            texts.append(variants[kind](base))
            labels.append(b)
            kinds.append(kind)
    seeds = shared / "seeds"
    seed_first = -1
    if seeds.is_dir():
        label = len(picked)
        for path in sorted(seeds.glob("*.txt")):
            stories = grouping.split_stories(normalise(decode(path.read_bytes())))
            for i, story in enumerate(stories):
                texts.append(story.text)
                same_as_000 = path.name.startswith("001")
                labels.append(seed_first if same_as_000 and i == 0 else label)
                if path.name.startswith("000") and i == 0:
                    seed_first = label
                kinds.append("seed")
                label += 1
    return texts, labels, kinds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=None, help="the shared folder (default ../shared)")
    ap.add_argument("--posts", type=int, default=50_000)
    ap.add_argument("--python-posts", type=int, default=10_000)
    ap.add_argument("--bases", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=20261123, help="seed of the repost sample")
    ap.add_argument(
        "--label-seed",
        type=int,
        default=7,
        help="seed of the labelled set (thresholds were chosen on seed 20261123)",
    )
    args = ap.parse_args()
    shared = shared_dir(args.shared)

    print(
        f"# machine: {platform.processor() or platform.machine()}, "
        f"python {platform.python_version()}, numpy {np.__version__}"
    )
    texts = ced_repost_stream(shared, args.posts, args.seed)
    chars = sum(map(len, texts)) / len(texts)
    print(f"\n## throughput: {len(texts):,} CED reposts, {chars:.0f} characters each on average")
    grouping.group_texts(texts[:1000])
    t0, c0 = time.perf_counter(), time.process_time()
    labels = grouping.group_texts(texts)
    vec_s, vec_cpu = time.perf_counter() - t0, time.process_time() - c0
    sub = texts[: args.python_posts]
    t0, c0 = time.perf_counter(), time.process_time()
    py = PurePythonGrouper()
    for t in sub:
        py.add(t)
    py_s, py_cpu = time.perf_counter() - t0, time.process_time() - c0
    vec_sub = grouping.group_texts(sub)
    agree = pair_scores(py.labels(), vec_sub)
    py_rate, py_cpu_rate = len(sub) / py_s, len(sub) / py_cpu
    vec_rate, vec_cpu_rate = len(texts) / vec_s, len(texts) / vec_cpu
    print("| method | posts | wall s | CPU s | posts/s (wall) | posts per CPU-s | speed-up (CPU) |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| pure Python, per post | {len(sub):,} | {py_s:.2f} | {py_cpu:.2f} | "
        f"{py_rate:,.0f} | {py_cpu_rate:,.0f} | 1.0x |"
    )
    print(
        f"| numpy batch (`group_texts`) | {len(texts):,} | {vec_s:.2f} | {vec_cpu:.2f} | "
        f"{vec_rate:,.0f} | {vec_cpu_rate:,.0f} | {vec_cpu_rate / py_cpu_rate:.1f}x |"
    )
    print(
        f"groups: {len(set(labels)):,} (of {len(texts):,} posts); agreement of the two on "
        f"{len(sub):,} posts as pair P/R/F1: {agree[0]:.4f}/{agree[1]:.4f}/{agree[2]:.4f}"
    )

    texts, truth, kinds = labelled_set(shared, args.label_seed, args.bases)
    by_kind = Counter(kinds)
    print(
        f"\n## quality: {len(texts):,} texts, {len(set(truth)):,} stories; "
        + ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items()))
    )
    print(
        f"positive pairs {sum(comb(n, 2) for n in Counter(truth).values()):,}, "
        f"negative pairs {comb(len(texts), 2) - sum(comb(n, 2) for n in Counter(truth).values()):,}"
    )
    methods = {
        "exact duplicate (normalised text hash)": lambda ts: _exact(ts),
        "MinHash Jaccard >= 0.5 only (whole texts)": lambda ts: grouping.group_texts(
            ts, thresholds=grouping.Thresholds(jaccard=0.5, containment=1.01)
        ),
        "ours: Jaccard >= 0.5 or containment >= 0.6": lambda ts: grouping.group_texts(ts),
    }
    print("| method | pair precision | pair recall | F1 |")
    print("|---|---|---|---|")
    ours = None
    for name, fn in methods.items():
        pred = fn(texts)
        p, r, f = pair_scores(truth, pred)
        print(f"| {name} | {p:.4f} | {r:.4f} | {f:.4f} |")
        ours = pred
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    first = {}
    for i, (label, kind) in enumerate(zip(truth, kinds, strict=True)):
        if kind == "original":
            first[label] = i
    for i, (label, kind) in enumerate(zip(truth, kinds, strict=True)):
        if kind not in ("original", "seed") and label in first:
            per_kind[kind][1] += 1
            per_kind[kind][0] += ours[i] == ours[first[label]]
    print(
        "recall of each variant against its original (ours): "
        + ", ".join(f"{k} {a / n:.3f}" for k, (a, n) in sorted(per_kind.items()))
    )


def _exact(texts: list[str]) -> list[int]:
    seen: dict[str, int] = {}
    return [seen.setdefault(_KEEP.sub("", t), i) for i, t in enumerate(texts)]


if __name__ == "__main__":
    main()

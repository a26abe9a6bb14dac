"""A score for "this post may be a false report", trained on a bureau's own labelled posts.

A logistic regression over hashed features (jieba words, character bigrams
and a few rumour markers: calls to spread, urgency, unsourced claims),
written in numpy so the runtime needs no machine-learning library. It is an
aid for the officer who verifies, never a verdict; it ships untrained: a
bureau trains it on posts it has adjudicated (`train`), and the score is
only shown when a model is loaded.

A model trained with replies (``replies_k > 0``) scores a whole story: the
first post and the reposts and comments grouped with it, in the order they
arrived, up to ``replies_k`` of them (:func:`story_score`); it is trained on
each story seen at several sizes (:data:`STORY_SIZES`), so the score is
meaningful from the first post on and is updated as the story grows. Only
the words are read: who wrote them is never a feature.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DIM = 1 << 18
#: A story model is trained on each story as it looked after this many replies.
STORY_SIZES: tuple[int, ...] = (0, 5, 10, 30)
# A repost carries the original after "//": only the replier's own words are a reply.
_REPOST_TAIL = re.compile(r"\s*//\s*(@|转发微博).*$", re.S)

MARKERS: dict[str, re.Pattern[str]] = {
    "spread": re.compile(r"扩散|转起来|转发.{0,4}(让|给)|求转|速转|帮转|互相转告|周知"),
    "urgent": re.compile(r"紧急|重要|注意了|提醒|千万|速看|马上"),
    "unsourced": re.compile(r"据说|听说|网传|有网友|知情人|内部消息|朋友说|亲戚"),
    "sourced": re.compile(r"通报|警方|公安|官方|记者|新华|央视|人民网|证实|据.{1,6}报道"),
    "shock": re.compile(r"[!！]{2,}|震惊|惊人|可怕|太恐怖|吓死"),
    "harm": re.compile(r"死亡|身亡|死了|遇害|杀人|砍人|拐卖|被拐|抢孩子|投毒|爆炸|失踪"),
}


def _hash(token: str) -> int:
    return zlib.crc32(token.encode("utf-8")) % DIM


# What early repliers say is the strongest early signal of a false report.
DOUBT = re.compile(
    r"谣言|辟谣|假的|不实|造谣|求证|真的吗|真的假的|是真的|骗人|别信|已证实|官方回应"
)


def featurise(
    text: str, words: Callable[[str], list[str]], replies: Sequence[str] = ()
) -> dict[int, float]:
    """Hashed feature counts of a post and, when known, its early replies (L2-normalised)."""
    counts: dict[int, float] = {}
    for reply in replies:
        for w in words(reply):
            if w.strip():
                k = _hash("r:" + w)
                counts[k] = counts.get(k, 0.0) + 1.0
        for m in DOUBT.finditer(reply):
            k = _hash("d:" + m.group())
            counts[k] = counts.get(k, 0.0) + 2.0
    for w in words(text):
        if w.strip():
            k = _hash("w:" + w)
            counts[k] = counts.get(k, 0.0) + 1.0
    letters = re.sub(r"\s+", "", text)
    for i in range(len(letters) - 1):
        k = _hash("c:" + letters[i : i + 2])
        counts[k] = counts.get(k, 0.0) + 1.0
    for name, pattern in MARKERS.items():
        if pattern.search(text):
            counts[_hash("m:" + name)] = 3.0
    if "http" in text:
        counts[_hash("m:url")] = 1.0
    feats = {k: 1.0 + math.log(v) for k, v in counts.items()}
    norm = math.sqrt(sum(v * v for v in feats.values())) or 1.0
    return {k: v / norm for k, v in feats.items()}


@dataclass
class _Sparse:
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    n: int

    @classmethod
    def of(cls, feats: Sequence[dict[int, float]]) -> _Sparse:
        rows = np.repeat(np.arange(len(feats)), [len(f) for f in feats])
        cols = np.fromiter((k for f in feats for k in f), dtype=np.int64, count=len(rows))
        vals = np.fromiter((v for f in feats for v in f.values()), dtype=float, count=len(rows))
        return cls(rows, cols, vals, len(feats))

    def dot(self, w: np.ndarray) -> np.ndarray:
        return np.bincount(self.rows, weights=self.vals * w[self.cols], minlength=self.n)

    def tdot(self, r: np.ndarray) -> np.ndarray:
        return np.bincount(self.cols, weights=self.vals * r[self.rows], minlength=DIM)


def own_words(text: str) -> str:
    """A repost's or comment's own words, without the post it quotes after ``//``."""
    return _REPOST_TAIL.sub("", text).strip()


@dataclass
class RumorModel:
    """Weights of the rumour score; `score` is a probability-like number in [0, 1].

    ``replies_k`` is how many replies of a story the model reads (0: the post alone).
    """

    weights: np.ndarray
    bias: float
    replies_k: int = 0

    def score_many(
        self,
        texts: Sequence[str],
        words: Callable[[str], list[str]],
        replies: Sequence[Sequence[str]] | None = None,
    ) -> np.ndarray:
        replies = replies or [()] * len(texts)
        x = _Sparse.of([featurise(t, words, r) for t, r in zip(texts, replies, strict=True)])
        return 1.0 / (1.0 + np.exp(-(x.dot(self.weights) + self.bias)))

    def save(self, path: Path) -> None:
        nz = np.flatnonzero(self.weights)
        Path(path).write_text(
            json.dumps(
                {
                    "dim": DIM,
                    "bias": self.bias,
                    "replies_k": self.replies_k,
                    "index": nz.tolist(),
                    "weights": self.weights[nz].round(6).tolist(),
                }
            ),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, path: Path) -> RumorModel:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("dim") != DIM:
            raise ValueError(f"{path}: model built for {data.get('dim')} features, not {DIM}")
        w = np.zeros(DIM)
        w[np.array(data["index"], dtype=np.int64)] = np.array(data["weights"], dtype=float)
        return cls(w, float(data["bias"]), int(data.get("replies_k", 0)))


def story_score(
    model: RumorModel, first: str, later: Sequence[str], words: Callable[[str], list[str]]
) -> float:
    """The score of a story: its first post and the first ``model.replies_k`` replies so far.

    ``later`` are the texts grouped with the first post, oldest first (reposts are cut
    to their own words). A post-only model scores the first post alone.
    """
    replies = [own_words(t) for t in later[: model.replies_k]] if model.replies_k else []
    replies = [r for r in replies if r]
    return float(model.score_many([first], words, [replies])[0])


#: Fewest labelled posts (and of each kind in the held-out part) to choose the threshold.
CALIBRATE_MIN_POSTS = 40
CALIBRATE_MIN_EACH = 5


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """The score at or above which flagging gives the best F1 on these labelled posts."""
    best_t, best_f1 = 0.5, -1.0
    for t in np.unique(np.round(scores, 4)):
        flagged = scores >= t
        tp = float((flagged & (labels == 1)).sum())
        f1 = 2 * tp / (float(flagged.sum()) + float(labels.sum())) if tp else 0.0
        if f1 > best_f1:
            best_t, best_f1 = float(t), f1
    return min(max(best_t, 0.02), 0.98)


def train(
    texts: Sequence[str],
    labels: Sequence[int],
    words: Callable[[str], list[str]],
    *,
    replies: Sequence[Sequence[str]] | None = None,
    story_sizes: Sequence[int] | None = None,
    calibrate: float = 0.25,
    l2: float = 1e-4,
    epochs: int = 300,
    lr: float = 0.5,
) -> RumorModel:
    """Fit the score on adjudicated posts given oldest first; 0.5 is where it flags.

    The fit is strongly regularised and its raw probabilities sit low (at 0.5
    it flagged under half the rumours of later posts on real Weibo data). So
    the decision point is chosen the way it will be used: a model is fitted on
    the older ``1 - calibrate`` of the posts, the threshold with the best F1 on
    the newest ``calibrate`` is found, and the model fitted on all posts has
    its bias moved so that this threshold becomes 0.5. Too few posts (or of one
    kind) in the newest part leave the threshold at 0.5.
    """
    n = len(texts)
    held = int(n * calibrate) if 0 < calibrate < 1 else 0
    tail = np.asarray(labels[n - held:], dtype=int) if held else np.zeros(0, dtype=int)
    if (n >= CALIBRATE_MIN_POSTS and int(tail.sum()) >= CALIBRATE_MIN_EACH
            and int((tail == 0).sum()) >= CALIBRATE_MIN_EACH):
        cut = n - held
        early = _fit(texts[:cut], labels[:cut], words,
                     replies=None if replies is None else replies[:cut],
                     story_sizes=story_sizes, l2=l2, epochs=epochs, lr=lr)
        late_replies = [()] * held if replies is None else replies[cut:]
        sizes = sorted(set(story_sizes)) if replies is not None and story_sizes else [None]
        scores, truth = [], []
        for k in sizes:  # the story at each size it is scored at
            for text, story, label in zip(texts[cut:], late_replies, tail, strict=True):
                shown = [own_words(r) for r in list(story)[:k]] if k is not None else list(story)
                scores.append(early.score_many([text], words, [[r for r in shown if r]])[0])
                truth.append(label)
        threshold = best_threshold(np.asarray(scores), np.asarray(truth))
    else:
        threshold = 0.5
    model = _fit(texts, labels, words, replies=replies, story_sizes=story_sizes, l2=l2,
                 epochs=epochs, lr=lr)
    model.bias -= math.log(threshold / (1 - threshold))
    return model


def _fit(
    texts: Sequence[str],
    labels: Sequence[int],
    words: Callable[[str], list[str]],
    *,
    replies: Sequence[Sequence[str]] | None = None,
    story_sizes: Sequence[int] | None = None,
    l2: float = 1e-4,
    epochs: int = 300,
    lr: float = 0.5,
) -> RumorModel:
    """Fit the weights by full-batch gradient descent with Adam steps (deterministic).

    With ``replies`` (each post's replies, oldest first) and ``story_sizes``
    (e.g. :data:`STORY_SIZES`), each post is a training example once per size,
    with that many of its first replies: the model learns to score a story at
    any point of its growth, and reads up to ``max(story_sizes)`` replies.
    With ``replies`` alone, every post is taken with all the replies given.
    """
    replies_k = 0
    if replies is not None and story_sizes:
        sizes = sorted(set(story_sizes))
        texts = [t for t in texts for _ in sizes]
        labels = [y for y in labels for _ in sizes]
        replies = [list(r)[:k] for r in replies for k in sizes]
        replies_k = max(sizes)
    elif replies is not None:
        replies_k = max((len(r) for r in replies), default=0)
    replies = replies or [()] * len(texts)
    x = _Sparse.of([featurise(t, words, r) for t, r in zip(texts, replies, strict=True)])
    y = np.asarray(labels, dtype=float)
    w = np.zeros(DIM)
    b = 0.0
    m, v = np.zeros(DIM), np.zeros(DIM)
    mb = vb = 0.0
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for t in range(1, epochs + 1):
        p = 1.0 / (1.0 + np.exp(-(x.dot(w) + b)))
        r = (p - y) / len(y)
        g = x.tdot(r) + l2 * w
        gb = float(r.sum())
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        mb = beta1 * mb + (1 - beta1) * gb
        vb = beta2 * vb + (1 - beta2) * gb * gb
        step = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
        w -= step * m / (np.sqrt(v) + eps) * 0.01
        b -= step * mb / (math.sqrt(vb) + eps) * 0.01
    return RumorModel(w, b, replies_k)

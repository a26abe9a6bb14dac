"""The rumour score on the whole story vs the first post alone, by time-ordered cross-validation.

Data: the developers' part of CED (../shared/data/weibo_rumor_ced: 2,634 Weibo
posts before 2013-06-01 adjudicated rumour / not, with their reposts and
comments; Song et al. 2018, THUNLP, research use). Nothing is copied.

Protocol: the posts in time order are cut into 5 equal folds; fold i (i = 2..5)
is scored by models trained on folds 1..i-1 only (an expanding window: never
trained on the future). A story is the first post and its reposts/comments in
the order they arrived (their own words, without the quoted original).

Rows, all in the same run:
- TF-IDF (characters 1-2) + logistic regression on the post, and on the post
  with its first k = 5, 10, 30 replies (one model per k);
- the platform's post-only score (`yanyun.opinion.rumor`, trained on posts);
- the platform's story score (trained on each story at 0, 5, 10, 30 replies,
  as `yanyun opinion train-rumor --replies` does), read at k = 0, 5, 10, 30.

Then the time from the first post to the flag (score >= 0.5) when the story
score is updated as replies arrive (after 0, 1, 2, 3, 5, 7, 10, 15, 20, 30).

Run: python benchmarks/bench_rumour_story.py [--shared ../shared] [--folds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from datetime import datetime, timedelta

import numpy as np

from opinion_corpus import ced_posts, ced_reposts, shared_dir
from yanyun.opinion.analysis import shared_analyzer
from yanyun.opinion.rumor import STORY_SIZES, own_words, story_score, train
from yanyun.opinion.text import Rejected, normalise

KS = (0, 5, 10, 30)
CHECKPOINTS = (0, 1, 2, 3, 5, 7, 10, 15, 20, 30)


def f1(y: np.ndarray, p: np.ndarray) -> tuple[float, float, float]:
    tp = int(((p == 1) & (y == 1)).sum())
    prec = tp / max(int(p.sum()), 1)
    rec = tp / max(int(y.sum()), 1)
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


def stories(shared) -> tuple[list[dict], dict[str, list[tuple[datetime, str]]]]:
    """Posts in time order and each post's replies (UTC time, own words), oldest first."""
    posts = ced_posts(shared)
    known = {r["post_id"]: datetime.fromisoformat(r["time_utc"]) for r in posts}
    table = ced_reposts(shared, ["post_id", "date", "text"])
    replies: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for p, d, t in zip(table["post_id"], table["date"], table["text"], strict=True):
        if p not in known or not d or not t:
            continue
        try:
            at = datetime.fromisoformat(d) - timedelta(hours=8)  # Beijing time -> UTC
        except ValueError:
            continue  # a few dates lack the year
        try:
            words = own_words(normalise(t))
        except Rejected:  # nothing but markup or a bare repost
            continue
        if words:
            replies[p].append((max(at, known[p]), words))
    for v in replies.values():
        v.sort()
    return posts, replies


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=None)
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    shared = shared_dir(args.shared)
    analyzer = shared_analyzer("hengyang")
    cache: dict[str, list[str]] = {}

    def words(text: str) -> list[str]:
        got = cache.get(text)
        if got is None:
            got = cache[text] = analyzer.segment(text)
        return got

    t0 = time.perf_counter()
    posts, replies = stories(shared)
    texts = [normalise(r["text"]) for r in posts]
    y = np.array([int(r["label_rumor"]) for r in posts])
    reps = [[t for _, t in replies.get(r["post_id"], [])][:30] for r in posts]
    times = [[a for a, _ in replies.get(r["post_id"], [])][:30] for r in posts]
    start = [datetime.fromisoformat(r["time_utc"]) for r in posts]
    n = len(posts)
    edges = [round(n * i / args.folds) for i in range(args.folds + 1)]
    print(
        f"CED developers' part: {n:,} posts {posts[0]['time_utc'][:10]} .. "
        f"{posts[-1]['time_utc'][:10]}, {y.mean():.1%} rumours; replies per post: median "
        f"{statistics.median(len(r) for r in reps):.0f} of the first 30; folds {args.folds} "
        f"(expanding window, {args.folds - 1} scored); loaded in {time.perf_counter() - t0:.0f} s"
    )

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    preds: dict[str, list[np.ndarray]] = defaultdict(list)
    per_fold: dict[str, list[float]] = defaultdict(list)
    truth: list[np.ndarray] = []
    flag_hours: list[float] = []
    flagged_rumours = rumours_seen = false_flags = facts_seen = 0
    for i in range(1, args.folds):
        tr = list(range(0, edges[i]))
        te = list(range(edges[i], edges[i + 1]))
        y_tr, y_te = y[tr], y[te]
        truth.append(y_te)
        print(
            f"fold {i + 1}: train {len(tr):,} posts to {posts[tr[-1]]['time_utc'][:10]} "
            f"({y_tr.mean():.1%} rumours), test {len(te):,} to {posts[te[-1]]['time_utc'][:10]} "
            f"({y_te.mean():.1%} rumours)"
        )

        def keep(name: str, p: np.ndarray, y_te=y_te) -> None:
            preds[name].append(p)
            per_fold[name].append(f1(y_te, p)[2])

        for k in KS:
            vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), min_df=2, sublinear_tf=True)

            def joined(j: int, k=k) -> str:
                return texts[j] + " " + " ".join(reps[j][:k])

            lr = LogisticRegression(max_iter=2000).fit(
                vec.fit_transform([joined(j) for j in tr]), y_tr
            )
            keep(
                f"TF-IDF + LR, post + first {k} replies",
                lr.predict(vec.transform([joined(j) for j in te])),
            )
        post_model = train([texts[j] for j in tr], y_tr, words)
        s = post_model.score_many([texts[j] for j in te], words)
        keep("platform post-only score (before)", (s >= 0.5).astype(int))
        model = train(
            [texts[j] for j in tr],
            y_tr,
            words,
            replies=[reps[j] for j in tr],
            story_sizes=STORY_SIZES,
        )
        for k in KS:
            s = np.array([story_score(model, texts[j], reps[j][:k], words) for j in te])
            keep(f"platform story score, first {k} replies", (s >= 0.5).astype(int))
        for j in te:
            flagged_at = None
            for k in CHECKPOINTS:
                if k > len(reps[j]):
                    break
                if story_score(model, texts[j], reps[j][:k], words) >= 0.5:
                    flagged_at = (
                        0.0 if k == 0 else (times[j][k - 1] - start[j]).total_seconds() / 3600
                    )
                    break
            if y[j] == 1:
                rumours_seen += 1
                if flagged_at is not None:
                    flagged_rumours += 1
                    flag_hours.append(flagged_at)
            else:
                facts_seen += 1
                false_flags += flagged_at is not None

    y_all = np.concatenate(truth)
    print(
        f"\n## F1 on the {len(y_all):,} scored posts ({y_all.mean():.1%} rumours), "
        "pooled and per fold"
    )
    print("| method | precision | recall | F1 pooled | F1 per fold |")
    print("|---|---|---|---|---|")
    for name, parts in preds.items():
        pr, rc, f = f1(y_all, np.concatenate(parts))
        folds = " / ".join(f"{v:.3f}" for v in per_fold[name])
        print(f"| {name} | {pr:.3f} | {rc:.3f} | {f:.3f} | {folds} |")
    print(
        f"\n## time from the first post to the flag (story score updated after "
        f"{', '.join(map(str, CHECKPOINTS))} replies)"
    )
    q = np.percentile(flag_hours, [25, 50, 75, 90]) if flag_hours else [float("nan")] * 4
    print(
        f"rumours flagged within their first 30 replies: {flagged_rumours:,} of {rumours_seen:,} "
        f"({flagged_rumours / max(rumours_seen, 1):.1%}); hours to the flag: p25 {q[0]:.2f}, "
        f"median {q[1]:.2f}, p75 {q[2]:.2f}, p90 {q[3]:.2f}; flagged on the first post alone: "
        f"{sum(h == 0.0 for h in flag_hours):,}"
    )
    for limit in (1, 6, 24):
        share = sum(h <= limit for h in flag_hours) / max(rumours_seen, 1)
        print(f"  rumours flagged within {limit} h: {share:.1%}")
    print(
        f"not rumours ever flagged by the growing story: {false_flags:,} of {facts_seen:,} "
        f"({false_flags / max(facts_seen, 1):.1%})"
    )
    print(f"total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()

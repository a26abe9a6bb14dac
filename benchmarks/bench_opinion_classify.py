"""Opinion text figures: relevance, the rumour score, heat on real bursts, pipeline throughput.

1. Relevance to public safety on real news titles. No corpus here labels
   "public safety", so THUCNews's 社会 (society) class stands in for it: the
   class where crime, accidents and disputes are reported. Scored on the test
   titles: the pipeline's lexicon relevance (no training, threshold = the
   setting's default 0.3), a majority baseline, and TF-IDF (character 1-2
   grams) + logistic regression trained on the dev titles. Toutiao's test
   titles (which hold no society class) give the lexicon's rate of flagging
   ordinary news.
2. The rumour score on CED (2,634 real Weibo posts adjudicated rumour / not):
   trained on the earliest 70 % by time, scored on the latest 30 %. Majority
   baseline, TF-IDF + logistic regression, and `yanyun.opinion.rumor`, each
   on the post alone and on the post with its first 30 replies.
3. Velocity and heat on the real repost curves of the CED posts, with the
   default heat thresholds: how fast stories spread and when they would alert.
4. The whole pipeline per post (normalise, split, analyse, group) on real
   reposts, stage by stage.

Run: python benchmarks/bench_opinion_classify.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime, timedelta

import numpy as np

from opinion_corpus import ced_posts, ced_repost_stream, ced_reposts, early_replies, shared_dir
from yanyun.opinion import grouping, heat
from yanyun.opinion.analysis import shared_analyzer
from yanyun.opinion.rumor import train
from yanyun.opinion.settings import OpinionSettings
from yanyun.opinion.text import normalise


def scores(y: np.ndarray, p: np.ndarray) -> tuple[float, float, float, float]:
    tp = int(((p == 1) & (y == 1)).sum())
    prec = tp / max(int(p.sum()), 1)
    rec = tp / max(int(y.sum()), 1)
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return float((p == y).mean()), prec, rec, f1


def row(name: str, y: np.ndarray, p: np.ndarray) -> None:
    a, pr, r, f = scores(y, p)
    print(f"| {name} | {a:.3f} | {pr:.3f} | {r:.3f} | {f:.3f} |")


def relevance(shared, analyzer) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    base = shared / "data/chinese_text/thucnews_titles"

    def load(name):
        rows = [ln.rsplit("\t", 1) for ln in (base / name).read_text("utf-8").splitlines() if ln]
        return [t for t, _ in rows], np.array([int(c == "5") for _, c in rows])

    dev_x, dev_y = load("dev.txt")
    test_x, test_y = load("test.txt")
    t0 = time.process_time()
    lex = np.array(
        [int(analyzer.relevance(normalise(t), analyzer.classify(t)[2]) >= 0.3) for t in test_x]
    )
    lex_s = time.process_time() - t0
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    model = LogisticRegression(max_iter=2000, class_weight="balanced").fit(
        vec.fit_transform(dev_x), dev_y
    )
    tfidf = model.predict(vec.transform(test_x))
    print(f"\n## relevance: THUCNews titles, society class ({test_y.sum():,} of {len(test_y):,})")
    print("| method | accuracy | precision | recall | F1 |")
    print("|---|---|---|---|---|")
    row("majority (never relevant)", test_y, np.zeros_like(test_y))
    row("TF-IDF char 1-2 + logistic regression (trained on dev)", test_y, tfidf)
    row("pipeline lexicon relevance >= 0.3 (no training)", test_y, lex)
    both = np.maximum(lex, tfidf)
    row("lexicon OR TF-IDF", test_y, both)
    print(f"lexicon: {len(test_x) / lex_s:,.0f} titles per CPU-second")
    tt = shared / "data/chinese_text/toutiao_titles/toutiao_cat_data.test.txt"
    titles = [
        ln.split("_!_")[3] for ln in tt.read_text("utf-8").splitlines() if ln.count("_!_") >= 3
    ]
    flagged = sum(
        analyzer.relevance(normalise(t), analyzer.classify(t)[2]) >= 0.3 for t in titles if t
    )
    print(
        f"Toutiao test titles (no society class): lexicon flags {flagged:,} of {len(titles):,} "
        f"({flagged / len(titles):.1%})"
    )


def rumour(shared, analyzer) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    posts = ced_posts(shared)
    replies = early_replies(shared, 30)
    cut = int(len(posts) * 0.7)
    train_rows, test_rows = posts[:cut], posts[cut:]
    y_tr = np.array([int(r["label_rumor"]) for r in train_rows])
    y_te = np.array([int(r["label_rumor"]) for r in test_rows])
    print(
        f"\n## rumour score: CED, train {len(train_rows):,} posts up to "
        f"{train_rows[-1]['time_utc'][:10]} ({y_tr.mean():.1%} rumours), test {len(test_rows):,} "
        f"later posts ({y_te.mean():.1%} rumours)"
    )
    print("| method | accuracy | precision | recall | F1 |")
    print("|---|---|---|---|---|")
    majority = int(y_tr.mean() >= 0.5)
    row(f"majority of training labels ({majority})", y_te, np.full_like(y_te, majority))

    def joined(r, with_replies):
        extra = " ".join(replies.get(r["post_id"], [])) if with_replies else ""
        return r["text"] + " " + extra

    words = analyzer.segment
    for with_replies in (False, True):
        suffix = " + first 30 replies" if with_replies else " (post only)"
        vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        x_tr = vec.fit_transform([joined(r, with_replies) for r in train_rows])
        lr = LogisticRegression(max_iter=2000).fit(x_tr, y_tr)
        row(
            "TF-IDF char 1-2 + logistic regression" + suffix,
            y_te,
            lr.predict(vec.transform([joined(r, with_replies) for r in test_rows])),
        )
        rep_tr = [replies.get(r["post_id"], []) for r in train_rows] if with_replies else None
        rep_te = [replies.get(r["post_id"], []) for r in test_rows] if with_replies else None
        model = train([normalise(r["text"]) for r in train_rows], y_tr, words, replies=rep_tr)
        s = model.score_many([normalise(r["text"]) for r in test_rows], words, rep_te)
        row("yanyun.opinion.rumor (words, bigrams, markers)" + suffix, y_te, (s >= 0.5).astype(int))


def bursts(shared) -> None:
    cfg = OpinionSettings()
    posts = {r["post_id"]: r for r in ced_posts(shared)}
    table = ced_reposts(shared, ["post_id", "date"])
    times: dict[str, list[datetime]] = {}
    unparsed = 0
    for p, d in zip(table["post_id"], table["date"], strict=True):
        if p in posts and d:
            try:
                # Repost dates are Beijing time; the posts' own times are UTC.
                times.setdefault(p, []).append(datetime.fromisoformat(d) - timedelta(hours=8))
            except ValueError:  # a few dates lack the year ("01月22日 17:09"): left out
                unparsed += 1
    peak_v, level_hours, levels = [], {1: [], 2: [], 3: []}, {0: 0, 1: 0, 2: 0, 3: 0}
    by_label = {0: [], 1: []}
    for p, ts in times.items():
        ts.sort()
        start = datetime.fromisoformat(posts[p]["time_utc"])
        ts = [t for t in ts if t >= start] or ts
        best, lo, top = 0, 0, 0
        crossed = 0
        for hi, t in enumerate(ts):
            while ts[lo] < t - timedelta(seconds=cfg.velocity_window_s):
                lo += 1
            v = (hi - lo + 1) * 3600 / cfg.velocity_window_s
            best = max(best, v)
            h = heat.heat_score(volume=hi + 1, velocity=v, reach=0)
            lvl = heat.heat_level(h, cfg.heat_thresholds)
            while crossed < lvl:
                crossed += 1
                level_hours[crossed].append((t - start).total_seconds() / 3600)
            top = max(top, lvl)
        levels[top] += 1
        peak_v.append(best)
        by_label[int(posts[p]["label_rumor"])].append(best)
    n = len(peak_v)
    print(
        f"\n## velocity and heat on {n:,} real repost curves (CED, {len(table['date']):,} "
        f"reposts; {unparsed:,} with a yearless date left out)"
    )
    q = np.percentile(peak_v, [50, 90, 99])
    print(
        f"peak velocity (reposts in the busiest hour): median {q[0]:.0f}, p90 {q[1]:.0f}, "
        f"p99 {q[2]:.0f}, max {max(peak_v):.0f}"
    )
    for lab, name in ((1, "rumours"), (0, "not rumours")):
        print(
            f"  {name}: median peak {statistics.median(by_label[lab]):.0f}/h over "
            f"{len(by_label[lab]):,} posts"
        )
    print("| highest heat level reached | posts | share | median hours from post to crossing it |")
    print("|---|---|---|---|")
    for lvl in (0, 1, 2, 3):
        hours = level_hours.get(lvl) or []
        med = f"{statistics.median(hours):.1f}" if hours else "-"
        print(
            f"| {lvl} {heat.LEVEL_LABELS[lvl][0]} | {levels[lvl]:,} | {levels[lvl] / n:.1%} | "
            f"{med} |"
        )


def pipeline(shared, analyzer, n: int) -> None:
    texts = ced_repost_stream(shared, n, 20261123)
    print(f"\n## pipeline stages on {n:,} real reposts (CPU seconds, this process)")
    print("| stage | CPU s | posts per CPU-s |")
    print("|---|---|---|")
    t0 = time.process_time()
    norm = [normalise(t) for t in texts]
    t1 = time.process_time()
    stories = [s.text for t in norm for s in grouping.split_stories(t)]
    t2 = time.process_time()
    for s in stories:
        analyzer.analyse(s)
    t3 = time.process_time()
    grouping.group_texts(stories)
    t4 = time.process_time()
    for name, secs in (
        ("normalise (OpenCC t2s, half-width, HTML)", t1 - t0),
        ("split into stories", t2 - t1),
        ("analyse (jieba keywords, places, category, time, claim)", t3 - t2),
        ("group (numpy batch)", t4 - t3),
        ("whole pipeline", t4 - t0),
    ):
        print(f"| {name} | {secs:.2f} | {n / secs:,.0f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=None)
    ap.add_argument("--pipeline-posts", type=int, default=5000)
    ap.add_argument("--skip-classifiers", action="store_true")
    args = ap.parse_args()
    shared = shared_dir(args.shared)
    analyzer = shared_analyzer("hengyang")
    if not args.skip_classifiers:
        relevance(shared, analyzer)
        rumour(shared, analyzer)
    bursts(shared)
    pipeline(shared, analyzer, args.pipeline_posts)


if __name__ == "__main__":
    main()

"""Real Chinese text for the opinion benchmarks, read from ../shared/data and the seeds.

Nothing here is copied into the repository; every reader takes the folder as
an argument. Sources: CED Weibo rumour dataset (Song et al. 2018, THUNLP,
research use), ChnSentiCorp hotel reviews and waimai_10k reviews
(SophonPlus/ChineseNlpCorpus), THUCNews and Toutiao titles.
"""

from __future__ import annotations

import csv
import random
import re
from collections import defaultdict
from pathlib import Path

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared_dir(arg: str | None) -> Path:
    """The shared folder: the argument, ../shared, or ../../shared (a worktree)."""
    if arg:
        return Path(arg)
    here = Path(__file__).resolve().parents[1]
    for candidate in (here.parent / "shared", here.parent.parent / "shared"):
        if candidate.is_dir():
            return candidate
    return DEFAULT_SHARED


def ced_posts(shared: Path) -> list[dict[str, str]]:
    path = shared / "data" / "weibo_rumor_ced" / "posts_2010_2013-05.csv"
    with path.open(encoding="utf-8") as f:
        return sorted(csv.DictReader(f), key=lambda r: r["time_utc"])


def ced_reposts(shared: Path, columns: list[str]) -> dict[str, list]:
    import pyarrow.parquet as pq

    path = shared / "data" / "weibo_rumor_ced" / "reposts_2010_2013-05.parquet"
    return pq.read_table(path, columns=columns).to_pydict()


def ced_repost_stream(shared: Path, n: int, seed: int) -> list[str]:
    """Reposts as a reader sees them: the reposter's words, then the original post."""
    originals = {r["post_id"]: r["text"] for r in ced_posts(shared)}
    table = ced_reposts(shared, ["post_id", "text"])
    texts = [
        f"{(t or '').strip()} //转发微博: {originals[p]}"
        for p, t in zip(table["post_id"], table["text"], strict=True)
        if p in originals
    ]
    random.Random(seed).shuffle(texts)
    return texts[:n]


def reviews(shared: Path, name: str) -> list[str]:
    files = {
        "hotel": shared / "data/chinese_text/chnsenticorp_htl/ChnSentiCorp_htl_all.csv",
        "waimai": shared / "data/chinese_text/waimai_10k/waimai_10k.csv",
    }
    with files[name].open(encoding="utf-8") as f:
        return [r["review"] for r in csv.DictReader(f) if r.get("review")]


def early_replies(shared: Path, first: int = 30) -> dict[str, list[str]]:
    """The first `first` reposts' words of each CED post, by time."""
    table = ced_reposts(shared, ["post_id", "date", "text"])
    by_post: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for p, d, t in zip(table["post_id"], table["date"], table["text"], strict=True):
        if t:
            by_post[p].append((d, t))
    return {p: [t for _, t in sorted(v)[:first]] for p, v in by_post.items()}


_SENT = re.compile(r"(?<=[。！？!?；;\n])")


def sentences(text: str) -> list[str]:
    return [s for s in _SENT.split(text) if s.strip()]

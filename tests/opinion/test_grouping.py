"""Story grouping: pages split into stories, near-duplicates grouped, the seeds as a real test."""

from __future__ import annotations

import numpy as np
import pytest

from tests.opinion.shared import SEEDS
from yanyun.opinion.grouping import (
    batch_shingles,
    group_texts,
    minhash_batch,
    shingle_array,
    similarity,
    split_stories,
)
from yanyun.opinion.text import decode, normalise

ARTICLE = (
    "11月20日晚,衡阳市蒸湘区解放路一家商场发生火灾。接到报警后,蒸湘公安分局民警和消防救援人员迅速赶到现场处置。"
    "经过一个多小时的扑救,明火被扑灭,商场内人员全部安全疏散,没有人员伤亡。"
    "目前,起火原因正在进一步调查中。警方提醒广大市民,冬季用电用火要注意安全,发现火情及时拨打119报警。"
    "据现场目击者介绍,起火点位于商场三楼,浓烟从窗户冒出,附近道路一度拥堵。交警在周边路口疏导交通。"
)
SAME_TOPIC = (
    "11月21日,衡阳市消防救援支队在雁峰区开展冬季消防安全检查,重点检查商场、市场和高层住宅。"
    "检查组发现并督促整改火灾隐患二十余处,并向商户发放宣传资料。支队负责人表示,将持续开展隐患排查整治,"
    "确保全市火灾形势平稳。市民发现火灾隐患可拨打96119举报。"
)


def _seed_stories() -> list[tuple[str, int, str]]:
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not present at {SEEDS}")
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = normalise(decode(path.read_bytes()))
        out.extend((path.name[:3], i, s.text) for i, s in enumerate(split_stories(text)))
    return out


def test_seed_pages_are_split_into_their_stories() -> None:
    stories = _seed_stories()
    per_doc = {doc: sum(1 for d, *_ in stories if d == doc) for doc, *_ in stories}
    assert per_doc["000"] == 8  # the article and seven unrelated news items
    assert per_doc["001"] == 1
    assert per_doc["004"] == 2  # the Changsha article and the Zhuzhou one after it


def test_seeds_group_the_two_versions_and_keep_everything_else_apart() -> None:
    stories = _seed_stories()
    labels = group_texts([text for *_, text in stories])
    by_story = {(doc, i): label for (doc, i, _), label in zip(stories, labels, strict=True)}
    assert by_story[("000", 0)] == by_story[("001", 0)]
    others = [label for key, label in by_story.items() if key not in {("000", 0), ("001", 0)}]
    assert len(set(others)) == len(others)
    assert by_story[("000", 0)] not in others


def test_whole_seed_pages_are_far_apart_but_the_edited_version_is_contained() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not present at {SEEDS}")
    a, b = (
        shingle_array(normalise(decode(next(SEEDS.glob(f"{n}_*.txt")).read_bytes())))
        for n in ("000", "001")
    )
    s = similarity(a, b)
    assert s.jaccard < 0.4
    assert s.containment > 0.95


def test_reposts_excerpts_and_rewrites_join_but_same_topic_reports_do_not() -> None:
    sentences = ARTICLE.split("。")
    repost = "//@衡阳身边事:太吓人了,大家注意安全 " + ARTICLE
    excerpt = "。".join(sentences[:2]) + "。"
    reordered = "。".join(sentences[2:4] + sentences[:2]) + "。"
    edited = (
        ARTICLE.replace("迅速", "很快").replace("一个多小时", "近两个小时").replace("三楼", "四楼")
    )
    labels = group_texts([ARTICLE, repost, excerpt, reordered, edited, SAME_TOPIC])
    assert labels[:5] == [0, 0, 0, 0, 0]
    assert labels[5] == 5


def test_vectorised_minhash_matches_one_text_at_a_time() -> None:
    texts = [ARTICLE, SAME_TOPIC, "", "短", ARTICLE[:50]]
    shingles, offsets = batch_shingles(texts)
    together = minhash_batch(shingles, offsets)
    for i, text in enumerate(texts):
        alone = minhash_batch(*batch_shingles([text]))
        assert np.array_equal(together[i], alone[0])
    assert np.array_equal(np.unique(batch_shingles([ARTICLE])[0]), shingle_array(ARTICLE))


def test_short_boilerplate_reposts_do_not_chain_different_stories() -> None:
    labels = group_texts(["转发微博", "转发微博", "蒸湘区火灾现场浓烟滚滚", "长沙岳麓区发生车祸"])
    assert labels[2] != labels[3]

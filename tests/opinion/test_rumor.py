"""The rumour score: trained, saved, loaded, and shown on posts and events when configured."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.conftest import START, login_as
from yanyun.cli.main import app as cli
from yanyun.opinion.analysis import Analyzer
from yanyun.opinion.models import OpinionEvent, Post
from yanyun.opinion.rumor import RumorModel, train

RUMOURS = [
    "紧急扩散!网传{p}有人抢孩子,已经丢了三个小孩,大家转起来!",
    "听说{p}水库里发现尸体,朋友说是被人杀的,求扩散!!",
    "内部消息:{p}明天要停水停电三天,赶紧转告家人!",
    "震惊!{p}超市的鱼被下了药,吃了会致癌,千万别买,速转!",
]
FACTS = [
    "{p}派出所民警今天走进社区开展防诈骗宣传,发放资料两百余份。",
    "警方通报:{p}一起交通事故已处理完毕,伤者已送医,无生命危险。",
    "{p}公安分局召开夏季治安巡防动员会,部署重点区域巡逻。",
    "据记者了解,{p}新建的警务室本周投入使用,方便群众办事。",
]
PLACES = ["蒸湘区", "雁峰区", "石鼓区", "珠晖区", "南岳区", "衡南县", "耒阳市", "祁东县"]


@pytest.fixture(scope="module")
def words():
    return Analyzer().segment


def _data():
    texts, labels = [], []
    for p in PLACES:
        texts += [t.format(p=p) for t in RUMOURS] + [t.format(p=p) for t in FACTS]
        labels += [1] * len(RUMOURS) + [0] * len(FACTS)
    return texts, labels


def test_trained_score_separates_rumour_style_from_police_notices(words, tmp_path) -> None:
    texts, labels = _data()
    model = train(texts[:48], labels[:48], words, epochs=150)
    scores = model.score_many(texts[48:], words)
    y = np.array(labels[48:])
    assert scores[y == 1].min() > scores[y == 0].max()
    path = tmp_path / "model.json"
    model.save(path)
    again = RumorModel.load(path)
    assert np.allclose(again.score_many(texts[48:], words), scores, atol=1e-4)


def test_cli_trains_and_the_service_scores_posts(client, session, settings, tmp_path) -> None:
    texts, labels = _data()
    csv_path = tmp_path / "labelled.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label_rumor"])
        writer.writerows(zip(texts, labels, strict=True))
    model_path = tmp_path / "rumor.json"
    result = CliRunner().invoke(
        cli, ["opinion", "train-rumor", str(csv_path), "--out", str(model_path)]
    )
    assert result.exit_code == 0, result.output
    settings.opinion.rumor_model_path = Path(model_path)
    login = login_as(client, "opinion")
    body = client.post(
        "/api/v1/opinion/posts",
        headers=login.headers,
        json={
            "posts": [
                {
                    "source": "weibo",
                    "text": "紧急扩散!网传衡阳东站有人抢孩子,已经丢了两个小孩,大家转起来!",
                    "published_at": START.isoformat(),
                }
            ]
        },
    ).json()
    post = session.scalars(select(Post)).one()
    assert post.rumor_score is not None and post.rumor_score > 0.5
    event = session.get(OpinionEvent, body["events"][0])
    assert event.rumor_score == post.rumor_score


# ---------------------------------------------------------------- the whole story

CLAIMS = [
    "{p}某小区附近发生一起事件,现场围了很多人,具体情况不明。",
    "{p}一家超市门口今天下午出现状况,有人拍了视频。",
    "{p}车站附近有消息说出事了,大家注意安全。",
]
DOUBTING = ["假的吧,官方已经辟谣了", "谣言,别信", "真的假的?求证", "造谣的吧"]
CONFIRMING = ["我就在现场,确实如此", "刚路过看到了", "新闻也报了", "我朋友也在那边看到"]


def _story_data():
    """Posts that read alike; only the replies tell rumours from the rest."""
    texts, labels, replies = [], [], []
    for n, p in enumerate(PLACES * 2):
        for k, claim in enumerate(CLAIMS):
            rumour = (n + k) % 2
            texts.append(claim.format(p=p))
            labels.append(rumour)
            pool = DOUBTING if rumour else CONFIRMING
            replies.append([pool[(n + j) % len(pool)] for j in range(12)])
    return texts, labels, replies


def test_a_repost_counts_only_its_own_words() -> None:
    from yanyun.opinion.rumor import own_words

    assert own_words("假的吧 //转发微博: 紧急扩散!网传有人抢孩子") == "假的吧"
    assert own_words("别信//@某人: 原文") == "别信"
    assert own_words("没有转发的评论") == "没有转发的评论"


def test_the_story_score_reads_the_replies_as_they_arrive(words, tmp_path) -> None:
    from yanyun.opinion.rumor import STORY_SIZES, story_score

    texts, labels, replies = _story_data()
    model = train(texts, labels, words, replies=replies, story_sizes=STORY_SIZES, epochs=150)
    assert model.replies_k == max(STORY_SIZES)
    post = "衡山县汽车站附近有消息说出事了,大家注意安全。"
    doubted = [story_score(model, post, DOUBTING[: k % 4 + 1] * 3, words) for k in range(4)]
    confirmed = [story_score(model, post, CONFIRMING[: k % 4 + 1] * 3, words) for k in range(4)]
    assert min(doubted) > 0.5 > max(confirmed)
    alone = story_score(model, post, [], words)
    assert story_score(model, post, ["谣言,别信"] * 10, words) > alone
    path = tmp_path / "story.json"
    model.save(path)
    assert RumorModel.load(path).replies_k == model.replies_k
    # A post-only model ignores the replies: the score is the first post's.
    flat = train(texts, labels, words, epochs=150)
    assert flat.replies_k == 0
    assert story_score(flat, post, DOUBTING, words) == pytest.approx(
        float(flat.score_many([post], words)[0])
    )


def test_the_event_score_grows_with_its_reposts(client, session, settings, tmp_path) -> None:
    texts, labels, replies = _story_data()
    labelled = tmp_path / "labelled.csv"
    reply_rows = tmp_path / "replies.csv"
    with (
        labelled.open("w", encoding="utf-8", newline="") as f,
        reply_rows.open("w", encoding="utf-8", newline="") as g,
    ):
        posts_csv, replies_csv = csv.writer(f), csv.writer(g)
        posts_csv.writerow(["post_id", "text", "label_rumor"])
        replies_csv.writerow(["post_id", "time", "text"])
        for n, (text, label, said) in enumerate(zip(texts, labels, replies, strict=True)):
            posts_csv.writerow([f"p{n}", text, label])
            for j, words_said in enumerate(said):
                replies_csv.writerow([f"p{n}", f"2026-01-01T00:{j:02d}:00", words_said])
    model_path = tmp_path / "story.json"
    result = CliRunner().invoke(
        cli,
        [
            "opinion",
            "train-rumor",
            str(labelled),
            "--out",
            str(model_path),
            "--replies",
            str(reply_rows),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "story score" in result.output
    settings.opinion.rumor_model_path = Path(model_path)
    login = login_as(client, "opinion")
    original = "雁峰区先锋路附近有人打架,有人受伤了,现场围了很多人,大家注意安全。"

    def deliver(text: str, minutes: int, ext: str) -> str:
        body = client.post(
            "/api/v1/opinion/posts",
            headers=login.headers,
            json={
                "posts": [
                    {
                        "source": "weibo",
                        "external_id": ext,
                        "text": text,
                        "published_at": (START + timedelta(minutes=minutes)).isoformat(),
                    }
                ]
            },
        ).json()
        return body["events"][0]

    event_id = deliver(original, 0, "first")
    before = session.get(OpinionEvent, event_id).rumor_score
    assert before is not None
    for j, doubt in enumerate(DOUBTING * 2):
        assert deliver(f"{doubt} //转发微博: {original}", j + 1, f"r{j}") == event_id
    session.expire_all()
    event = session.get(OpinionEvent, event_id)
    assert event.rumor_score is not None
    assert event.rumor_score > 0.8 and event.rumor_score > before + 0.2
    first = session.scalars(select(Post).where(Post.external_id == "first")).one()
    assert first.rumor_score == before  # each post keeps its own score; the event reads the story


# ---------------------------------------------------------------- where it flags


def test_the_best_threshold_is_the_f1_best_cut_of_the_scores() -> None:
    from yanyun.opinion.rumor import best_threshold

    scores = np.array([0.05, 0.1, 0.2, 0.3, 0.4, 0.9])
    assert best_threshold(scores, np.array([0, 0, 1, 1, 1, 1])) == pytest.approx(0.2)
    assert best_threshold(scores, np.array([0, 0, 0, 0, 0, 1])) == pytest.approx(0.9)


def test_the_flag_point_is_chosen_on_the_newest_posts(words) -> None:
    import math

    from yanyun.opinion.rumor import best_threshold

    texts, labels = _data()
    raw = train(texts, labels, words, calibrate=0, epochs=150)
    chosen = train(texts, labels, words, calibrate=0.25, epochs=150)
    # the same weights; only where 0.5 lies moved, to the threshold the older three
    # quarters' model does best at on the newest quarter
    assert np.allclose(raw.weights, chosen.weights)
    early = train(texts[:48], labels[:48], words, calibrate=0, epochs=150)
    t = best_threshold(early.score_many(texts[48:], words), np.array(labels[48:]))
    assert t != 0.5
    assert chosen.bias == pytest.approx(raw.bias - math.log(t / (1 - t)))
    # too few posts to choose: 0.5 stays where the fit put it
    few = train(texts[:32], labels[:32], words, epochs=150)
    assert few.bias == pytest.approx(train(texts[:32], labels[:32], words, calibrate=0,
                                           epochs=150).bias)

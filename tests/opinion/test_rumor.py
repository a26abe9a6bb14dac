"""The rumour score: trained, saved, loaded, and shown on posts and events when configured."""

from __future__ import annotations

import csv
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

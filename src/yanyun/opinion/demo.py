"""Demo posts: two days of public talk about the demo city, so the opinion page
opens on live events instead of an empty list.

The posts are invented from a handful of situations a bureau's opinion desk
sees every week (a crash, smoke from a building, a scam wave, a rumour about
child snatchers, late-night noise, bicycle thefts, an officer praised),
placed at real Hengyang landmarks. Each situation starts with one original
post; others repost it with a comment (Weibo's "//" chain), so the grouping
finds them the way it finds real reposts, and a local news brief quotes it.
Handles are invented and stored hashed like any other. They go in through
the same ingest as real posts, once, on a database without posts.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import timedelta
from importlib.resources import files
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.core.clock import Clock
from yanyun.core.config import CoreSettings as Settings
from yanyun.opinion import service
from yanyun.opinion.analysis import Analyzer
from yanyun.opinion.models import OpinionEvent, Post
from yanyun.opinion.schemas import PostCreate

#: (original post, reposter comments, news brief, its headline) per situation;
#: {place} is a landmark.
SITUATIONS: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    (
        "刚路过{place}附近路口，一辆小车和电动车撞了，骑车的大哥倒在地上起不来，"
        "已经有人打了120和110，后面堵了很长一段，大家绕行。",
        ("希望人没事", "那个路口早该装红绿灯了", "交警已经到了", "绕行绕行"),
        "本报讯 今天，{place}附近路口发生一起小车与电动车相撞的交通事故，"
        "一名骑车人受伤送医，交警正在调查事故原因。",
        "{place}附近路口小车与电动车相撞 一人受伤",
    ),
    (
        "{place}旁边一栋居民楼冒黑烟了，楼上好像还有人在喊，消防车刚开过去，"
        "附近的朋友注意安全，不要围观。",
        ("吓死了", "好大的烟", "消防来得挺快", "不要围观给救援让路"),
        "本报讯 {place}旁一栋居民楼发生火情，消防救援人员及时赶到扑救，"
        "楼内居民已疏散，起火原因正在调查。",
        "{place}旁居民楼发生火情 居民已疏散",
    ),
    (
        "紧急扩散！网传{place}附近有人贩子开面包车抢小孩，已经抢走两个了，"
        "有孩子的家长一定要看好，转发就是救命！",
        ("真的假的", "有没有官方消息", "别乱传吧", "吓得我赶紧去接孩子"),
        "网传{place}附近有人贩子抢小孩，记者向属地派出所求证，"
        "警方表示目前未接到相关报警，请市民不信谣不传谣。",
        "网传{place}有人贩子抢小孩？警方：未接到相关报警",
    ),
    (
        "我妈在{place}附近接到自称医保局的电话，说医保卡被冻结要转钱解冻，"
        "差点就转了，小区里好几个老人都接到过，大家提醒家里老人。",
        ("我家也接到过", "骗子太可恶", "医保局不会打这种电话", "已转给家里人看"),
        "近期{place}一带多名老人接到冒充医保工作人员的诈骗电话，"
        "警方提醒：凡是要求转账解冻的都是诈骗，可拨打96110咨询。",
        "冒充医保局诈骗电话盯上{place}一带老人",
    ),
    (
        "{place}边上的烧烤摊每天闹到凌晨两三点，喝酒划拳吵得整栋楼睡不着，"
        "打了好几次电话都没人管，还让不让人休息了。",
        ("同一栋楼的路过", "夏天天天这样", "支持楼主", "希望有关部门管一管"),
        "市民反映{place}附近夜宵摊凌晨噪音扰民，记者了解到，"
        "属地派出所已会同城管上门劝导，并将持续巡查。",
        "{place}夜宵摊凌晨扰民 派出所会同城管劝导",
    ),
    (
        "{place}停车棚这个星期已经丢了三辆电动车了，监控好像是坏的，"
        "有没有人看到一个穿灰衣服的男的，大家车都锁好。",
        ("我的也丢了", "加装一把锁吧", "报警了没", "物业要负责"),
        "{place}停车棚近日接连发生电动车被盗，派出所已立案侦查，"
        "提醒车主加装防盗锁、尽量停放在有监控的地方。",
        "{place}停车棚接连丢失电动车 警方已立案",
    ),
    (
        "今天在{place}看到一位民警蹲着帮走失的老奶奶联系家人，陪了快一个小时，"
        "最后家里人来接走了，真的很暖心，给衡阳警察点赞！",
        ("点赞", "这才是人民警察", "暖心", "衡阳警察好样的"),
        "今天，{place}附近一名走失老人在民警帮助下与家人团聚，"
        "家属专程致谢。",
        "走失老人在{place}附近获民警帮助与家人团聚",
    ),
)

SOURCES = ("weibo", "douyin", "toutiao")


@dataclass(frozen=True)
class DemoPosts:
    posts: int
    events: int


def build_demo(
    *,
    session: Session,
    clock: Clock,
    settings: Settings,
    analyzer: Analyzer,
    seed: int,
    situations: int = len(SITUATIONS),
) -> DemoPosts:
    """Ingest two days of invented posts about the demo city if there are no posts yet."""
    if session.scalar(select(func.count()).select_from(Post)):
        return DemoPosts(posts=0, events=0)
    rng = random.Random(seed)
    landmarks = json.loads(
        (files("yanyun.data") / "landmarks" / "hengyang.json").read_text(encoding="utf-8")
    )["landmarks"]
    now = clock.now()
    posts: list[PostCreate] = []
    for n in range(situations):
        original, comments, brief, headline = SITUATIONS[n % len(SITUATIONS)]
        place = rng.choice(landmarks)["name"]
        started = now - timedelta(hours=rng.uniform(0.5, 44.0))
        text = original.format(place=place)
        posts.append(_post(f"demo-{n}-0", started, text, rng, reach=rng.randint(50, 3000)))
        # Reposts come in a burst that thins out: a few in the first minutes, a tail after.
        for k in range(1, rng.randint(4, 40)):
            at = started + timedelta(minutes=rng.expovariate(1 / 50.0))
            if at >= now:
                continue
            comment = rng.choice(comments)
            posts.append(_post(f"demo-{n}-{k}", at, f"{comment} //转发 {text}", rng))
        if rng.random() < 0.6:
            at = started + timedelta(hours=rng.uniform(1.0, 4.0))
            if at < now:
                posts.append(
                    _post(f"demo-{n}-news", at, brief.format(place=place), rng,
                          source="news", title=headline.format(place=place))
                )
    posts.sort(key=lambda p: p.published_at)
    accepted = 0
    for chunk in service.iter_chunks(posts, settings.opinion.max_batch):
        result = service.ingest_posts(
            session=session, clock=clock, settings=settings, analyzer=analyzer, posts=chunk
        )
        accepted += result.accepted
    events = session.scalar(select(func.count()).select_from(OpinionEvent))
    return DemoPosts(posts=accepted, events=int(events or 0))


def _post(
    external_id: str,
    at,
    text: str,
    rng: random.Random,
    *,
    reach: int | None = None,
    source: str | None = None,
    title: str | None = None,
) -> PostCreate:
    return PostCreate(
        source=source or rng.choice(SOURCES),
        external_id=external_id,
        published_at=at,
        title=title,
        text=text,
        author=f"demo-user-{rng.randint(1, 5000)}",
        reposts=reach if reach is not None else int(rng.paretovariate(1.5)) - 1,
        comments=rng.randint(0, 40),
        likes=rng.randint(0, 200),
    )


def build_demo_step(runtime: Any, options: Any) -> str | None:
    """Two days of invented posts grouped into events, when the demo starts with a past."""
    from yanyun.core.db import session_scope
    from yanyun.geo import service as geo_service
    from yanyun.opinion.analysis import shared_analyzer

    if not options.history_days:
        return None
    settings = runtime.settings
    with session_scope(runtime, actor_username="system") as session:
        index = geo_service.city_index(runtime=runtime, session=session)
        analyzer = shared_analyzer(settings.opinion.city).with_locator(index)
        report = build_demo(
            session=session, clock=runtime.clock, settings=settings, analyzer=analyzer,
            seed=settings.city.seed,
        )
    if not report.posts:
        return None
    return f"opinion 舆情: {report.posts} demo posts in {report.events} events ({{s}} s)"

"""Category and priority from the words of a narrative.

The category and sub-category come from the weighted lexicon of the
catalogue; the priority is the sub-category's default, raised by words such
as 持刀, 流血, 昏迷, 被困, 正在, 孩子, lowered for an incident many hours old.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from yanyun.command.catalogue import Catalogue, SubCategory
from yanyun.command.intake.suggestions import (
    CategorySuggestion,
    PrioritySuggestion,
    TimeSuggestion,
)
from yanyun.command.intake.text import _aligned, _negated, _Text


@dataclass(frozen=True)
class _Escalator:
    words: tuple[str, ...]
    cap: int | None  # priority becomes at most this
    step: int  # and then moves this many levels (negative = more urgent)
    reason_zh: str


_ESCALATORS: tuple[_Escalator, ...] = (
    _Escalator(
        (
            "持刀",
            "拿刀",
            "拿着刀",
            "砍刀",
            "菜刀",
            "管制刀具",
            "刀",
            "枪",
            "棍子",
            "棍棒",
            "啤酒瓶",
            "持械",
        ),
        1,
        0,
        "持械",
    ),
    _Escalator(("流血", "出血", "血流", "血", "重伤", "断了", "烧伤", "砸破"), 1, 0, "有人流血"),
    _Escalator(("撞了人", "撞到人", "撞倒", "被撞", "撞伤"), 1, 0, "有人被撞"),
    _Escalator(
        (
            "抽搐",
            "口吐白沫",
            "吐白沫",
            "白沫",
            "叫不应",
            "晕过去",
            "呼吸很急",
            "呼吸困难",
            "昏迷",
            "叫不醒",
            "不省人事",
            "不动了",
            "没有呼吸",
            "没呼吸",
            "没气了",
            "没反应",
            "快不行",
        ),
        1,
        0,
        "生命危险",
    ),
    _Escalator(("着火", "起火", "火很大", "爆炸", "浓烟"), 1, 0, "火情"),
    _Escalator(
        ("沉下去", "往下沉", "扑腾", "被水冲走", "掉水里", "落水", "溺水"), 1, 0, "落水"
    ),
    _Escalator(("要跳", "跳楼", "割腕", "喝农药", "喝了农药", "吃了安眠药"), 1, 0, "轻生"),
    _Escalator(("被困", "困在", "困住", "出不来", "卡在", "夹住"), 2, 0, "人员被困"),
    _Escalator(("受伤", "摔伤", "骨折", "腿伤", "头破"), 2, 0, "有人受伤"),
    _Escalator(("动手", "动了手", "打起来", "打人", "打架", "扭打"), 2, 0, "肢体冲突"),
    _Escalator(("一群人", "一伙人", "十几个人", "几十个人", "好多人", "一帮人"), 2, 0, "人员聚集"),
    _Escalator(("正在", "还在", "快来", "快点来", "赶紧", "救命"), None, -1, "正在发生"),
    _Escalator(("孩子", "小孩", "儿童", "婴儿", "小朋友", "孕妇", "老人"), None, -1, "涉及老幼"),
    _Escalator(("举报", "线索", "听说", "据说"), None, 1, "举报线索，非现场"),
)


@dataclass(frozen=True)
class _Context:
    """A pattern of several words that decides what a call is better than any one word.

    Every regex in ``all_of`` must match somewhere (not right after a negation)
    and none of ``none_of``; then ``sub_code`` gains ``weight`` and the
    sub-categories in ``instead_of`` lose what their words scored.
    """

    name: str
    all_of: tuple[re.Pattern[str], ...]
    sub_code: str
    weight: float
    instead_of: tuple[str, ...] = ()
    none_of: tuple[re.Pattern[str], ...] = ()


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_BELONGINGS = (
    "钱包|现金|钱|手机|电脑|笔记本|平板|包|电动车|自行车|摩托车|电瓶|项链|首饰|金|手表|行李|箱子|卡"
)
_PEOPLE_SAID = (
    "同学|亲戚|表哥|表姐|表弟|表妹|老师|领导|朋友|儿子|女儿|孙子|老板|客服|警察|民警|公安|"
    "快递|医生|爸爸|妈妈|舅舅|叔叔|战友|老乡"
)
_MONEY_ASKED = r"转账|转了|转到|转走|打钱|打.{0,6}钱|汇款|汇了|交.{0,4}费|借钱|屏幕共享|共享屏幕"
_VEHICLE = r"车|高速|国道|省道|摩托|电动车|拖拉机|三轮"
_CASUALTY = (
    r"被困|困在|夹住|夹着|受伤|流血|流了血|血|断了|骨折|起不来|还在车里|躺在地上|撞了人|撞到人|"
    r"昏迷|不省人事"
)
_HIT_AND_RUN = _re(r"撞[^。]{0,20}?(跑了|逃了|开跑|跑掉|逃逸|溜了|逃离)")
_CONTEXTS: tuple[_Context, ...] = (
    # 钱包/电脑/电动车 不见了: belongings gone are a theft, not a missing person.
    _Context(
        "财物不见",
        (_re(rf"({_BELONGINGS})[^，。,;；!！?？]{{0,12}}?(不见了|没有了|没了)"),),
        "1002",
        3.0,
        ("7001",),
    ),
    # 拿刀逼着…抢走/拿出来: force to take property is robbery, not only a weapon.
    _Context(
        "胁迫取财",
        (_re(r"(逼|抵着|顶着|架着|威胁)[^。]{0,16}?(抢|拿出来|交出来|给他|给钱|要钱)"),),
        "1001",
        4.0,
        ("2007",),
    ),
    # 冒充/说是 同学、亲戚… and a request for money: fraud, whatever story is told.
    _Context(
        "冒充要钱",
        (
            _re(rf"(冒充|自称|假装|假扮|说(他|她|自己)?是)[^。]{{0,16}}?({_PEOPLE_SAID})"),
            _re(_MONEY_ASKED),
        ),
        "1003",
        4.0,
        ("7001", "3001", "6006", "2001", "7004"),
    ),
    _Context(
        "诱导操作",
        (_re(r"(让|叫|要)我[^。]{0,10}?(转|打钱|汇|下载|开屏幕|共享|点链接|输验证码)"),),
        "1003",
        2.5,
        ("7004",),
    ),
    # 撞了就跑: hit and run, whoever was hurt.
    _Context("撞了就跑", (_HIT_AND_RUN,), "3003", 4.0, ("3001", "3002")),
    # A vehicle crash with someone trapped or hurt is a traffic accident first.
    _Context(
        "车祸伤人",
        (
            _re(_VEHICLE),
            _re(r"侧翻|翻车|翻了|翻到|追尾|撞|摔了|相撞"),
            _re(_CASUALTY),
        ),
        "3001",
        4.0,
        ("5002", "7002", "3002"),
        (_HIT_AND_RUN,),
    ),
    # Noise from a building site is noise, unless someone fell or was hit.
    _Context(
        "工地噪音",
        (_re(r"工地"), _re(r"吵|噪音|噪声|打桩|轰隆|响|扰|睡不着|没法休息|开工")),
        "2005",
        4.0,
        ("5006",),
        (_re(r"摔|坠|砸中|触电|受伤|血|被埋|倒塌|塌"),),
    ),
    # A pile of rubbish or grass that caught fire outdoors.
    _Context(
        "露天起火",
        (_re(r"(一堆|垃圾|杂草|草堆|稻草|荒草|树叶)[^。]{0,8}?(烧起来|着火|起火|在烧)"),),
        "4004",
        4.0,
    ),
    # A gas leak that caught fire is a fire.
    _Context(
        "漏气起火",
        (_re(r"(漏气|泄漏)[^。]{0,6}?(着火|起火|烧起来)"),),
        "4001",
        3.0,
        ("5005",),
    ),
    _Context("砸车", (_re(r"砸[^。]{0,6}?车"),), "2006", 2.0),
    # 撬门进来偷: a break-in is a burglary, whatever was taken ("不见了" included).
    _Context(
        "入室",
        (_re(r"撬(开|了)?(门|锁|窗|防盗门)|(门|锁|窗)[^。，,]{0,2}?被?撬|翻窗|爬窗|进了贼|进贼|"
             r"入室|进屋偷|进来偷|家里被偷|家被偷|家里遭贼"),),
        "1006",
        4.0,
        ("1002",),
        (_re(r"车门|车锁|车窗|车里"),),
    ),
    # 一身酒气…又上车开走了: someone drunk at the wheel.
    _Context(
        "酒后开车",
        (
            _re(r"酒气|喝醉|醉醺醺|喝了酒|喝多了|喝了不少|酒味"),
            _re(r"开车|开走|上车|驾驶|开得|司机|方向盘|开着车"),
        ),
        "3005",
        4.0,
        ("2002", "7002"),
    ),
    # 喝醉的人在骂人摔东西: drunk and making trouble is disorder, not someone to look after.
    _Context(
        "醉酒闹事",
        (
            _re(r"醉|喝多了|酒疯"),
            _re(r"骂人|闹事|摔东西|砸东西|砸|打人|掀|耍酒疯|发酒疯|撒酒疯|吵闹|找茬|挑衅|"
                r"大喊大叫|乱喊|乱叫|踢门|砸门|敲门"),
        ),
        "2002",
        3.0,
        ("7002",),
    ),
    # Water in the streets with people cut off is a flood call first.
    _Context(
        "水淹被困",
        (_re(r"水淹|淹到|淹了|涨水|内涝|积水|洪水|发大水|水漫|进水了"),),
        "5004",
        3.0,
        ("5002",),
    ),
    # 掉到水塘里 / 鱼塘边上有小孩掉下去了: fell into water.
    _Context(
        "掉进水里",
        (_re(r"(掉|落|摔|滑)[到进下]?[了去]?[^，。,]{0,3}?(水塘|池塘|鱼塘|河|江|湖|水库|水沟|水渠|塘|水里)|"
             r"(水塘|池塘|鱼塘|河|江|湖|水库|水沟|水渠|塘)[^。，,]{0,8}?(掉下去|掉进去|掉下水|掉了下去|"
             r"落水|滑下去)"),),
        "5001",
        4.0,
        ("7001",),
    ),
    # 撬车门 / 砸车窗 to take what is inside: a theft from a car.
    _Context(
        "车内盗窃",
        (_re(r"撬[^。，,]{0,2}?车|砸[^。，,]{0,2}?车窗|车窗[^。，,]{0,3}?被砸"),),
        "1002",
        3.0,
        ("2006",),
    ),
    # 手机抢了就跑 with no force or weapon: a snatch (抢夺), not a robbery.
    _Context(
        "抢了就跑",
        (_re(r"(抢了|抢走|夺走|扯走|拽走|一把抢|抢过去)[^。]{0,6}?(就跑|跑了|跑掉|逃了|溜了)"),),
        "1005",
        3.0,
        ("1001",),
        (_re(r"刀|逼|威胁|按住|按在|打了我|打我|掐|捂住|勒|抵着|顶着"),),
    ),
    # 狗把孙子咬伤了: an animal that hurt someone, whoever owns it.
    _Context(
        "动物伤人",
        (_re(r"(狗|猫|蛇|马蜂|蜂|牛|猴)[^。，,]{0,8}?(咬|抓伤|蛰|顶伤|追着)"),),
        "7006",
        4.0,
        ("6002", "1004"),
    ),
    # 醉汉躺着不动，叫不醒: someone drunk who needs help.
    _Context(
        "醉倒",
        (_re(r"醉|喝多了"), _re(r"躺|叫不醒|叫不应|不动|倒在|睡在|昏")),
        "7002",
        3.0,
    ),
    # 我想报失踪: a person reported missing, whatever the quarrel before.
    _Context(
        "报失踪",
        (_re(r"报失踪|失踪了|人失踪|走失了|找不到人了|一直联系不上|一直没回家|到现在还没回"),),
        "7001",
        3.0,
        ("6001",),
    ),
    # 拿着菜刀追砍他老婆: someone attacked with a blade is an assault, not only a weapon.
    _Context(
        "持刀伤人",
        (_re(r"追砍|追着砍|砍人|砍伤|砍了|捅人|捅伤|捅了|刺伤|刺了"),),
        "1004",
        4.0,
        ("2007", "2001"),
    ),
    # 工资不给: unpaid wages are a labour dispute, even on a building site.
    _Context(
        "欠薪",
        (_re(r"(工资|工钱|血汗钱)[^。]{0,8}?(不给|不发|没发|没给|拖欠|欠着|不结|要不到)|"
             r"(拖欠|欠)[^。]{0,6}?(工资|工钱)"),),
        "6003",
        4.0,
        ("5006",),
    ),
    # 站在楼顶边上说要跳下去.
    _Context(
        "要跳",
        (_re(r"要跳|跳下去|往下跳|想跳|准备跳"),),
        "7005",
        4.0,
    ),
    # 墙倒了压到人: a wall or house that fell, not a traffic accident.
    _Context(
        "房屋倒塌",
        (_re(r"(墙|房子|房屋|土房|楼|屋|棚|围墙)[^。，,]{0,6}?(倒了|塌了|倒塌|垮了|塌下来|倒下来|倒下)"),),
        "5003",
        4.0,
        ("3001", "5006"),
    ),
    # 车头着火: a vehicle on fire, not a building.
    _Context(
        "车辆起火",
        (_re(r"(车|车头|发动机|车子|引擎|货车|轿车)[^。]{0,12}?(冒烟|着火|起火|烧起来|冒火)"),),
        "4002",
        4.0,
        ("4001",),
        (_re(r"居民楼|房子|楼里|家里|店里|车库|仓库|厂房|屋里"),),
    ),
)
# Sub-categories a word alone must not decide: each needs its evidence somewhere in the
# call (工地 with no one hurt is no accident at work; 压到 with no vehicle is no crash).
_EVIDENCE: dict[str, re.Pattern[str]] = {
    "5006": _re(r"摔|坠|砸|触电|受伤|血|被埋|埋了|倒塌|塌|爆炸|夹|卷进|压|伤|昏|晕|死|事故|出事"),
    "3001": _re(_VEHICLE + r"|路口|马路|公路"),
}
# Fire calls: what is said about the fire sets the priority, not the word 着火 alone.
_FIRE_OUT = _re(r"(灭了|扑灭|盖灭|浇灭|灭掉|扑灭了|已经灭)")
_FIRE_PEOPLE = _re(r"(里面[^。]{0,4}有人|还有人|被困|烧伤|居民楼|住人|蔓延|烧到房子|烧到屋)")
_FIRE_OPEN = _re(r"(旁边没有房子|周围没有房子|空地|荒地|野外|河边|路边|边上)")
_FIRE_LOOSE = _re(r"(烧起来|着火|起火|火很大)")
# An injury the caller calls slight lowers the priority one level.
_SLIGHT = _re(r"(擦破点皮|擦破皮|轻伤|轻微|没什么大碍|没大碍|没什么大事|没大事|小伤)")
# Sub-categories whose calls are ongoing by nature: 正在/还在 does not make them urgent.
_NO_RUSH = frozenset({"2005", "3004", "9001", "7003", "7004"})


def _first_said(pattern: re.Pattern[str], norm: str) -> re.Match[str] | None:
    """The first match of ``pattern`` not right after a negation (没人受伤 is not an injury)."""
    for m in pattern.finditer(norm):
        if not _negated(norm, m.start()):
            return m
    return None


def _apply_contexts(
    norm: str, scores: dict[str, float], words: dict[str, list[tuple[int, int]]]
) -> None:
    for rule in _CONTEXTS:
        found = [_first_said(p, norm) for p in rule.all_of]
        if any(m is None for m in found):
            continue
        if any(_first_said(p, norm) for p in rule.none_of):
            continue
        for code in rule.instead_of:
            scores.pop(code, None)
            words.pop(code, None)
        scores[rule.sub_code] = scores.get(rule.sub_code, 0.0) + rule.weight
        spans = words.setdefault(rule.sub_code, [])
        spans.extend((m.start(), m.end()) for m in found if m is not None)
    for code, evidence in _EVIDENCE.items():
        if code in scores and _first_said(evidence, norm) is None:
            scores.pop(code)
            words.pop(code, None)


# Categories where a fresh call (the suspect may still be near) is more urgent,
# and an old one (the offence is over) less, though never "no urgency".
_FRESH_CATEGORIES = ("10", "20", "30")
_STALE_CATEGORIES = ("10", "20", "30", "60")
_CALM_FLOOR = 3
_FRESH = timedelta(minutes=30)
_STALE = timedelta(hours=6)


def _scan(
    norm: str, lexicon: Mapping[str, Any], max_len: int, bounds: frozenset[int]
) -> list[tuple[int, int, str]]:
    """Leftmost-longest lexicon words in ``norm``, skipping negated and split ones."""
    found = []
    i = 0
    n = len(norm)
    while i < n:
        for length in range(min(max_len, n - i), 0, -1):
            word = norm[i : i + length]
            if word in lexicon and (length > 1 or _aligned(bounds, i, i + 1)):
                if not _negated(norm, i):
                    found.append((i, i + length, word))
                i += length
                break
        else:
            i += 1
    return found


def _classify(
    catalogue: Catalogue,
    keywords: Mapping[str, list[tuple[SubCategory, float]]],
    max_keyword: int,
    doc: _Text,
    bounds: frozenset[int],
) -> tuple[CategorySuggestion | None, SubCategory | None]:
    hits = _scan(doc.norm, keywords, max_keyword, bounds)
    scores: dict[str, float] = {}
    words: dict[str, list[tuple[int, int]]] = {}
    order: dict[str, int] = {s.code: k for k, s in enumerate(catalogue.subcategories())}
    for start, end, word in hits:
        for sub, weight in keywords[word]:
            scores[sub.code] = scores.get(sub.code, 0.0) + weight
            words.setdefault(sub.code, []).append((start, end))
    _apply_contexts(doc.norm, scores, words)
    if not scores:
        return None, None
    ranked = sorted(scores, key=lambda c: (-scores[c], -len(words[c]), order[c]))
    top = ranked[0]
    runner_up = scores[ranked[1]] if len(ranked) > 1 else 0.0
    confidence = scores[top] / (scores[top] + runner_up + 1.5)
    sub = catalogue.subcategory(top)
    category = catalogue.category_of(top)
    source = "、".join(dict.fromkeys(doc.source(s, e) for s, e in sorted(words[top])))
    return CategorySuggestion(
        category_code=category.code,
        sub_code=sub.code,
        confidence=round(min(confidence, 0.95), 2),
        source=source,
    ), sub


@dataclass
class _Grading:
    """A priority being argued: each step up or down names its reason and its words."""

    priority: int
    reasons: list[str]
    sources: list[str] = field(default_factory=list)
    stepped: set[str] = field(default_factory=set)
    capped: set[str] = field(default_factory=set)
    calmed: set[str] = field(default_factory=set)

    def change(self, priority: int, reason: str, source: str) -> None:
        self.priority = priority
        self.reasons.append(reason)
        self.sources.append(source)


def _prioritise(
    escalators: Mapping[str, _Escalator],
    max_escalator: int,
    doc: _Text,
    bounds: frozenset[int],
    category: CategorySuggestion | None,
    sub: SubCategory | None,
    occurred: TimeSuggestion | None,
    now: datetime,
) -> PrioritySuggestion:
    if sub is not None:
        grading = _Grading(sub.priority, [f"{sub.code} {sub.label_zh} 默认 {sub.priority} 级"])
        confidence = 0.55 + 0.35 * (category.confidence if category else 0.0)
    else:
        grading = _Grading(3, ["类别不明，默认 3 级"])
        confidence = 0.3
    _weigh_words(grading, escalators, max_escalator, doc, bounds, sub)
    if category is not None and category.category_code == "40":
        _weigh_fire(grading, doc, sub)
    slight = _first_said(_SLIGHT, doc.norm)
    if slight is not None and grading.priority < 4:
        said = doc.source(slight.start(), slight.end())
        grading.change(grading.priority + 1, f"伤情轻微（{said}）→ 降一级", said)
    if occurred is not None and category is not None:
        _weigh_age(grading, category, occurred, now)
    priority = max(1, min(4, grading.priority))
    if grading.sources:
        confidence = max(confidence, 0.75)
    source = "、".join(dict.fromkeys(grading.sources)) or (category.source if category else "")
    return PrioritySuggestion(
        priority=priority,
        confidence=round(min(confidence, 0.95), 2),
        source=source,
        reasons=tuple(grading.reasons),
    )


def _weigh_words(
    grading: _Grading,
    escalators: Mapping[str, _Escalator],
    max_escalator: int,
    doc: _Text,
    bounds: frozenset[int],
    sub: SubCategory | None = None,
) -> None:
    """Words that cap, raise or lower the priority (weapons, injuries, calm); each reason once."""
    for start, end, word in _scan(doc.norm, escalators, max_escalator, bounds):
        rule = escalators[word]
        said = doc.source(start, end)
        if rule.reason_zh == "正在发生" and (
            (sub is not None and sub.code in _NO_RUSH) or _still_there(doc.norm, start, end)
        ):
            continue
        if rule.cap is not None and rule.reason_zh not in grading.capped and (
            grading.priority > rule.cap
        ):
            grading.capped.add(rule.reason_zh)
            grading.change(rule.cap, f"{rule.reason_zh}（{said}）→ 至少 {rule.cap} 级", said)
        elif rule.step < 0 and rule.reason_zh not in grading.stepped:
            grading.stepped.add(rule.reason_zh)
            if grading.priority > 1:
                grading.change(
                    grading.priority + rule.step, f"{rule.reason_zh}（{said}）→ 升一级", said
                )
        elif rule.step > 0 and rule.reason_zh not in grading.calmed:
            grading.calmed.add(rule.reason_zh)
            if grading.priority < _CALM_FLOOR:
                grading.change(
                    grading.priority + rule.step, f"{rule.reason_zh}（{said}）→ 降一级", said
                )


def _still_there(norm: str, start: int, end: int) -> bool:
    """还在的 / 的时候还在: a thing was still there then, nothing is going on now."""
    return norm[start:end] == "还在" and (
        norm[end : end + 1] == "的" or norm[max(0, start - 2) : start] == "时候"
    )


def _weigh_fire(grading: _Grading, doc: _Text, sub: SubCategory | None) -> None:
    """A fire's priority from what is said: put out, people at risk, open ground, spreading."""
    norm = doc.norm
    out = _first_said(_FIRE_OUT, norm)
    people = _first_said(_FIRE_PEOPLE, norm)
    if people is not None:
        said = doc.source(people.start(), people.end())
        if grading.priority > 1:
            grading.change(1, f"火场有人（{said}）→ 1 级", said)
        return
    if out is not None:
        said = doc.source(out.start(), out.end())
        grading.change(3, f"火已扑灭（{said}）→ 3 级", said)
        return
    loose = _first_said(_FIRE_LOOSE, norm)
    if sub is not None and sub.code == "4004" and loose is not None and grading.priority > 2:
        said = doc.source(loose.start(), loose.end())
        grading.change(2, f"露天火未控制（{said}）→ 2 级", said)
        return
    open_ground = _first_said(_FIRE_OPEN, norm)
    if sub is not None and sub.code in ("4001", "4004") and open_ground is not None:
        said = doc.source(open_ground.start(), open_ground.end())
        if grading.priority < 2:
            grading.change(2, f"空旷处起火（{said}）→ 2 级", said)


def _weigh_age(
    grading: _Grading, category: CategorySuggestion, occurred: TimeSuggestion, now: datetime
) -> None:
    """Just happened raises a fresh kind of call; hours old lowers a stale one, if nothing else
    moved it."""
    age = now - occurred.at
    if (
        age <= _FRESH
        and category.category_code in _FRESH_CATEGORIES
        and "正在发生" not in grading.stepped
        and 1 < grading.priority <= _CALM_FLOOR
    ):
        grading.change(grading.priority - 1, f"刚发生（{occurred.source}）→ 升一级",
                       occurred.source)
    elif (
        age >= _STALE
        and category.category_code in _STALE_CATEGORIES
        and not (grading.stepped or grading.capped or grading.calmed)
        and grading.priority < _CALM_FLOOR
    ):
        grading.change(
            grading.priority + 1, f"已过去 {age.total_seconds() / 3600:.0f} 小时 → 降一级",
            occurred.source,
        )

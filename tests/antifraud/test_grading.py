"""The rule file grades on values alone: each factor moves the score as written."""

from __future__ import annotations

from datetime import date

import pytest

from yanyun.antifraud.grading import RULES_FILE, age_on, grade, load_rules, parse_rules

RULES = load_rules()


def _grade(**facts):
    base = {"fraud_type": "game", "amount_yuan": 0, "repeat": False, "age": 40,
            "minutes_since_contact": None}
    return grade(RULES, **{**base, **facts})


def test_the_rule_file_is_versioned_and_holds_the_catalogue():
    assert RULES.version
    assert {t.zh for t in RULES.fraud_types.values()} >= {
        "刷单返利", "虚假投资理财", "冒充客服", "冒充公检法", "虚假网络贷款", "冒充领导熟人",
        "网络游戏虚假交易", "婚恋交友", "其他"}
    assert RULES.fraud_type("刷单返利").code == "brushing"
    assert RULES.fraud_type("brushing").zh == "刷单返利"
    assert RULES.fraud_type("中奖诈骗") is None


def test_an_elderly_person_posed_at_by_police_with_much_money_fresh_is_high():
    graded = _grade(fraud_type="police", amount_yuan=80_000, age=76, minutes_since_contact=5)
    assert graded.grade == "high" and graded.score == 3 + 3 + 2 + 2
    assert any("冒充公检法" in r for r in graded.reasons)


def test_a_small_game_trade_is_low():
    assert _grade().grade == "low"


@pytest.mark.parametrize(("facts", "points"), [
    ({"amount_yuan": 999}, 0), ({"amount_yuan": 1000}, 1), ({"amount_yuan": 10_000}, 2),
    ({"amount_yuan": 50_000}, 3), ({"age": 60}, 2), ({"age": 59}, 0), ({"age": 22}, 1),
    ({"repeat": True}, 2), ({"minutes_since_contact": 30}, 2),
    ({"minutes_since_contact": 31}, 1), ({"minutes_since_contact": 181}, 0),
])
def test_each_factor_adds_its_points(facts, points):
    assert _grade(**facts).score - _grade().score == points


def test_a_repeat_warning_of_a_middling_case_rises_to_medium():
    assert _grade(fraud_type="brushing").grade == "low"
    assert _grade(fraud_type="brushing", repeat=True).grade == "medium"


def test_age_comes_from_the_id_number_birth_date():
    assert age_on("11010519491231002X", date(2026, 11, 23)) == 76
    assert age_on("11010519491231002X", date(2026, 12, 31)) == 77
    assert age_on("bad", date(2026, 1, 1)) is None


def test_a_changed_rule_file_grades_by_its_own_thresholds():
    text = RULES_FILE.read_text(encoding="utf-8").replace("high = 6", "high = 20")
    text = text.replace('version = "', 'version = "test-')
    stricter = parse_rules(text)
    assert stricter.version.startswith("test-")
    assert grade(stricter, fraud_type="police", amount_yuan=80_000, repeat=False, age=76,
                 minutes_since_contact=5).grade == "medium"

"""The indicator file: the shipped one loads; a wrong one is refused whole, every problem named."""

import pytest

from yanyun.command.catalogue import load_catalogue
from yanyun.core.errors import Invalid
from yanyun.yardstick.definitions import load_yardstick


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_the_shipped_file_defines_four_down_two_up_and_operations(catalogue):
    ys = load_yardstick(catalogue)
    groups = {i.group for i in ys.indicators}
    assert groups == {"four_down", "two_up", "operations", "results"}
    street = ys.get("street_crime")
    assert street.subs == ("1001", "1002", "1005") and street.good == "down"
    assert ys.get("satisfaction").measure == "satisfaction" and ys.version


def test_a_wrong_file_is_refused_with_every_problem_in_both_languages(tmp_path, catalogue):
    path = tmp_path / "bad.toml"
    path.write_text('''
version = "x"
[[indicator]]
id = "a"
group = "four_down"
name_zh = "甲"
name_en = "A"
measure = "count"
categories = ["77"]
subs = ["1099"]
good = "down"
[[indicator]]
id = "a"
group = "nowhere"
name_zh = "乙"
name_en = "B"
measure = "median_magic"
good = "sideways"
''', encoding="utf-8")
    with pytest.raises(Invalid) as caught:
        load_yardstick(catalogue, path)
    err = caught.value
    text_zh, text_en = err.message_zh, err.message_en
    for zh, en in [("未知警情类别 77", "unknown category 77"),
                   ("未知警情细类 1099", "unknown sub-category 1099"),
                   ("id 重复", "duplicate id"),
                   ("未知计量方式 median_magic", "unknown measure"),
                   ("good 应为 up 或 down", "good must be up or down"),
                   ("未知分组", "unknown group")]:
        assert zh in text_zh and en in text_en


def test_an_unknown_indicator_is_a_clear_422(catalogue):
    with pytest.raises(Invalid) as caught:
        load_yardstick(catalogue).get("homicide")
    assert caught.value.field == "indicator"


def test_a_unit_is_held_to_its_own_target_where_the_file_sets_one(tmp_path, catalogue):
    path = tmp_path / "targets.toml"
    path.write_text('''
version = "t"
[[indicator]]
id = "arrival"
group = "operations"
name_zh = "按时到达率"
name_en = "On time"
measure = "within_target"
good = "up"
target = 0.9
unit_targets = { "430405" = 0.95 }
''', encoding="utf-8")
    arrival = load_yardstick(catalogue, path).get("arrival")
    assert arrival.target_for("430405") == 0.95
    assert arrival.target_for("430406") == 0.9 and arrival.target_for(None) == 0.9
    path.write_text(path.read_text(encoding="utf-8").replace("0.95", '"high"'), encoding="utf-8")
    with pytest.raises(Invalid) as caught:
        load_yardstick(catalogue, path)
    assert "unit_targets" in caught.value.message_en

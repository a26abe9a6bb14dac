"""The incident category catalogue: shipped content, look-ups, a bureau's own file."""

from __future__ import annotations

import copy
import dataclasses
import doctest
import json
from pathlib import Path
from typing import Any

import pytest

from yanyun.command import catalogue as catalogue_module
from yanyun.command.catalogue import CAPABILITIES, Catalogue, load_catalogue

SHIPPED_TOP_LEVEL = {
    "10": ("criminal", "刑事案件"),
    "20": ("public_order", "治安案件"),
    "30": ("traffic", "交通事故/交通警情"),
    "40": ("fire", "火灾"),
    "50": ("disaster", "灾害事故"),
    "60": ("dispute", "纠纷"),
    "70": ("assistance", "群众求助"),
    "80": ("complaint", "投诉举报"),
    "90": ("other", "其他"),
    # Raised by an officer's phone (一键求助), never by a caller.
    "95": ("officer_safety", "警员安全"),
}


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return load_catalogue()


def minimal() -> dict[str, Any]:
    return {
        "categories": [
            {
                "code": "10",
                "key": "criminal",
                "label_zh": "刑事案件",
                "label_en": "Criminal case",
                "subcategories": [
                    {
                        "code": "1001",
                        "label_zh": "抢劫",
                        "label_en": "Robbery",
                        "priority": 1,
                        "capabilities": ["patrol", "armed"],
                        "volunteer_safe": False,
                        "keywords": {"抢劫": 3},
                    },
                    {
                        "code": "1002",
                        "label_zh": "盗窃",
                        "label_en": "Theft",
                        "priority": 3,
                        "capabilities": ["patrol"],
                        "volunteer_safe": True,
                        "keywords": ["偷"],
                    },
                ],
            },
        ]
    }


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "bureau_categories.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_shipped_catalogue_has_the_110_categories_then_officer_safety(shipped: Catalogue) -> None:
    assert [(c.code, c.key, c.label_zh) for c in shipped.categories] == [
        (code, key, zh) for code, (key, zh) in SHIPPED_TOP_LEVEL.items()
    ]
    assert all(c.label_en for c in shipped.categories)


def test_shipped_subcategories_are_well_formed(shipped: Catalogue) -> None:
    subs = list(shipped.subcategories())
    assert 35 <= len(subs) <= 60
    assert len({s.code for s in subs}) == len(subs)
    for category in shipped.categories:
        assert category.subcategories
        for sub in category.subcategories:
            assert sub.code.startswith(category.code) and len(sub.code) == 4
            assert sub.priority in (1, 2, 3, 4)
            assert set(sub.capabilities) <= CAPABILITIES
            assert sub.label_zh and sub.label_en
            assert len(sub.keyword_weights) == len(sub.keywords)


def test_shipped_catalogue_names_the_required_subcategories(shipped: Catalogue) -> None:
    expected = {
        "1001": "抢劫",
        "1002": "盗窃",
        "1003": "诈骗",
        "1004": "故意伤害",
        "3001": "有人伤",
        "3002": "财产损失",
        "3003": "肇事逃逸",
        "6001": "家庭纠纷",
        "6002": "邻里纠纷",
        "6003": "劳资纠纷",
        "7001": "走失",
    }
    for code, word in expected.items():
        assert word in shipped.subcategory(code).label_zh
    assert "电信诈骗" in shipped.subcategory("1003").keywords


def test_volunteers_are_never_sent_to_violence_fire_weapons_or_water(shipped: Catalogue) -> None:
    for sub in shipped.subcategories():
        if {"armed", "water_rescue"} & set(sub.capabilities) or sub.code.startswith("40"):
            assert not sub.volunteer_safe, sub.code
    for violent in ("1001", "1004", "1007", "1009", "2001", "2007", "2008"):
        assert not shipped.subcategory(violent).volunteer_safe
    for calm in ("1002", "6002", "7003", "7004"):
        assert shipped.subcategory(calm).volunteer_safe


def test_life_threatening_subcategories_have_top_priority(shipped: Catalogue) -> None:
    for code in ("1001", "1004", "3001", "4001", "5001", "7005"):
        assert shipped.subcategory(code).priority == 1
    for code in ("2005", "7003", "9003"):
        assert shipped.subcategory(code).priority == 4


def test_lookups_by_code_and_unknown_codes_raise_key_error(shipped: Catalogue) -> None:
    assert shipped.category("50").key == "disaster"
    assert shipped.subcategory("5001").capabilities == ("water_rescue", "first_aid")
    assert shipped.category_of("3003").code == "30"
    with pytest.raises(KeyError, match="99"):
        shipped.category("99")
    with pytest.raises(KeyError, match="1099"):
        shipped.subcategory("1099")
    with pytest.raises(KeyError):
        shipped.category_of("0000")


@pytest.mark.parametrize(
    ("category", "sub", "valid"),
    [
        ("10", None, True),
        ("10", "1002", True),
        ("30", "3003", True),
        ("30", "1002", False),
        ("99", None, False),
        ("10", "1099", False),
        ("1", None, False),
    ],
)
def test_is_valid_checks_the_pair(
    shipped: Catalogue, category: str, sub: str | None, valid: bool
) -> None:
    assert shipped.is_valid(category, sub) is valid


def test_category_defaults_are_derived_from_subcategories(shipped: Catalogue) -> None:
    criminal = shipped.category("10")
    assert criminal.capabilities == ("patrol",)
    assert criminal.volunteer_safe is False
    assert criminal.default_priority in (1, 2)
    other = shipped.category("90")
    assert other.volunteer_safe is True
    assert other.default_priority == 4
    data = minimal()
    data["categories"][0]["priority"] = 2
    assert Catalogue.from_dict(data).category("10").default_priority == 2


def test_keyword_weights_default_to_one_for_a_plain_list(tmp_path: Path) -> None:
    cat = load_catalogue(write(tmp_path, minimal()))
    assert cat.subcategory("1002").keywords == ("偷",)
    assert cat.subcategory("1002").weight("偷") == 1.0
    assert cat.subcategory("1001").weight("抢劫") == 3.0
    assert cat.subcategory("1001").weight("偷") == 0.0


def test_a_bureau_file_replaces_the_shipped_catalogue(tmp_path: Path) -> None:
    cat = load_catalogue(write(tmp_path, minimal()))
    assert [c.code for c in cat.categories] == ["10"]
    assert not cat.is_valid("20", None)
    assert repr(cat) == "Catalogue(1 categories, 2 sub-categories)"


def test_categories_serialise_as_plain_data(shipped: Catalogue) -> None:
    data = dataclasses.asdict(shipped.category("30"))
    assert data["subcategories"][0]["code"] == "3001"
    json.dumps(data, ensure_ascii=False)


def _broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(minimal())
    change(data)
    return data


def _sub(data: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return data["categories"][0]["subcategories"][index]


BROKEN = [
    (
        "duplicate category code",
        lambda d: d["categories"].append(copy.deepcopy(d["categories"][0])),
        "category '10': duplicate category code",
    ),
    (
        "duplicate sub code",
        lambda d: _sub(d, 1).update(code="1001"),
        "sub-category '1001': duplicate sub-category code",
    ),
    (
        "sub code not prefixed",
        lambda d: _sub(d).update(code="2001"),
        "sub-category '2001': code must start with its category code '10'",
    ),
    ("sub code not four digits", lambda d: _sub(d).update(code="10a"), "code must be four digits"),
    (
        "category code not two digits",
        lambda d: d["categories"][0].update(code="100"),
        "code must be two digits",
    ),
    ("priority zero", lambda d: _sub(d).update(priority=0), "priority must be an integer 1..4"),
    ("priority five", lambda d: _sub(d).update(priority=5), "got 5"),
    ("priority as text", lambda d: _sub(d).update(priority="1"), "got '1'"),
    ("priority boolean", lambda d: _sub(d).update(priority=True), "priority must be"),
    (
        "unknown capability",
        lambda d: _sub(d).update(capabilities=["patrol", "helicopter"]),
        "unknown capabilities ['helicopter']",
    ),
    (
        "volunteer_safe missing",
        lambda d: _sub(d).pop("volunteer_safe"),
        "'volunteer_safe' must be true or false",
    ),
    ("label missing", lambda d: _sub(d).update(label_en=""), "'label_en' must be a non-empty"),
    (
        "negative keyword weight",
        lambda d: _sub(d).update(keywords={"抢": -1}),
        "needs a positive weight",
    ),
    (
        "no subcategories",
        lambda d: d["categories"][0].update(subcategories=[]),
        "'subcategories' must be a non-empty list",
    ),
    ("no categories", lambda d: d.update(categories=[]), "'categories' is empty"),
    (
        "duplicate key",
        lambda d: d["categories"].append(
            {
                **copy.deepcopy(d["categories"][0]),
                "code": "20",
                "subcategories": [{**_sub(d), "code": "2001"}],
            }
        ),
        "duplicate category key 'criminal'",
    ),
]


@pytest.mark.parametrize(
    ("change", "message"), [(c, m) for _, c, m in BROKEN], ids=[name for name, _, _ in BROKEN]
)
def test_a_broken_bureau_file_is_refused_with_the_problem_named(
    tmp_path: Path, change: Any, message: str
) -> None:
    path = write(tmp_path, _broken(change))
    with pytest.raises(ValueError) as caught:
        load_catalogue(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{categories: [", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_catalogue(path)


def test_catalogue_doctests() -> None:
    result = doctest.testmod(catalogue_module)
    assert result.failed == 0 and result.attempted > 0

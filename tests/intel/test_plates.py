"""Plates: validation and the confusion table behind fuzzy search."""

from __future__ import annotations

import pytest

from yanyun.intel.plates import canonical, fuzzy_candidates, is_valid, match_kind, normalise


@pytest.mark.parametrize("plate", ["湘D12345", "湘DD12345", "湘D12345F", "粤B8K2Z9", "衡阳012345"])
def test_valid_plates(plate: str) -> None:
    assert is_valid(plate)


@pytest.mark.parametrize(
    "plate",
    ["", "D12345", "湘D1234", "湘D123456789", "湘I12345", "湘DO1234", "XXD12345", "湘d12 345"],
)
def test_malformed_plates(plate: str) -> None:
    assert not is_valid(plate)


def test_normalise_strips_separators_and_upper_cases() -> None:
    assert normalise(" 湘d·12-345 ") == "湘D12345"


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        ("湘D10B5Z", "湘D10B5Z"),  # exact
        ("湘D1QB5Z", "湘D10B5Z"),  # 0/D/Q
        ("湘D10852", "湘D10B5Z"),  # 8/B and 2/Z
        ("湘DI0BSZ", "湘D10B5Z"),  # 1/I and 5/S
        ("湘D10B5", "湘D10B5Z"),  # a character missing
        ("湘D10B5Z7", "湘D10B5Z"),  # a character extra
        ("湘D1Q8B5Z", "湘D10B5Z"),  # extra and confused at once
    ],
)
def test_fuzzy_candidates_reach_the_stored_plate(query: str, stored: str) -> None:
    assert canonical(stored) in fuzzy_candidates(query)


@pytest.mark.parametrize(("query", "stored"), [("湘D10B5Z", "湘D17B5Z"), ("湘D10B5Z", "湘D1B5")])
def test_fuzzy_does_not_guess_beyond_the_table(query: str, stored: str) -> None:
    """7 is not a confusion of 0; two missing characters are not one."""
    assert canonical(stored) not in fuzzy_candidates(query)


def test_the_province_character_is_never_edited() -> None:
    assert all(c.startswith("湘") for c in fuzzy_candidates("湘D12345"))


def test_match_kind() -> None:
    assert match_kind("湘D10B5Z", "湘D10B5Z") == "exact"
    assert match_kind("湘D1QB5Z", "湘D10B5Z") == "confusion"
    assert match_kind("湘D10B5", "湘D10B5Z") == "edit"

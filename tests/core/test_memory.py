"""The server's malloc arenas: bounded when asked, the operator's own setting left alone."""

import sys

import pytest

from yanyun.core.memory import bound_malloc_arenas


def test_no_bound_is_set_when_none_is_asked_or_the_environment_names_one(monkeypatch):
    assert bound_malloc_arenas(0) is False
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert bound_malloc_arenas(2) is False


def test_glibc_takes_the_bound(monkeypatch):
    if not sys.platform.startswith("linux"):
        pytest.skip("mallopt's arena bound is glibc's")
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert bound_malloc_arenas(2) is True

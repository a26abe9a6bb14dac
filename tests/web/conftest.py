"""Fixtures of the browser tests: the real demo server and Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.browser_support import (
    DemoServer,
    launch_chromium,
    require_chromium,
    run_demo_server,
)


def _patient_expectations() -> None:
    # Playwright's expect() gives up after 5 s by default; on a shared 2-core
    # machine a busy server can take longer, which is slowness, not failure.
    playwright_api = pytest.importorskip("playwright.sync_api")
    playwright_api.expect.set_options(timeout=15_000)


_patient_expectations()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """`yanyun demo --no-live` on a fresh SQLite file, one per test module."""
    require_chromium()
    with run_demo_server(tmp_path_factory.mktemp("demo")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()

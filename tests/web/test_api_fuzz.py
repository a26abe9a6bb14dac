"""Schemathesis against the real server: generated requests, no 5xx, on both backends.

The CLI runs its coverage, fuzzing and stateful phases over every documented
operation of a live `yanyun demo`, logged in as the administrator.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import drop_database, fresh_database_url
from tests.web.browser_support import api_login, run_demo_server

ST = Path(sys.executable).with_name("st")


@pytest.mark.slow
# About 2-3 minutes alone on two cores, longer beside other work: its own bound, not the default.
@pytest.mark.timeout(720)
# Test cases per operation: deeper on the demo's backend, fewer on the second one (each
# run costs minutes over ~300 operations; the seed keeps both runs the same each time).
@pytest.mark.parametrize(("backend", "examples"), [("sqlite", 15), ("postgresql", 6)])
def test_generated_requests_never_make_the_server_fail(backend, examples, tmp_path, worker_id):
    url = fresh_database_url(backend, f"fuzz_{worker_id}", tmp_path)
    try:
        with run_demo_server(tmp_path, database_url=url) as server:
            token = api_login(server.base_url, "admin")["access_token"]
            run = subprocess.run(
                [str(ST), "run", f"{server.base_url}/openapi.json",
                 "--header", f"Authorization: Bearer {token}",
                 "--checks", "not_a_server_error", "--max-examples", str(examples),
                 "--exclude-path", "/api/v1/auth/logout", "--seed", "20261123",
                 "--no-color"],
                capture_output=True, text=True, timeout=600, cwd=tmp_path,
            )
            log = server.log_tail()
    finally:
        drop_database(url)
    summary = run.stdout[-3000:]
    # What failed is told before the summary (which ends the output).
    details = run.stdout[:-3000][:6000]
    assert run.returncode == 0, details + "\n...\n" + summary + "\n--- server log ---\n" + log
    assert " passed" in summary and "failed" not in summary.split("Test cases:")[-1]

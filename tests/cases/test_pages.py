"""The cases pages: shells served to anyone, each loading its module under the strict CSP."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("path", "script"), [
    ("/cases", "/static/js/pages/cases.js"),
    ("/cases/01ABCDEFGHJKMNPQRSTVWXYZ00", "/static/js/pages/cases/workspace.js"),
])
def test_case_pages_are_shells_that_load_their_module(client, path, script):
    resp = client.get(path)
    assert resp.status_code == 200
    assert f'<script type="module" src="{script}"></script>' in resp.text
    assert "<script>" not in resp.text
    assert "'unsafe-inline'" not in resp.headers["content-security-policy"].split("script-src")[1]


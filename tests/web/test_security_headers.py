"""Every page and every API answer carries the security headers, errors included.

The routes are read from the app, so a route added tomorrow is checked too.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from tests.conftest import login_as
from yanyun.web.app import routers

PLACEHOLDER = re.compile(r"\{[^}]+\}")


def _get_paths() -> list[str]:
    paths = {
        PLACEHOLDER.sub("01ZZZZZZZZZZZZZZZZZZZZZZZZ", route.path)
        for router in routers()
        for route in router.routes
        if isinstance(route, APIRoute) and "GET" in route.methods
    }
    return sorted(paths)


def _assert_headers(resp, *, api: bool) -> None:
    where = f"{resp.request.method} {resp.request.url.path} -> {resp.status_code}"
    csp = resp.headers.get("content-security-policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ") if d}
    assert directives.get("script-src") == ["'self'"], where
    assert directives.get("style-src") == ["'self'"], where
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("object-src") == ["'none'"], where
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, where
    assert resp.headers.get("x-content-type-options") == "nosniff", where
    assert resp.headers.get("x-frame-options") == "DENY", where
    assert resp.headers.get("referrer-policy") == "no-referrer", where
    if api:
        assert resp.headers.get("cache-control") == "no-store", where


def test_every_get_route_answers_with_the_headers_signed_in_or_not(client):
    paths = _get_paths()
    assert len(paths) > 40
    token = login_as(client, "admin").headers
    for path in paths:
        api = path.startswith("/api/")
        _assert_headers(client.get(path), api=api)
        _assert_headers(client.get(path, headers=token), api=api)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/no/such/page", None),
        ("DELETE", "/api/v1/health", None),
        ("POST", "/api/v1/auth/login", {"username": ""}),
        ("POST", "/api/v1/auth/login", "not json"),
    ],
)
def test_error_answers_carry_them_too(client, method, path, body):
    resp = client.request(method, path, json=body) if body is not None else client.request(
        method, path
    )
    assert resp.status_code >= 400
    _assert_headers(resp, api=True)


def test_static_files_may_be_cached_but_not_sniffed_or_framed(client):
    resp = client.get("/static/vendor/leaflet/leaflet.js")
    assert resp.status_code == 200
    assert resp.headers.get("cache-control") != "no-store"
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-frame-options"] == "DENY"


def test_the_api_docs_admit_their_cdn_and_their_one_inline_starter_by_hash(client):
    resp = client.get("/docs")
    assert resp.status_code == 200
    csp = resp.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    hashes = re.findall(r"'sha256-[A-Za-z0-9+/=]+'", csp)
    assert len(hashes) == resp.text.count("<script>")
    assert "https://cdn.jsdelivr.net" in csp


def test_a_tile_server_in_the_settings_is_allowed_for_images_only():
    from yanyun.web.security import page_policy

    policy = page_policy("https://{s}.tiles.example.cn/{z}/{x}/{y}.png")
    assert "img-src 'self' data: blob: https://*.tiles.example.cn" in policy
    assert "script-src 'self';" in policy
    assert "example" not in page_policy(None)

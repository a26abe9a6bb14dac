from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.conftest import PASSWORDS, login_as
from yanyun.auth import logins
from yanyun.core.db import build_runtime
from yanyun.core.errors import Throttled, Unauthenticated
from yanyun.core.ids import new_id
from yanyun.web.app import create_app


def test_login_issues_token_that_opens_me(client):
    login = login_as(client, "dispatcher")
    me = client.get("/api/v1/auth/me", headers=login.headers)
    assert me.status_code == 200
    body = me.json()
    assert body["user"]["username"] == "dispatcher"
    assert "personal:read" in body["permissions"]
    assert "audit:read" not in body["permissions"]


def test_wrong_password_says_why_in_both_languages(client):
    resp = client.post("/api/v1/auth/login", json={"username": "admin", "password": "nope"})
    assert resp.status_code == 401
    error = resp.json()["error"]
    assert error["code"] == "unauthenticated"
    assert "密码" in error["message"]["zh-CN"] and "password" in error["message"]["en"]


def test_unknown_user_looks_like_wrong_password(client):
    resp = client.post("/api/v1/auth/login", json={"username": "ghost", "password": "x"})
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "unauthenticated"


def test_repeated_failures_are_throttled_then_released(client, clock):
    for _ in range(5):
        assert (
            client.post(
                "/api/v1/auth/login", json={"username": "analyst", "password": "bad"}
            ).status_code
            == 401
        )
    blocked = client.post(
        "/api/v1/auth/login", json={"username": "analyst", "password": PASSWORDS["analyst"]}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "秒" in blocked.json()["error"]["message"]["zh-CN"]
    clock.advance(timedelta(minutes=16))
    assert login_as(client, "analyst").token


def test_logout_revokes_the_token(client):
    login = login_as(client, "duty")
    assert client.post("/api/v1/auth/logout", headers=login.headers).status_code == 204
    resp = client.get("/api/v1/auth/me", headers=login.headers)
    assert resp.status_code == 401
    assert "注销" in resp.json()["error"]["message"]["zh-CN"]


def test_expired_token_is_refused(client, clock):
    login = login_as(client, "duty")
    clock.advance(timedelta(hours=12, seconds=1))
    resp = client.get("/api/v1/auth/me", headers=login.headers)
    assert resp.status_code == 401
    assert "expired" in resp.json()["error"]["message"]["en"]


def test_missing_token_answers_401_with_reason(client):
    resp = client.get("/api/v1/geo/summary")
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"] == "Bearer"
    assert resp.json()["error"]["message"]["zh-CN"] == "请先登录"


def test_role_without_permission_gets_403_naming_it(client):
    login = login_as(client, "dispatcher")
    resp = client.get("/api/v1/audit", headers=login.headers)
    assert resp.status_code == 403
    error = resp.json()["error"]
    assert error["details"]["permission"] == "audit:read"
    assert "audit:read" in error["message"]["zh-CN"]


def _from(settings, runtime, host: str) -> TestClient:
    """The app as seen from one client address."""
    return TestClient(create_app(settings, runtime=runtime), raise_server_exceptions=False,
                      client=(host, 50000))


def _attempt(client: TestClient, username: str, password: str) -> int:
    body = {"username": username, "password": password}
    return client.post("/api/v1/auth/login", json=body).status_code


def test_a_stranger_guessing_locks_out_only_themselves(settings, runtime):
    stranger = _from(settings, runtime, "203.0.113.7")
    desk = _from(settings, runtime, "10.20.0.15")
    assert [_attempt(stranger, "dispatcher", "guess") for _ in range(6)] == [401] * 5 + [429]
    # The stranger stays locked out even with the right password...
    assert _attempt(stranger, "dispatcher", PASSWORDS["dispatcher"]) == 429
    # ...while the dispatcher at their desk logs in as usual.
    assert _attempt(desk, "dispatcher", PASSWORDS["dispatcher"]) == 200


def test_one_client_cannot_guess_many_names(settings, runtime):
    prober = _from(settings, runtime, "198.51.100.9")
    limit = settings.auth.max_failed_logins_per_client
    codes = [_attempt(prober, f"name{i}", "guess") for i in range(limit + 3)]
    assert codes[:limit] == [401] * limit
    assert codes[limit:] == [429] * 3
    assert _attempt(_from(settings, runtime, "10.20.0.16"), "name0", "guess") == 401


def test_parallel_guesses_get_exactly_the_allowed_password_checks(settings):
    """Check-then-insert cannot race: twenty at once from one client, five checked."""
    runtime = build_runtime(settings)
    username = f"race-{new_id(runtime.clock)}"
    client = f"client-{username}"

    def attempt(_: int) -> str:
        try:
            logins.login(runtime=runtime, settings=settings.auth, username=username,
                         password="guess", client=client)
        except Throttled:
            return "throttled"
        except Unauthenticated:
            return "checked"
        return "in"

    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            outcomes = list(pool.map(attempt, range(20)))
    finally:
        runtime.engine.dispose()
    assert outcomes.count("checked") == settings.auth.max_failed_logins
    assert outcomes.count("throttled") == 20 - settings.auth.max_failed_logins


def test_the_pages_session_is_an_httponly_strict_cookie_that_writes_need_a_header(client):
    resp = client.post("/api/v1/auth/login",
                       json={"username": "duty", "password": PASSWORDS["duty"]})
    assert resp.status_code == 200
    cookie = resp.headers["set-cookie"]
    assert cookie.startswith("yanyun_session=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    jar = {"yanyun_session": resp.cookies["yanyun_session"]}
    client.cookies.clear()
    assert client.get("/api/v1/auth/me", cookies=jar).status_code == 200
    # A cross-site form could send the cookie (were it not SameSite) but not this header.
    blocked = client.post("/api/v1/auth/logout", cookies=jar)
    assert blocked.status_code == 401
    out = client.post("/api/v1/auth/logout", cookies=jar, headers={"X-Yanyun-Request": "1"})
    assert out.status_code == 204
    assert 'yanyun_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers[
        "set-cookie"]
    client.cookies.clear()
    assert client.get("/api/v1/auth/me", cookies=jar).status_code == 401

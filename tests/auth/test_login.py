from datetime import timedelta

from tests.conftest import PASSWORDS, login_as


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

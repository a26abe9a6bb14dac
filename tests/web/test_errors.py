"""Bad input is answered with 422 naming the field, on every backend."""

from tests.conftest import login_as


def test_nul_in_query_is_refused_before_the_database(client):
    admin = login_as(client, "admin")
    resp = client.get("/api/v1/audit?action=a%00b", headers=admin.headers)
    assert resp.status_code == 422
    assert resp.json()["error"]["field"] == "query"


def test_nul_in_body_is_refused_naming_the_field(client):
    resp = client.post("/api/v1/auth/login", json={"username": "ad\x00min", "password": "x"})
    assert resp.status_code == 422
    assert resp.json()["error"]["field"] == "username"


def test_unknown_body_field_is_refused(client):
    admin = login_as(client, "admin")
    resp = client.post(
        "/api/v1/geo/resolve",
        headers=admin.headers,
        json={"points": [{"lng": 112.6, "lat": 26.9, "alt": 3}]},
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["field"] == "points.0.alt"
    assert resp.json()["error"]["fields"][0]["reason"]["zh-CN"] == "不允许的字段"


def test_malformed_json_is_a_422_not_a_500(client):
    resp = client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "invalid"


def test_unknown_address_is_a_bilingual_404(client):
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 404
    assert resp.json()["error"]["message"] == {"zh-CN": "未找到该地址", "en": "no such address"}

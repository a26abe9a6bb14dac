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


def test_exhausted_database_connections_are_a_503_to_retry_not_a_500(settings, clock):
    """Real pool exhaustion: one connection, held, and a request that needs another."""
    from fastapi.testclient import TestClient
    from sqlalchemy import text
    from sqlalchemy.orm import sessionmaker

    from yanyun.core.db import Runtime, build_engine
    from yanyun.web.app import create_app

    engine = build_engine(settings.database_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    busy = Runtime(settings=settings, engine=engine, clock=clock,
                   session_factory=sessionmaker(bind=engine, expire_on_commit=False))
    app = create_app(settings, runtime=busy, background=False)
    held = busy.engine.connect()
    held.execute(text("select 1"))
    try:
        resp = TestClient(app, raise_server_exceptions=False).post(
            "/api/v1/auth/login", json={"username": "admin", "password": "x"})
    finally:
        held.close()
        busy.engine.dispose()
    assert resp.status_code == 503 and resp.headers["retry-after"] == "5"
    assert resp.json()["error"]["code"] == "busy"


def test_on_sqlite_only_so_many_writes_enter_the_worker_threads_at_once():
    import asyncio

    import httpx

    from yanyun.web.errors import RequestSlotsMiddleware

    inside = {"now": 0, "most": 0, "reads_most": 0}

    async def app(scope, receive, send):
        key = "most" if scope["method"] == "POST" else "reads_most"
        inside["now"] += 1
        inside[key] = max(inside[key], inside["now"])
        await asyncio.sleep(0.05)
        inside["now"] -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def burst():
        transport = httpx.ASGITransport(app=RequestSlotsMiddleware(app, slots=2,
                                                                   writes_only=True))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            await asyncio.gather(*(client.post("/w") for _ in range(8)))
            await asyncio.gather(*(client.get("/r") for _ in range(8)))

    asyncio.run(burst())
    assert inside["most"] == 2
    assert inside["reads_most"] == 8

"""Architecture tests over the app's routes."""

from fastapi.routing import APIRoute, APIWebSocketRoute

from yanyun.auth.deps import PERMISSION_ATTR, PUBLIC_ATTR
from yanyun.web.app import routers

PUBLIC_PATHS = {
    "/api/v1/health",
    "/api/v1/auth/login",
    "/",
    "/login",
    "/map",
    "/console",
    "/wall",
    "/oversight/worklist",
    "/oversight/board",
    "/oversight/risks",
    "/oversight/audit",
    "/opinion",
    "/duty",
    "/duty/tidal",
    "/intel/plates",
    # Case pages are shells: the case itself is read from its scoped JSON twin.
    "/cases",
    "/cases/{case_id}",
    "/community",
    "/volunteers",
    "/forecast",
    "/antifraud",
    "/m",
    "/m/volunteer",
    "/field-sw.js",
    # The public's door for tips (线索举报): no account, a proof of work and a rate limit.
    "/tip",
    "/api/v1/tips/challenge",
    "/api/v1/tips",
    "/api/v1/tips/status",
    "/kpi",
    # The home (工作台): a shell; its JSON twins (/api/v1/me/...) need a user.
    "/home",
    # The caller's answer to a callback (回访): no account, a signed one-time link.
    "/survey",
    "/api/v1/public/callbacks/answer",
    # The anti-fraud centres' push (反电诈预警): no account, an HMAC of the body (401 without).
    "/api/v1/antifraud/push",
    # The e-bike register (电动车登记): a shell; its JSON twin needs registrations:write.
    "/intel/ebikes",
    # The bank's answer to a stop-payment request (止付冻结): an HMAC of the body (401 without).
    "/api/v1/antifraud/bank/callback",
}


def _declared(dependant) -> set[str]:
    found = set()
    stack = [dependant]
    while stack:
        dep = stack.pop()
        call = dep.call
        if call is not None:
            if hasattr(call, PERMISSION_ATTR):
                found.add(getattr(call, PERMISSION_ATTR).value)
            if getattr(call, PUBLIC_ATTR, False):
                found.add("public")
        stack.extend(dep.dependencies)
    return found


def _routes():
    return [route for router in routers() for route in router.routes]


def test_every_route_declares_a_permission_or_is_public():
    api_routes = [r for r in _routes() if isinstance(r, APIRoute)]
    undeclared = [r.path for r in api_routes if not _declared(r.dependant)]
    wrong_public = [
        r.path
        for r in api_routes
        if "public" in _declared(r.dependant) and r.path not in PUBLIC_PATHS
    ]
    assert len(api_routes) >= 15
    assert not undeclared, f"routes without a permission: {undeclared}"
    assert not wrong_public, f"unexpectedly public routes: {wrong_public}"


def test_every_documented_operation_refuses_an_anonymous_caller(client):
    spec = client.get("/openapi.json").json()
    operations = [(method, path) for path, item in spec["paths"].items() for method in item]
    api_routes = [r for r in _routes() if isinstance(r, APIRoute) and r.include_in_schema]
    assert len(operations) == sum(len(r.methods) for r in api_routes)
    for method, path in operations:
        if path in PUBLIC_PATHS:
            continue
        url = path.replace("{user_id}", "01ZZZZZZZZZZZZZZZZZZZZZZZZ")
        resp = client.request(method, url)
        assert resp.status_code == 401, (method, path, resp.status_code)
        assert resp.json()["error"]["message"]["en"]


def test_websocket_routes_authenticate_in_their_handshake():
    paths = [r.path for r in _routes() if isinstance(r, APIWebSocketRoute)]
    assert paths == ["/api/v1/events/ws"]

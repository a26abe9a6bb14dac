"""Every error leaves as JSON with a stable code and messages in zh-CN and en."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from yanyun.core.errors import DomainError, Throttled

log = logging.getLogger("yanyun.web")

_REASONS_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "string_too_short": "内容太短",
    "string_too_long": "内容太长",
    "string_pattern_mismatch": "格式不正确",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "greater_than": "数值太小",
    "less_than": "数值太大",
    "too_short": "条目太少",
    "too_long": "条目太多",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为布尔值",
    "datetime_parsing": "应为日期时间",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "timezone_aware": "日期时间须带时区",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "json_invalid": "JSON 格式错误",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "string_type": "应为字符串",
    "finite_number": "应为有限数值",
    "date_out_of_range": "日期超出范围（1970-01-01 至 2100-12-31）",
}

_INTERNAL = ("服务器内部错误，已记录", "internal error; it has been logged")

_HTTP_MESSAGES = {
    404: ("未找到该地址", "no such address"),
    405: ("不支持该请求方法", "method not allowed"),
}


def error_body(code: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": {"zh-CN": zh, "en": en}, **extra}}


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(loc[0] if loc else "")


def _busy_answer() -> JSONResponse:
    return JSONResponse(
        error_body("busy", "服务繁忙，请稍后重试", "the server is busy; try again shortly"),
        status_code=503, headers={"Retry-After": "5"},
    )


async def domain_error(_request: Request, exc: DomainError) -> JSONResponse:
    extra: dict[str, Any] = {}
    if exc.details:
        extra["details"] = {k: v for k, v in exc.details.items() if k != "field"}
        if "field" in exc.details:
            extra["field"] = exc.details["field"]
    headers = {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, Throttled):
        headers["Retry-After"] = str(exc.retry_after_s)
    return JSONResponse(
        error_body(exc.code, exc.message_zh, exc.message_en, **extra),
        status_code=exc.status,
        headers=headers,
    )

async def invalid_input(_request: Request, exc: RequestValidationError) -> JSONResponse:
    fields = []
    for err in exc.errors():
        kind = err.get("type", "")
        fields.append(
            {
                "field": _field_name(tuple(err.get("loc", ()))),
                "reason": {
                    "zh-CN": _REASONS_ZH.get(kind, "输入无效"),
                    "en": err.get("msg", ""),
                },
                "type": kind,
            }
        )
    first = fields[0]["field"] if fields else ""
    return JSONResponse(
        error_body(
            "invalid",
            f"输入无效：{first}",
            f"invalid input: {first}",
            field=first,
            fields=fields,
        ),
        status_code=422,
    )

async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    zh, en = _HTTP_MESSAGES.get(exc.status_code, ("请求错误", str(exc.detail)))
    return JSONResponse(
        error_body(f"http_{exc.status_code}", zh, en),
        status_code=exc.status_code,
        headers=exc.headers,
    )

async def pool_exhausted(_request: Request, exc: PoolTimeout) -> JSONResponse:
    # Every database connection stayed busy past the pool's timeout: overload, not a
    # fault of the request. A client retries later; nothing was written.
    log.warning("database connections exhausted: %s", exc)
    return _busy_answer()

async def database_error(_request: Request, exc: OperationalError) -> JSONResponse:
    # SQLite's one writer held past the busy timeout (or this process's writers'
    # queue past its turn) is overload too; anything else the database says is a fault.
    if "database is locked" in str(exc) or "database is busy" in str(exc):
        log.warning("database locked past the busy timeout")
        return _busy_answer()
    log.exception("database error", exc_info=exc)
    return JSONResponse(error_body("internal", *_INTERNAL), status_code=500)

async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return JSONResponse(error_body("internal", *_INTERNAL), status_code=500)

#: What each kind of failure is answered with; the most specific class wins.
HANDLERS: tuple[tuple[type[Exception], Any], ...] = (
    (DomainError, domain_error),
    (RequestValidationError, invalid_input),
    (StarletteHTTPException, http_error),
    (PoolTimeout, pool_exhausted),
    (OperationalError, database_error),
    (Exception, unexpected),
)


def install_error_handlers(app: FastAPI) -> None:
    """Every error a user may see is JSON with its zh and en message; never a bare 500."""
    for exc_class, handler in HANDLERS:
        app.add_exception_handler(exc_class, handler)


class ContainFailuresMiddleware:
    """Answer an unexpected error with the JSON 500 here, and keep the connection open.

    Starlette's outermost error middleware re-raises after answering, and the
    server then drops the keep-alive connection: the client's next request on
    it would fail too. Failures are logged once, here.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if started:
                raise
            log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            body = error_body("internal", *_INTERNAL)
            await JSONResponse(body, status_code=500)(scope, receive, send)


class RejectNulMiddleware:
    """Refuse a URL carrying a NUL character (%00) before any route sees it.

    Query parameters are plain strings in every route; PostgreSQL cannot store
    or compare NUL, so one would surface as a database error, not a 422.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            query = scope.get("query_string", b"").lower()
            if b"%00" in query or b"\x00" in query or "\x00" in scope.get("path", ""):
                if scope["type"] == "http":
                    response = JSONResponse(
                        error_body(
                            "invalid",
                            "请求地址包含空字符",
                            "the URL contains a NUL character",
                            field="query",
                        ),
                        status_code=422,
                    )
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


class RequestSlotsMiddleware:
    """Let only so many requests into the worker threads at once; the rest wait here.

    A request holds a database connection (and, writing on SQLite, the one
    writer) from its first statement and needs a worker thread again to
    commit. With a thousand phones sending at once, every worker thread could
    be a request waiting for a connection or for the writer, while the request
    holding it waits for a thread to finish: nothing moves until timeouts
    answer 503. Waiting here, in the event loop, costs no thread. On SQLite
    only writes are counted (reads never wait for the writer); on PostgreSQL
    every request is, against the connection pool. Static files never wait.
    """

    def __init__(self, app: Any, slots: int, *, writes_only: bool) -> None:
        self.app = app
        self.slots = asyncio.Semaphore(slots)
        self.writes_only = writes_only

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        free = (
            scope["type"] != "http"
            or scope.get("path", "").startswith("/static/")
            or (self.writes_only and scope.get("method") in ("GET", "HEAD", "OPTIONS"))
        )
        if free:
            await self.app(scope, receive, send)
            return
        async with self.slots:
            await self.app(scope, receive, send)

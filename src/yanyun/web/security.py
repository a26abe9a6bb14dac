"""Security headers on every answer, set once here rather than per route.

Pages run only the scripts and styles served from this origin (no inline
script, no inline style attribute), may not be framed, and send no referrer;
API answers, which carry personal data, are never stored by a browser or a
proxy. The API documentation page is the one page that loads scripts from a
CDN; its policy allows exactly those and its own inline starter by hash.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOCS_PATH = "/docs"
_CDN = "https://cdn.jsdelivr.net"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def page_policy(tile_url: str | None) -> str:
    """The Content-Security-Policy of every page and answer but the API docs."""
    images = ["'self'", "data:", "blob:"]
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        if parts.scheme in ("http", "https") and parts.netloc:
            # Tile hosts often use {s} subdomains; allow the whole host family.
            host = parts.netloc
            if "{s}" in tile_url.split("//", 1)[-1].split("/", 1)[0]:
                host = "*." + host.split(".", 1)[1]
            images.append(f"{parts.scheme}://{host}")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {' '.join(images)}",
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _docs_page() -> tuple[bytes, str]:
    """The Swagger UI page and a policy that admits its CDN files and its one inline starter."""
    html = get_swagger_ui_html(openapi_url="/openapi.json", title="yanyun 雁云 API").body
    text = bytes(html).decode()
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _INLINE_SCRIPT.findall(text)
    )
    policy = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_CDN} {hashes}",
            f"style-src {_CDN}",
            "img-src 'self' data: https://fastapi.tiangolo.com",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    return bytes(html), policy


def install_api_docs(app: FastAPI) -> None:
    """Serve the API documentation under its own strict policy (the app has docs_url=None)."""
    body, policy = _docs_page()

    async def docs() -> HTMLResponse:
        return HTMLResponse(body, headers={"Content-Security-Policy": policy})

    app.add_api_route(DOCS_PATH, docs, methods=["GET"], include_in_schema=False)


class SecurityHeadersMiddleware:
    """Adds the headers to every HTTP answer; a route's own policy (the docs page) wins."""

    def __init__(self, app: ASGIApp, *, tile_url: str | None = None) -> None:
        self.app = app
        self.common = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"cross-origin-resource-policy", b"same-origin"),
            (b"permissions-policy", b"geolocation=(self), camera=(), microphone=(), payment=()"),
        ]
        self.policy = page_policy(tile_url).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        private = not path.startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = [h for h in self.common if h[0] not in names]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", self.policy))
                if private:
                    extra = [h for h in extra if h[0] != b"cache-control"]
                    headers = [h for h in headers if h[0].lower() != b"cache-control"]
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)

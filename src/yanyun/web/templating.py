"""Pages rendered from Jinja2 templates that share one layout (templates/_base.html).

The pages hold no per-request data (each fetches its JSON twin), so every
template is rendered once per process and served from memory.
"""

from __future__ import annotations

from functools import cache

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("yanyun.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def render(name: str) -> str:
    """The page's HTML; raises if the template uses a name it does not define."""
    return _environment().get_template(name).render()


def page(name: str) -> HTMLResponse:
    """Serve a rendered page."""
    return HTMLResponse(render(name))

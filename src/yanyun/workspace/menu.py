"""Which pages the shell offers a user, and where each role starts: pure, on values alone.

The rule of who may open a page is the page's own ``permission`` (the one its
JSON twin requires); nothing here repeats the role table. The phone pages
(under ``/m``) and pages needing a path parameter are never in the menu.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from yanyun.auth.permissions import Perm, Role
from yanyun.core.contexts import Page

#: The platform's functional areas in the order the top bar shows them.
MODULES: dict[str, tuple[str, str]] = {
    "workspace": ("工作台", "My desk"),
    "intel": ("情 · 情报", "Intelligence"),
    "command": ("指 · 指挥", "Command"),
    "duty": ("勤 · 勤务", "Duty"),
    "opinion": ("舆 · 舆情", "Opinion"),
    "oversight": ("督 · 督察", "Supervision"),
    "community": ("群防群治", "Community"),
    "cases": ("合成作战", "Cases"),
    "antifraud": ("反电诈", "Anti-fraud"),
}

#: Where a role starts after login (工作台 when the role's desk is not open to the user).
HOMES: dict[str, str] = {
    Role.dispatcher: "/console",
    Role.duty_manager: "/wall",
    Role.admin: "/map",
    Role.analyst: "/forecast",
    Role.opinion_officer: "/opinion",
    Role.supervisor: "/oversight/board",
    Role.station_chief: "/home",
    Role.station_officer: "/home",
    Role.volunteer: "/m/volunteer",
}
DEFAULT_HOME = "/home"


@dataclass(frozen=True)
class MenuEntry:
    path: str
    title_zh: str
    title_en: str
    module: str


def offered(page: Page, granted: frozenset[Perm]) -> bool:
    """Whether the menu offers ``page`` to someone holding ``granted``."""
    if not page.nav or "{" in page.path or page.path == "/m" or page.path.startswith("/m/"):
        return False
    if page.permission is None:
        return False
    try:
        return Perm(page.permission) in granted
    except ValueError:  # a permission no role holds
        return False


def menu(pages: Iterable[Page], granted: frozenset[Perm]) -> list[MenuEntry]:
    """The pages offered, grouped by module in the platform's order, each module's in its order."""
    order = {name: i for i, name in enumerate(MODULES)}
    chosen = [p for p in pages if offered(p, granted)]
    chosen.sort(key=lambda p: order.get(p.module, len(order)))
    return [MenuEntry(p.path, p.title_zh, p.title_en, p.module) for p in chosen]


def home_of(roles: Iterable[str], entries: list[MenuEntry]) -> str:
    """The first role's desk when the menu offers it, else the work list home."""
    paths = {e.path for e in entries}
    for role in roles:
        home = HOMES.get(role)
        if home is not None and (home in paths or home == DEFAULT_HOME or home.startswith("/m/")):
            return home
    return DEFAULT_HOME

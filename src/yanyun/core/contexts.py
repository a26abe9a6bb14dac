"""What a bounded context contributes to the platform, declared in one place.

Each context has a `manifest.py` holding one :class:`ContextManifest`. The
web app, the CLI and the demo build loop over the registry of manifests
(`yanyun.registry`) and know nothing of a context's insides. Heavy parts
(routers, CLI apps, jobs, handlers, demo builders) are named as
``"module:attribute"`` references and imported only by the edge that needs
them, so reading the registry (for the settings, say) stays cheap; a test
resolves every reference.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

if TYPE_CHECKING:
    from yanyun.core.db import Runtime



def resolve(reference: str) -> Any:
    """Import ``"package.module:attribute"`` (the attribute may be dotted)."""
    module_name, _, attribute = reference.partition(":")
    if not attribute:
        raise ValueError(f"a reference names module:attribute, not {reference!r}")
    value: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        value = getattr(value, part)
    return value


@dataclass(frozen=True)
class DemoStep:
    """One step of building the demo: its order among all contexts' steps, and its builder.

    The builder takes a :class:`DemoOptions` and the runtime and returns a
    line to print (or None when it had nothing to do, e.g. already built).
    """

    order: int
    build: str
    description: str = ""


@dataclass(frozen=True)
class DemoOptions:
    """What the person starting the demo chose."""

    history_days: int = 400
    live: bool = True
    #: Past incidents a day (the demo's own rate when None; a real city's is about 800).
    history_per_day: float | None = None


@dataclass(frozen=True)
class Page:
    """A server-rendered page: its path, its template, its title, and who may open it.

    Pages are shells that read their JSON twins; ``permission`` (a permission
    name) says which users the navigation offers it to, and ``module`` which
    part of the platform it belongs to (情 指 勤 舆 督 and the rest).
    """

    path: str
    template: str
    title_zh: str
    title_en: str
    module: str
    permission: str | None = None
    nav: bool = True


@dataclass(frozen=True)
class CliEntry:
    """A context's command-line part: a Typer app under ``name``, or ``register(app)``."""

    reference: str
    name: str | None = None


class CliHost(Protocol):
    """What the root command line gives a context's commands (as Typer's ``ctx.obj``).

    A context's commands never build settings or runtimes themselves: the
    root knows every context's settings section and the demo build order.
    """

    def settings(self) -> Any:
        """The deployment's settings, or exit 2 with the reason in zh and en."""
        ...

    def runtime(self, settings: Any | None = None, *, migrate: bool = True) -> Runtime:
        """A runtime on the settings' database, migrated first."""
        ...

    def demo_runtime(self, settings: Any | None = None, *, through: int = 50) -> Runtime:
        """A migrated runtime whose demo steps up to order ``through`` have run (once)."""
        ...


@dataclass(frozen=True)
class ContextManifest:
    """Everything one context contributes: the registry reads nothing else of it.

    - ``settings``: its settings section (name, model); ``YANYUN_<NAME>__...``.
    - ``models``: modules holding its tables (for migrations and tests).
    - ``events``: modules holding the typed events it publishes.
    - ``routers``: its FastAPI routers (the JSON API).
    - ``pages``: its server-rendered pages (templates under ``yanyun/web``).
    - ``subscriptions``: references to lists of `Subscription` (event handlers).
    - ``jobs``: references to lists of `Job` (periodic work).
    - ``demo``: steps that build its part of the demo city.
    - ``cli``: its command-line sub-apps.
    - ``warm_up``: references to functions of the runtime run once at start.
    - ``work_checks``: references to functions ``(session, user_id, reference) -> bool``
      saying whether a case or incident number is that user's live work (what
      a personal-data read may be bound to, `core.audit.bind_to_work`).
    - ``work_members``: references to functions ``(session, reference) -> user ids``
      naming who works a case or incident (the audience of events about it,
      `core.audit.work_audience`).
    - ``live``: what keeps the demo alive beside the server: functions
      ``start(runtime, calls_per_hour=, seed=)`` returning a handle with ``stop()``.
    - ``layer``: its place in the dependency order (lower is more basic);
      the registry lists contexts in this order.
    """

    name: str
    label_zh: str
    label_en: str
    layer: int
    settings: tuple[str, type[BaseModel]] | None = None
    models: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    routers: tuple[str, ...] = ()
    pages: tuple[Page, ...] = ()
    subscriptions: tuple[str, ...] = ()
    jobs: tuple[str, ...] = ()
    demo: tuple[DemoStep, ...] = ()
    cli: tuple[CliEntry, ...] = ()
    warm_up: tuple[str, ...] = ()
    work_checks: tuple[str, ...] = ()
    live: tuple[str, ...] = ()
    work_members: tuple[str, ...] = ()
    description: str = ""

    def references(self) -> list[str]:
        """Every ``module:attribute`` this manifest names (the registry test resolves them)."""
        return [
            *self.routers,
            *self.subscriptions,
            *self.jobs,
            *(step.build for step in self.demo),
            *(entry.reference for entry in self.cli),
            *self.warm_up,
            *self.work_checks,
            *self.live,
            *self.work_members,
        ]

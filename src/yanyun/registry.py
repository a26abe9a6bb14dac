"""The registry of bounded contexts: every package of yanyun with a `manifest.py`.

A context registers itself by having a manifest; nothing here names one.
The web app, the CLI, the demo build, the migrations and the tests ask the
registry for routers, jobs, event subscriptions, demo steps, CLI apps,
settings sections and table modules, in the contexts' dependency order.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any

import yanyun
from yanyun.core.config import CoreSettings, assemble_settings
from yanyun.core.contexts import CliEntry, ContextManifest, DemoStep, Page, resolve

#: The kernel's own tables: the outbox, its readers' cursors, the audit log, the jobs.
CORE_MODEL_MODULES = (
    "yanyun.core.events", "yanyun.core.cursors", "yanyun.core.audit", "yanyun.core.jobs",
    "yanyun.core.once", "yanyun.core.sequences", "yanyun.core.products",
)


@cache
def manifests() -> tuple[ContextManifest, ...]:
    """Every context's manifest, most basic first (by layer, then name)."""
    found = []
    for info in pkgutil.iter_modules(yanyun.__path__):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"yanyun.{info.name}.manifest")
        except ModuleNotFoundError as exc:
            if exc.name == f"yanyun.{info.name}.manifest":
                continue
            raise
        manifest = module.manifest
        if not isinstance(manifest, ContextManifest):
            raise TypeError(f"yanyun.{info.name}.manifest.manifest is not a ContextManifest")
        if manifest.name != info.name:
            raise ValueError(f"the manifest of yanyun.{info.name} names itself {manifest.name!r}")
        found.append(manifest)
    return tuple(sorted(found, key=lambda m: (m.layer, m.name)))


def manifest(name: str) -> ContextManifest:
    """One context's manifest by name."""
    for m in manifests():
        if m.name == name:
            return m
    raise KeyError(name)


@cache
def settings_class() -> type[CoreSettings]:
    """The kernel's settings with every context's section (``YANYUN_<SECTION>__...``)."""
    sections = {}
    for m in manifests():
        if m.settings is not None:
            name, model = m.settings
            if name in sections:
                raise ValueError(f"two contexts declare the settings section {name!r}")
            sections[name] = model
    return assemble_settings(sections)


def load_settings(**overrides: object) -> Any:
    """Build settings from the environment, with explicit overrides on top."""
    return settings_class()(**overrides)


def __getattr__(name: str) -> Any:
    # `from yanyun.registry import Settings` assembles the class on first use.
    if name == "Settings":
        return settings_class()
    raise AttributeError(name)


def _resolved(references: list[str]) -> list[Any]:
    return [resolve(ref) for ref in references]


def routers() -> list[Any]:
    """Every context's API routers, in dependency order."""
    return _resolved([r for m in manifests() for r in m.routers])


def pages() -> list[tuple[ContextManifest, Page]]:
    """Every context's server-rendered pages."""
    return [(m, page) for m in manifests() for page in m.pages]


def subscriptions() -> list[Any]:
    """Every durable event handler of every context."""
    return [sub for m in manifests() for ref in m.subscriptions for sub in resolve(ref)]


def jobs() -> list[Any]:
    """Every periodic job of every context."""
    return [job for m in manifests() for ref in m.jobs for job in resolve(ref)]


def warm_ups() -> list[Any]:
    """Functions of the runtime run once when a server starts."""
    return _resolved([w for m in manifests() for w in m.warm_up])


def live_starters() -> list[Any]:
    """What keeps the demo alive beside the server (the simulated 110 calls)."""
    return _resolved([ref for m in manifests() for ref in m.live])


def demo_steps() -> list[tuple[ContextManifest, DemoStep]]:
    """Every context's demo builders in build order."""
    steps = [(m, step) for m in manifests() for step in m.demo]
    return sorted(steps, key=lambda pair: (pair[1].order, pair[0].layer, pair[0].name))


def cli_entries() -> list[tuple[ContextManifest, CliEntry]]:
    """Every context's command-line part."""
    return [(m, entry) for m in manifests() for entry in m.cli]


def model_modules() -> tuple[str, ...]:
    """Every module that defines tables: the kernel's, then each context's."""
    return (*CORE_MODEL_MODULES, *(mod for m in manifests() for mod in m.models))


def import_all_models() -> None:
    """Import every table module so one metadata knows every table (migrations, tests)."""
    for name in model_modules():
        importlib.import_module(name)


def import_all_events() -> None:
    """Import every context's event modules so each kind's schema is known."""
    for m in manifests():
        for name in m.events:
            importlib.import_module(name)


def install_work_checks() -> None:
    """Tell the audit what a personal-data read may be bound to: every context's checks.

    Called by each edge (the web app, the command line, the tests) before the
    first request; without it the kernel refuses every personal-data read.
    """
    from yanyun.core import audit

    audit.install_work_checks(
        tuple(resolve(ref) for m in manifests() for ref in m.work_checks)
    )
    audit.install_work_members(
        tuple(resolve(ref) for m in manifests() for ref in m.work_members)
    )

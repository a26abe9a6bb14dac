"""The registry of every context's tables, for migrations and tests."""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "yanyun.core.events",
    "yanyun.core.audit",
    "yanyun.core.consumers",
    "yanyun.auth.models",
    "yanyun.geo.models",
    "yanyun.command.models",
    "yanyun.oversight.models",
    "yanyun.opinion.models",
    "yanyun.duty.models",
    "yanyun.intel.models",
    "yanyun.community.models",
)


def import_all_models() -> None:
    """Import each context's models so Base.metadata knows every table."""
    for name in MODEL_MODULES:
        importlib.import_module(name)

"""The platform's shape: every context registered, complete, wired only through the registry."""

from __future__ import annotations

import ast
import pkgutil
import re
from pathlib import Path

import pytest

import yanyun
from yanyun import registry
from yanyun.core import events
from yanyun.core.bus import Subscription
from yanyun.core.contexts import ContextManifest, DemoStep, resolve
from yanyun.core.jobs import Job

SRC = Path(yanyun.__file__).resolve().parent
DOCS = SRC.parents[1] / "docs" / "architecture.md"
CONTEXTS = {m.name for m in registry.manifests()}
# Packages that are not contexts: the kernel, the published event language, the edges.
NOT_CONTEXTS = {"core", "events", "web", "cli", "data", "migrations"}


def test_every_package_is_a_context_or_named_as_platform():
    packages = {info.name for info in pkgutil.iter_modules(yanyun.__path__) if info.ispkg}
    assert packages - NOT_CONTEXTS == CONTEXTS


@pytest.mark.parametrize("manifest", registry.manifests(), ids=lambda m: m.name)
def test_a_manifest_names_only_what_exists(manifest: ContextManifest):
    for reference in manifest.references():
        assert reference.startswith(f"yanyun.{manifest.name}."), (
            f"{manifest.name} names {reference}: a context contributes its own modules only"
        )
        resolve(reference)
    for module in (*manifest.models, *manifest.events):
        __import__(module)
    for ref in manifest.subscriptions:
        subs = resolve(ref)
        assert subs and all(isinstance(s, Subscription) for s in subs)
        assert all(s.consumer.startswith(f"{manifest.name}.") for s in subs)
    for ref in manifest.jobs:
        jobs = resolve(ref)
        assert jobs and all(isinstance(j, Job) for j in jobs)
        assert all(j.name.startswith(f"{manifest.name}.") for j in jobs)
    assert all(isinstance(step, DemoStep) for step in manifest.demo)
    if manifest.settings is not None:
        name, model = manifest.settings
        assert getattr(registry.load_settings(), name).__class__ is model
    for page in manifest.pages:
        assert (SRC / "web" / "templates" / page.template).exists(), page.template
        assert page.title_zh and page.title_en


def test_the_registry_lists_contexts_in_dependency_order():
    layers = [m.layer for m in registry.manifests()]
    assert layers == sorted(layers)
    assert [m.name for m in registry.manifests()][:2] == ["auth", "geo"]


def test_names_are_unique_across_contexts():
    consumers = [s.consumer for s in registry.subscriptions()]
    jobs = [j.name for j in registry.jobs()]
    paths = [page.path for _, page in registry.pages()]
    orders = [step.order for _, step in registry.demo_steps()]
    for what, names in (("consumer", consumers), ("job", jobs), ("page", paths),
                        ("demo order", orders)):
        assert len(names) == len(set(names)), f"a {what} appears twice: {names}"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("edge", ["web/app.py", "cli/main.py"])
def test_the_edges_import_no_contexts_insides(edge: str):
    """The app factory and the CLI root loop over the registry; they name no context's module."""
    # The route-permission markers are the one thing every edge may use of auth.
    allowed = {"yanyun.auth.deps"}
    offending = sorted(
        module for module in _imports(SRC / edge)
        if module.split(".")[:2][-1] in CONTEXTS and module not in allowed
    )
    assert not offending, f"{edge} imports {offending}"


def test_contexts_publish_typed_events_only():
    """No context writes an untyped event: every kind it publishes has a schema."""
    untyped = []
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC)
        if relative.parts[0] in NOT_CONTEXTS:
            continue
        if re.search(r"\bevents\.emit\(", path.read_text(encoding="utf-8")):
            untyped.append(str(relative))
    assert not untyped, f"untyped events.emit in {untyped}"


def test_every_handler_subscribes_to_kinds_with_schemas():
    registry.import_all_events()
    known = events.known_kinds()
    for sub in registry.subscriptions():
        assert sub.events, sub.consumer
        for kind in sub.kinds:
            assert kind in known, (sub.consumer, kind)


def test_every_event_schema_lives_in_a_declared_event_module():
    registry.import_all_events()
    declared = {mod for m in registry.manifests() for mod in m.events}
    for kind, cls in events.known_kinds().items():
        if kind.startswith("test."):
            continue
        assert cls.__module__ in declared, (kind, cls.__module__)
        assert cls.resource_type, kind


def test_the_architecture_doc_names_every_context():
    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name in CONTEXTS if f"`{name}`" not in text and f"{name}/" not in text]
    assert not missing, f"docs/architecture.md does not name {missing}"

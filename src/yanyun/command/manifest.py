"""What command 指 contributes: incidents, dispatch, units, the 1-3-5 clock, the live map."""

from yanyun.command.settings import CommandSettings
from yanyun.core.contexts import ContextManifest, DemoStep, Page

manifest = ContextManifest(
    name="command",
    label_zh="指挥调度",
    label_en="Command",
    layer=40,
    settings=("command", CommandSettings),
    models=("yanyun.command.models",),
    events=("yanyun.events.command",),
    routers=("yanyun.command.api:router", "yanyun.command.units_api:router"),
    pages=(
        Page("/map", "map.html", "态势地图", "Live map", module="command",
             permission="map:read"),
        Page("/console", "console.html", "接处警台", "Dispatch console", module="command",
             permission="incidents:write"),
        Page("/wall", "wall.html", "指挥大屏", "Commander's wall", module="command",
             permission="incidents:read"),
    ),
    subscriptions=("yanyun.command.handlers:SUBSCRIPTIONS",),
    jobs=("yanyun.command.jobs:JOBS",),
    demo=(
        DemoStep(order=30, build="yanyun.command.demo:build_fleet_demo",
                 description="the fleet and its quick-response circles"),
    ),
    warm_up=("yanyun.command.deps:warm_up",),
    work_checks=("yanyun.command.guard:dispatcher_works_on",),
)

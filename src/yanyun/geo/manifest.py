"""What geo contributes: the city's districts, stations and grids, point resolution."""

from yanyun.core.contexts import CliEntry, ContextManifest, DemoStep
from yanyun.geo.settings import CitySettings

manifest = ContextManifest(
    name="geo",
    label_zh="地理",
    label_en="Geography",
    layer=20,
    settings=("city", CitySettings),
    models=("yanyun.geo.models",),
    events=("yanyun.events.geo",),
    routers=("yanyun.geo.api:router",),
    demo=(DemoStep(order=10, build="yanyun.geo.demo:build_demo",
                   description="districts, stations and grids from the real boundaries"),),
    cli=(CliEntry("yanyun.geo.cli:app", name="city"),),
    warm_up=("yanyun.geo.service:warm_up",),
)

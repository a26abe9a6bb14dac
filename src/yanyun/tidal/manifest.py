"""What tidal deployment contributes: the plan of a day, its page, its adoption."""

from yanyun.core.contexts import ContextManifest, DemoStep, Page

manifest = ContextManifest(
    name="tidal",
    label_zh="潮汐警力",
    label_en="Tidal deployment",
    layer=70,
    models=("yanyun.tidal.models",),
    routers=("yanyun.tidal.api:router",),
    pages=(
        Page("/duty/tidal", "duty_tidal.html", "潮汐警力", "Tidal deployment", module="duty",
             permission="duty:read"),
    ),
    jobs=("yanyun.tidal.jobs:JOBS",),
    demo=(DemoStep(order=98, build="yanyun.tidal.jobs:build_demo_step",
                   description="today's and tomorrow's plans, so the first page finds them"),),
    description="joins duty (its units and settings) and stats (the forecast) through their "
    "public modules",
)

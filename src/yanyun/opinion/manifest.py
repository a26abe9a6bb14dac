"""What public opinion 舆 contributes: posts in, events grouped, checked and handled."""

from yanyun.core.contexts import CliEntry, ContextManifest, DemoStep, Page
from yanyun.opinion.settings import OpinionSettings

manifest = ContextManifest(
    name="opinion",
    label_zh="舆情",
    label_en="Public opinion",
    layer=40,
    settings=("opinion", OpinionSettings),
    models=("yanyun.opinion.models",),
    events=("yanyun.events.opinion",),
    routers=("yanyun.opinion.api:router",),
    pages=(
        Page("/opinion", "opinion.html", "舆情", "Public opinion", module="opinion",
             permission="opinion:read"),
    ),
    subscriptions=("yanyun.opinion.handlers:SUBSCRIPTIONS",),
    demo=(DemoStep(order=90, build="yanyun.opinion.demo:build_demo_step",
                   description="two days of invented public posts"),),
    cli=(CliEntry("yanyun.opinion.cli:app", name="opinion"),),
)

"""What statistics contributes: hotspots and the next-day forecast, the backtest CLI."""

from yanyun.core.contexts import CliEntry, ContextManifest, DemoStep, Page
from yanyun.stats.settings import StatsSettings

manifest = ContextManifest(
    name="stats",
    label_zh="研判分析",
    label_en="Analysis",
    layer=60,
    settings=("stats", StatsSettings),
    routers=("yanyun.stats.api:router",),
    pages=(
        Page("/forecast", "forecast.html", "警情预测", "Forecast", module="intel",
             permission="forecast:read"),
    ),
    cli=(CliEntry("yanyun.stats.cli:register"),),
    jobs=("yanyun.stats.jobs:JOBS",),
    demo=(DemoStep(order=97, build="yanyun.stats.jobs:build_demo_step",
                   description="the day's forecasts, so the first page finds them"),),
)

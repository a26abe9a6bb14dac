"""What statistics contributes: hotspots and the next-day forecast, the backtest CLI."""

from yanyun.core.contexts import CliEntry, ContextManifest, Page
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
)

"""What the yardstick (考核) contributes: 四下降两提升 as code, daily figures, 警情回访."""

from yanyun.core.contexts import ContextManifest, DemoStep, Page
from yanyun.yardstick.settings import YardstickSettings

manifest = ContextManifest(
    name="yardstick",
    label_zh="考核评价",
    label_en="Yardstick",
    layer=60,
    settings=("yardstick", YardstickSettings),
    models=("yanyun.yardstick.models",),
    routers=("yanyun.yardstick.api:router",),
    pages=(
        Page("/kpi", "kpi.html", "考核指标", "Yardstick", module="oversight",
             permission="kpi:read"),
        Page("/survey", "survey.html", "警情回访", "How did we do?", module="oversight",
             nav=False),
    ),
    subscriptions=("yanyun.yardstick.handlers:SUBSCRIPTIONS",),
    jobs=("yanyun.yardstick.jobs:JOBS",),
    work_checks=("yanyun.yardstick.callbacks:calls_back_on",),
    demo=(
        DemoStep(order=85, build="yanyun.yardstick.demo:figures_and_callbacks",
                 description="daily figures over the past; synthetic callback answers"),
    ),
    description="reads command's incidents through its own daily figures (recounted per "
    "station-day from events); asks supervision for a task when a caller is unsatisfied",
)

"""What supervision 督 contributes: tasks from every context, the daily list, 日清零, audit."""

from yanyun.core.contexts import ContextManifest, DemoStep, Page
from yanyun.oversight.settings import OversightSettings

manifest = ContextManifest(
    name="oversight",
    label_zh="督察督办",
    label_en="Supervision",
    layer=40,
    settings=("oversight", OversightSettings),
    models=("yanyun.oversight.models",),
    events=("yanyun.events.oversight",),
    routers=("yanyun.oversight.api:router",),
    pages=(
        Page("/oversight/worklist", "oversight_worklist.html", "每日工作清单", "Work list",
             module="oversight", permission="tasks:read"),
        Page("/oversight/board", "oversight_board.html", "日清零", "Daily clearing",
             module="oversight", permission="tasks:scope"),
        Page("/oversight/risks", "oversight_risks.html", "风险隐患", "Risk register",
             module="oversight", permission="risks:read"),
        Page("/oversight/audit", "oversight_audit.html", "审计", "Audit",
             module="oversight", permission="audit:review"),
    ),
    subscriptions=("yanyun.oversight.handlers:SUBSCRIPTIONS",),
    jobs=("yanyun.oversight.jobs:JOBS",),
    demo=(DemoStep(order=60, build="yanyun.oversight.demo:build_demo_step",
                   description="a week of supervised tasks and their clearing"),),
)

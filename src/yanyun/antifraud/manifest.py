"""What anti-fraud early warning (反电诈) contributes: warnings in, graded, routed, followed."""

from yanyun.antifraud.settings import AntifraudSettings
from yanyun.core.contexts import ContextManifest, DemoStep, Page

manifest = ContextManifest(
    name="antifraud",
    label_zh="反电诈",
    label_en="Anti-fraud",
    layer=50,
    settings=("antifraud", AntifraudSettings),
    models=("yanyun.antifraud.models",),
    events=("yanyun.events.antifraud",),
    routers=("yanyun.antifraud.api:router", "yanyun.antifraud.desk_api:router"),
    pages=(
        Page("/antifraud", "antifraud.html", "反电诈预警", "Anti-fraud desk",
             module="antifraud", permission="antifraud:read"),
    ),
    subscriptions=("yanyun.antifraud.handlers:SUBSCRIPTIONS",),
    jobs=("yanyun.antifraud.jobs:JOBS",),
    demo=(DemoStep(order=95, build="yanyun.antifraud.demo:build_demo_step",
                   description="a synthetic stream of fraud warnings (labelled synthetic)"),),
    work_checks=("yanyun.antifraud.service:handles_warning",),
    description="warnings from the anti-fraud centres, banks and carriers are graded by a "
    "versioned rule file, routed to the victim's station with deadlines, and followed to "
    "their outcome; overdue ones become supervised tasks through task.requested",
)

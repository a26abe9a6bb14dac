"""What duty 勤 contributes: officers, rosters that crew the units, duty levels, posts."""

from yanyun.core.contexts import ContextManifest, Page
from yanyun.duty.settings import DutySettings

manifest = ContextManifest(
    name="duty",
    label_zh="勤务",
    label_en="Duty",
    layer=40,
    settings=("duty", DutySettings),
    models=("yanyun.duty.models",),
    events=("yanyun.events.duty",),
    routers=("yanyun.duty.api:router",),
    pages=(
        Page("/duty", "duty.html", "勤务", "Duty", module="duty", permission="duty:read"),
    ),
    jobs=("yanyun.duty.jobs:JOBS",),
)

"""What the field app contributes: the crew's phone API, applied exactly once."""

from yanyun.core.contexts import ContextManifest, Page
from yanyun.field.settings import FieldSettings

manifest = ContextManifest(
    name="field",
    label_zh="一线",
    label_en="Field",
    layer=50,
    settings=("field", FieldSettings),
    models=("yanyun.field.models",),
    routers=("yanyun.field.api:router", "yanyun.field.tips_api:router"),
    pages=(
        Page("/m", "field.html", "一线移动端", "Field app", module="field",
             permission="field:act"),
        Page("/tip", "tip.html", "线索举报", "Report a tip", module="field", nav=False),
    ),
    subscriptions=("yanyun.field.handlers:SUBSCRIPTIONS",),
    work_checks=("yanyun.field.service:crew_works_on",),
    jobs=("yanyun.field.jobs:JOBS",),
    description="acts for units through command's services (flat dispatch gives a crew "
    "authority over the incidents its unit is sent to); every action keyed and applied once",
)

"""What community policing 群防群治 contributes: grids 1+1+N, volunteers, villages, disputes."""

from yanyun.community.settings import CommunitySettings
from yanyun.core.contexts import ContextManifest, DemoStep, Page

manifest = ContextManifest(
    name="community",
    label_zh="群防群治",
    label_en="Community",
    layer=40,
    settings=("community", CommunitySettings),
    models=("yanyun.community.models",),
    events=("yanyun.events.community",),
    routers=("yanyun.community.api:router",),
    pages=(
        Page("/community", "community.html", "网格警务", "Grid policing", module="community",
             permission="community:read"),
        Page("/volunteers", "volunteers.html", "义警与一呼百应", "Volunteers",
             module="community", permission="community:read"),
        Page("/m/volunteer", "volunteer_app.html", "义警端", "Volunteer app",
             module="community", permission="volunteer:self"),
    ),
    subscriptions=("yanyun.community.handlers:SUBSCRIPTIONS",),
    jobs=("yanyun.community.jobs:JOBS",),
    demo=(DemoStep(order=50, build="yanyun.community.demo:build_demo",
                   description="121,000 volunteers, villages, enterprises, disputes"),),
)

"""What case work (合成作战) contributes: cases, their members and the purpose guard's cases."""

from yanyun.core.contexts import ContextManifest, DemoStep, Page

manifest = ContextManifest(
    name="cases",
    label_zh="合成作战",
    label_en="Cases",
    layer=50,
    models=("yanyun.cases.models",),
    events=("yanyun.events.cases",),
    routers=("yanyun.cases.api:router",),
    pages=(
        Page("/cases", "cases.html", "合成作战", "Cases", module="cases",
             permission="cases:read"),
        Page("/cases/{case_id}", "case.html", "案件工作台", "Case workspace", module="cases",
             permission="cases:read", nav=False),
    ),
    subscriptions=("yanyun.cases.handlers:SUBSCRIPTIONS",),
    demo=(DemoStep(order=75, build="yanyun.cases.demo:build_demo",
                   description="the G107 hit-and-run: cameras, the e-bike's passages, its owner"),),
    work_checks=("yanyun.cases.service:member_of_open_case",),
    work_members=("yanyun.cases.service:members_of_case",),
    description="a case takes in incidents from command; every personal-data search names "
    "an open case the searcher is a member of (or an incident they work)",
)

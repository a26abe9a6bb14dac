"""What the simulator contributes: the demo's staffing and past, its live calls, `yanyun sim`."""

from yanyun.core.contexts import CliEntry, ContextManifest, DemoStep, Page

manifest = ContextManifest(
    name="sim",
    label_zh="模拟",
    label_en="Simulator",
    layer=80,
    routers=("yanyun.sim.tidal_api:router",),
    pages=(
        Page("/duty/tidal", "duty_tidal.html", "潮汐警力", "Tidal deployment", module="duty",
             permission="duty:read"),
    ),
    demo=(
        DemoStep(order=40, build="yanyun.sim.demo:staff_the_fleet",
                 description="9,201 officers on rotating rosters crew the fleet"),
        DemoStep(order=80, build="yanyun.sim.demo:past_incidents",
                 description="past incidents for the forecast and the wall"),
    ),
    live=("yanyun.sim.live:start_live",),
    cli=(CliEntry("yanyun.sim.cli:register"), CliEntry("yanyun.sim.tidal_cli:register")),
)

"""What the simulator contributes: the demo's staffing and past, its live calls, `sim`, `tidal`."""

from yanyun.core.contexts import CliEntry, ContextManifest, DemoStep

manifest = ContextManifest(
    name="sim",
    label_zh="模拟",
    label_en="Simulator",
    layer=80,
    demo=(
        DemoStep(order=40, build="yanyun.sim.demo:staff_the_fleet",
                 description="9,201 officers on rotating rosters crew the fleet"),
        DemoStep(order=80, build="yanyun.sim.demo:past_incidents",
                 description="past incidents for the forecast and the wall"),
    ),
    live=("yanyun.sim.live:start_live",),
    cli=(CliEntry("yanyun.sim.cli:register"), CliEntry("yanyun.sim.tidal_cli:register")),
)

"""What the simulator contributes: the `yanyun sim` command, the live demo's calls, tidal checks."""

from yanyun.core.contexts import CliEntry, ContextManifest, Page

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
    cli=(CliEntry("yanyun.sim.cli:register"), CliEntry("yanyun.sim.tidal_cli:register")),
)

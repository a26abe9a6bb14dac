"""What intelligence 情 contributes: the data pool of sightings, plate search, cameras."""

from yanyun.core.contexts import CliEntry, ContextManifest, DemoStep, Page
from yanyun.intel.settings import IntelSettings

manifest = ContextManifest(
    name="intel",
    label_zh="情报",
    label_en="Intelligence",
    layer=40,
    settings=("intel", IntelSettings),
    models=("yanyun.intel.models",),
    events=("yanyun.events.intel",),
    routers=("yanyun.intel.api:router",),
    pages=(
        Page("/intel/plates", "plates.html", "车辆轨迹", "Plate trajectories", module="intel",
             permission="sightings:search"),
        # The e-bike register's page is for the stations that keep it (登记、过户、注销、导入).
        Page("/intel/ebikes", "ebikes.html", "电动车登记", "E-bike register", module="intel",
             permission="registrations:write"),
    ),
    jobs=("yanyun.intel.jobs:JOBS",),
    demo=(DemoStep(order=70, build="yanyun.intel.demo:build_demo",
                   description="cameras, registrations and a pool of sightings"),),
    cli=(CliEntry("yanyun.intel.cli:app", name="intel"),),
)

"""What the workspace contributes: the shell's API (menu, home, inbox, search) and the home page.

It owns no police concept of its own: it reads the other contexts through
their services, and the pages and permissions through the registry.
"""

from yanyun.core.contexts import ContextManifest, Page

manifest = ContextManifest(
    name="workspace",
    label_zh="工作台",
    label_en="Workspace",
    layer=90,
    models=("yanyun.workspace.models",),
    routers=("yanyun.workspace.api:router",),
    pages=(
        Page("/home", "home.html", "工作台", "My desk", module="workspace",
             permission="map:read"),
    ),
    description="the shell every office page carries: the modules a role may open (from the "
    "pages' own permissions), a home per role, one inbox across contexts (read marks per "
    "user) and one search box",
)

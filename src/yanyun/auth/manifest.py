"""What auth contributes: users, roles and tokens, the login API, the demo users."""

from yanyun.auth.settings import AuthSettings
from yanyun.core.contexts import ContextManifest, DemoStep

manifest = ContextManifest(
    name="auth",
    label_zh="用户与权限",
    label_en="Users and permissions",
    layer=10,
    settings=("auth", AuthSettings),
    models=("yanyun.auth.models",),
    events=("yanyun.events.auth",),
    routers=("yanyun.auth.api:router",),
    demo=(DemoStep(order=20, build="yanyun.auth.demo:build_demo",
                   description="the eight demo users, one per role"),),
)

"""Settings of logins and tokens (``YANYUN_AUTH__...``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AuthSettings(BaseModel):
    """Logins and tokens."""

    token_ttl_s: int = Field(12 * 3600, ge=60, description="Lifetime of a login token (s).")
    max_failed_logins: int = Field(
        5, ge=1, description="Failed logins per user name in the window before it is throttled."
    )
    failed_login_window_s: int = Field(
        900, ge=10, description="Window over which failed logins are counted (s)."
    )

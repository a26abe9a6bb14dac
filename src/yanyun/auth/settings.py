"""Settings of logins and tokens (``YANYUN_AUTH__...``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AuthSettings(BaseModel):
    """Logins and tokens."""

    token_ttl_s: int = Field(12 * 3600, ge=60, description="Lifetime of a login token (s).")
    max_failed_logins: int = Field(
        5,
        ge=1,
        description="Failed logins for one user name from one client in the window before that"
        " client is throttled for that name (others can still log in as it).",
    )
    max_failed_logins_per_client: int = Field(
        20, ge=1, description="Failed logins from one client, any names, in the window."
    )
    failed_login_window_s: int = Field(
        900, ge=10, description="Window over which failed logins are counted (s)."
    )

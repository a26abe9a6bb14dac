"""Events of users and org units."""

from __future__ import annotations

from yanyun.core.events import Event


class UserCreated(Event):
    """A user account was made."""

    kinds = ("user.created",)
    resource_type = "app_user"

    username: str
    roles: list[str]

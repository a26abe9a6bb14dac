"""Domain errors with messages in Chinese and English.

Services raise these; only the web layer turns them into HTTP answers, so the
same service runs unchanged under the CLI or the simulator.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a user may see; `code` is stable for clients."""

    code = "error"
    status = 400

    def __init__(self, message_zh: str, message_en: str, **details: Any) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en
        self.details = details


class NotFound(DomainError):
    code = "not_found"
    status = 404

    def __init__(self, resource: str, key: object) -> None:
        super().__init__(
            f"未找到{resource}：{key}",
            f"{resource} not found: {key}",
            resource=resource,
            key=str(key),
        )


class Conflict(DomainError):
    code = "conflict"
    status = 409


class Invalid(DomainError):
    """Input that parsed but breaks a rule; `field` names what to fix."""

    code = "invalid"
    status = 422

    def __init__(self, field: str, message_zh: str, message_en: str, **details: Any) -> None:
        super().__init__(message_zh, message_en, field=field, **details)
        self.field = field


class Unauthenticated(DomainError):
    code = "unauthenticated"
    status = 401


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403


class TooLarge(DomainError):
    """A body over its limit: refused before it is read to the end."""

    code = "too_large"
    status = 413

    def __init__(self, field: str, message_zh: str, message_en: str, **details: Any) -> None:
        super().__init__(message_zh, message_en, field=field, **details)
        self.field = field


class Throttled(DomainError):
    code = "throttled"
    status = 429

    def __init__(self, message_zh: str, message_en: str, retry_after_s: int) -> None:
        super().__init__(message_zh, message_en, retry_after_s=retry_after_s)
        self.retry_after_s = retry_after_s


class OutsideJurisdiction(DomainError):
    """A point or record that lies outside the city this deployment serves."""

    code = "outside_jurisdiction"
    status = 422

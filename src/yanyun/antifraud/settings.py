"""Settings of anti-fraud early warning (``YANYUN_ANTIFRAUD__...``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator

#: The shipped secret: good for development and tests only; the push refuses it elsewhere.
DEV_PUSH_SECRET = "dev-antifraud-push-secret"
#: The shipped bank secret, refused outside development and tests as the push's is.
DEV_BANK_SECRET = "dev-antifraud-bank-secret"


class AntifraudSettings(BaseModel):
    """The push secret, the grading rules and the deadlines of each grade."""

    push_secret: str = Field(
        DEV_PUSH_SECRET, min_length=16,
        description="Shared secret of the warning push (HMAC-SHA256 of the body, hex, in the "
        "X-Yanyun-Signature header); each sender centre is given it out of band.",
    )
    rules_path: Path | None = Field(
        None, description="A grading rule file (TOML) to use instead of the packaged "
        "antifraud/rules.toml."
    )
    high_phone_min: int = Field(10, ge=1, le=1440,
                                description="High grade: phone contact within (min).")
    high_visit_min: int = Field(60, ge=1, le=10080,
                                description="High grade: in person within (min).")
    medium_phone_min: int = Field(30, ge=1, le=1440,
                                  description="Medium grade: phone contact within (min).")
    medium_visit_min: int = Field(240, ge=1, le=10080,
                                  description="Medium grade: in person within (min).")
    low_phone_min: int = Field(120, ge=1, le=10080,
                               description="Low grade: phone contact within (min).")
    low_visit_min: int = Field(1440, ge=1, le=20160,
                               description="Low grade: in person within (min).")
    overdue_scan_s: float = Field(60.0, ge=5, le=3600,
                                  description="How often overdue warnings are looked for (s).")
    supervised_task_hours: int = Field(
        4, ge=1, le=72, description="Deadline of the 督办 task an overdue warning becomes (h)."
    )
    max_rows_per_batch: int = Field(50_000, ge=1, le=500_000,
                                    description="Rows one push or file may carry.")
    demo_warnings_per_day: int = Field(
        1650, ge=0, le=5000, description="Synthetic warnings the demo city gets per day (the "
        "seed's rate: 29.8万 a half-year).",
    )
    bank_adapter: Literal["record", "webhook"] = Field(
        "record", description="How a stop-payment (止付冻结) reaches the bank: record (kept "
        "only; the officer states what the bank stopped) or webhook (a signed JSON POST to "
        "bank_url; the bank answers on the signed callback).",
    )
    bank_url: str | None = Field(
        None, max_length=500, description="The bank endpoint the webhook adapter POSTs "
        "stop-payment requests to.",
    )
    bank_secret: SecretStr = Field(
        SecretStr(DEV_BANK_SECRET), min_length=16,
        description="Signs requests to the bank and checks its callbacks (HMAC-SHA256 of the "
        "body, hex, in X-Yanyun-Signature).",
    )
    bank_timeout_s: float = Field(5.0, gt=0, le=60,
                                  description="Timeout of one request to the bank (s).")
    bank_max_attempts: int = Field(5, ge=1, le=50,
                                   description="Sends tried before a request is failed.")
    bank_retry_s: float = Field(30.0, ge=1, le=3600, description="Wait before the first "
                                "retry; doubled after each failed attempt (s).")
    bank_send_s: float = Field(10.0, ge=1, le=3600,
                               description="How often due stop-payment requests are sent (s).")

    @model_validator(mode="after")
    def _webhook_has_an_endpoint(self) -> AntifraudSettings:
        if self.bank_adapter == "webhook" and not self.bank_url:
            raise ValueError("antifraud.bank_adapter = webhook needs antifraud.bank_url")
        if self.bank_url and not self.bank_url.startswith(("http://", "https://")):
            raise ValueError("antifraud.bank_url must be an http(s) URL")
        return self

    def deadlines_min(self, grade: str) -> tuple[int, int]:
        """(phone, in person) minutes for a grade."""
        return {
            "high": (self.high_phone_min, self.high_visit_min),
            "medium": (self.medium_phone_min, self.medium_visit_min),
            "low": (self.low_phone_min, self.low_visit_min),
        }[grade]

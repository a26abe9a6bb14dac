"""Warnings as a centre sends them, placed in the test city."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from sqlalchemy import select

from yanyun.geo.models import Grid

# 1949-12-31, check digit X: a person of 76 on the test clock.
ELDERLY_ID = "11010519491231002X"


def grid(session, offset: int = 0) -> Grid:
    return session.scalars(select(Grid).order_by(Grid.code).offset(offset)).first()


def row(g: Grid, ref: str = "NAC-0001", **overrides: Any) -> dict[str, Any]:
    body = {
        "warning_id": ref, "victim_name": "张桂英", "victim_phone": "13807341234",
        "victim_id_number": ELDERLY_ID, "address": "向阳街道12号", "lng": g.lng, "lat": g.lat,
        "fraud_type": "冒充公检法", "suspect_account": "6222020000001111",
        "amount_yuan": 80000,
    }
    body.update(overrides)
    return body


def signed(secret: str, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload, ensure_ascii=False).encode()
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Yanyun-Signature": digest, "Content-Type": "application/json"}

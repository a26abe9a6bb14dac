"""Proof of work for the public tip form: a cost on the sender's phone, no CAPTCHA.

Anyone may file a tip without an account, so the form needs a brake that
keeps it open to a person and costly to a script. A CAPTCHA shuts out the
elderly and the blind and sends page views to a third party; a phone check
costs an SMS per tip and identifies the tipster, which keeps people from
reporting. A proof of work is invisible to a person (about a second of
hashing in the browser) and makes a thousand tips cost a thousand seconds
of CPU; with the per-address limit it bounds a flood. The challenge is
signed by the server (HMAC with the deployment's secret), so it needs no
table until it is spent; a spent one is recorded so it cannot be reused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from yanyun.core.errors import Invalid


def _sign(secret: str, body: str) -> str:
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode()


def issue(secret: str, now: datetime, bits: int) -> str:
    """A fresh challenge: nonce, issue time, difficulty, signed."""
    body = f"{secrets.token_urlsafe(12)}.{int(now.timestamp())}.{bits}"
    return f"{body}.{_sign(secret, body)}"


def leading_zero_bits(digest: bytes) -> int:
    """
    >>> leading_zero_bits(bytes([0, 0x1F, 0xFF]))
    11
    """
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def _refuse(zh: str, en: str) -> Invalid:
    return Invalid("proof", zh, en)


def verify(secret: str, challenge: str, nonce: str, now: datetime, max_age: timedelta) -> int:
    """Check a solved challenge; return its difficulty. Raises Invalid naming ``proof``."""
    try:
        token, issued, bits_text, signature = challenge.split(".")
        issued_at, bits = int(issued), int(bits_text)
    except ValueError:
        raise _refuse("校验信息无效，请刷新页面重试", "invalid proof: reload the page") from None
    body = f"{token}.{issued}.{bits_text}"
    if not hmac.compare_digest(_sign(secret, body), signature):
        raise _refuse("校验信息无效，请刷新页面重试", "invalid proof: reload the page")
    age = now.timestamp() - issued_at
    if age < -60 or age > max_age.total_seconds():
        raise _refuse("校验已过期，请重新提交", "the proof expired: send again")
    digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
    if leading_zero_bits(digest) < bits:
        raise _refuse("校验未完成，请重新提交", "the proof of work is not solved")
    return bits


def spent_key(challenge: str) -> str:
    """What is stored of a used challenge: its digest."""
    return hashlib.sha256(challenge.encode()).hexdigest()

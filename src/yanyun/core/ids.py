"""Identifiers that sort by creation time.

ULID layout (48-bit millisecond time + 80 random bits, Crockford base32) so a
primary-key index stays append-mostly and ids order like the records they
name. Time comes from the injected clock; the random part from the OS, since
ids need uniqueness, not replay.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime

from yanyun.core.clock import Clock

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_lock = threading.Lock()
_last = [0, 0]


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def new_id(clock: Clock) -> str:
    """Return a new 26-character id whose prefix is the clock's millisecond.

    >>> from datetime import datetime, UTC
    >>> from yanyun.core.clock import FrozenClock
    >>> c = FrozenClock(datetime(2026, 11, 23, tzinfo=UTC))
    >>> a = new_id(c); _ = c.advance(0.001); b = new_id(c)
    >>> len(a), a < b
    (26, True)
    """
    ms = int(clock.now().timestamp() * 1000)
    with _lock:
        # Monotonic within a millisecond (as ULID specifies): ids made in one
        # transaction at one instant still sort in the order they were made.
        if ms == _last[0]:
            rand = _last[1] + 1
        else:
            rand = int.from_bytes(os.urandom(10), "big") >> 1
        _last[0], _last[1] = ms, rand
    return _encode(ms, 10) + _encode(rand, 16)


def id_time(value: str) -> datetime:
    """Recover the creation instant (millisecond precision) from an id."""
    from datetime import UTC

    ms = 0
    for ch in value[:10]:
        ms = ms * 32 + _ALPHABET.index(ch)
    return datetime.fromtimestamp(ms / 1000, tz=UTC)

"""The quarantine: refused rows kept with their reason, read back with plates masked."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from yanyun.intel.ingest import REASONS
from yanyun.intel.lake import Pool
from yanyun.intel.schemas import QuarantinedRead

_REASON_KEYS = pa.array(list(REASONS), pa.string())
_REASONS_ZH = pa.array([zh for zh, _ in REASONS.values()], pa.string())
_REASONS_EN = pa.array([en for _, en in REASONS.values()], pa.string())


def quarantine_rejects(
    *, pool: Pool, rejects: pa.Table, batch_id: str, now: datetime, now_ms: int
) -> None:
    """Keep a batch's refused rows, each with its reason in both languages (durable on return)."""
    rejected = rejects.num_rows
    codes = pc.index_in(rejects.column("reason"), value_set=_REASON_KEYS)
    quarantine = (
        rejects.append_column("batch_id", pa.repeat(batch_id, rejected))
        .append_column("reason_zh", _REASONS_ZH.take(codes))
        .append_column("reason_en", _REASONS_EN.take(codes))
        .append_column(
            "received_at", pa.repeat(pa.scalar(now, pa.timestamp("ms", tz="UTC")), rejected)
        )
    )
    pool.quarantine.append(quarantine, batch_id=batch_id, received_ms=now_ms)


def mask_plate(plate: str | None) -> str | None:
    """Enough of a plate to find the row in the sender's file, not enough to track a car.

    >>> mask_plate("湘DLJ15N"), mask_plate("AB"), mask_plate(None)
    ('湘D***5N', '**', None)
    """
    if plate is None:
        return None
    if len(plate) <= 4:
        return "*" * len(plate)
    return plate[:2] + "*" * (len(plate) - 4) + plate[-2:]


def quarantined(*, pool: Pool, batch_id: str) -> list[QuarantinedRead]:
    """A batch's refused rows with their reasons; plates masked (this read is bound to no case)."""
    table = pool.quarantine.read_all()
    rows = table.filter(pc.equal(table.column("batch_id"), batch_id)).sort_by("row").to_pylist()
    for row in rows:
        row["plate"] = mask_plate(row.get("plate"))
    return [QuarantinedRead(**row) for row in rows]

"""The pool's periodic work: compact finished days, seal closed months, forget old batch ids.

Run by the scheduled job `intel.pool_maintenance` every
`maintenance_interval_s`, and by `yanyun intel compact`. Each step is one of
the pool's crash-safe rewrites, so a job killed half-way leaves the pool as
it was or as it should be, and the next run carries on. The slow part of a
rewrite runs outside the writer lock: ingest is not held up by a month's reseal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from yanyun.core.clock import Clock
from yanyun.core.jobs import Job
from yanyun.intel.pool import DAY_MS, Dataset, day_start_ms
from yanyun.intel.settings import IntelSettings

HOUR_MS = 3_600_000


@dataclass
class MaintenanceReport:
    days_compacted: list[str] = field(default_factory=list)
    months_sealed: list[str] = field(default_factory=list)
    batches_forgotten: int = 0


def maintain_pool(
    *, sightings: Dataset, quarantine: Dataset, settings: IntelSettings, clock: Clock
) -> MaintenanceReport:
    """Do whatever compaction, sealing and ledger pruning is due now."""
    now_ms = int(clock.now().timestamp() * 1000)
    report = MaintenanceReport()
    compact_before = now_ms - int(settings.compact_after_h * HOUR_MS)
    report.days_compacted = sightings.compact_finished_days(compact_before)
    seal_before = now_ms - settings.seal_after_days * DAY_MS
    by_month: dict[str, list[str]] = {}
    for f in sightings.manifest().files:
        by_month.setdefault(f.first_day[:7], []).append(f.tier)
    for month, tiers in sorted(by_month.items()):
        if tiers == ["month"]:
            continue  # sealed, nothing arrived since
        year, mon = int(month[:4]), int(month[5:7])
        following = date(year + mon // 12, mon % 12 + 1, 1)
        if day_start_ms(following) <= seal_before:
            if sightings.seal_month(year, mon) is not None:
                report.months_sealed.append(month)
    forget_before = now_ms - settings.ledger_retention_days * DAY_MS
    report.batches_forgotten = sightings.prune_ledger(forget_before)
    quarantine.prune_ledger(forget_before)
    return report


def _maintenance(runtime: Any) -> str:
    from yanyun.intel.service import POOL

    pool = runtime.provide(POOL)
    report = maintain_pool(
        sightings=pool.sightings, quarantine=pool.quarantine, settings=runtime.settings.intel,
        clock=runtime.clock,
    )
    return f"{len(report.days_compacted)} days, {len(report.months_sealed)} months"


def _every(settings: Any) -> float:
    return settings.intel.maintenance_interval_s


#: The pool's maintenance, when each step is due; never at start (ingest comes first).
JOBS = [Job("intel.pool_maintenance", _maintenance, every_s=_every, at_start=False,
            lease_s=6 * 3600, description="compact finished days, seal closed months")]

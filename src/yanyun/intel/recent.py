"""What earlier batches saw: the writer's memory of recent sightings, for re-sent rows and jumps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from yanyun.intel.arrow_columns import encode, filled
from yanyun.intel.pool import FLAG_ABSURD_SPEED
from yanyun.intel.sighting_keys import sighting_keys, string_hashes
from yanyun.intel.speeds import distance_km, too_fast

if TYPE_CHECKING:
    from yanyun.intel.camera_book import CameraBook

HOUR_MS = 3_600_000


@dataclass
class Seen:
    """What one batch's accepted rows add to RecentSightings."""

    keys: np.ndarray  # uint64 per accepted row
    ms: np.ndarray
    plate_hash: np.ndarray  # per plate of the batch: its last sighting
    last_ms: np.ndarray
    last_lng: np.ndarray
    last_lat: np.ndarray


class RecentSightings:
    """The sightings accepted within the last `window_ms`, as the single writer needs them.

    Two things a batch cannot see by itself: a row that an earlier batch
    already delivered (a camera's uploader retrying with a new batch id), and
    a plate's jump from its sighting in an earlier batch. The writer keeps,
    for the window, a 64-bit key per sighting (plate, camera, time) in sorted
    arrays per hour, and each plate's latest sighting (time and place). About
    8 bytes per sighting and 32 per plate: a city's day (2.7 M sightings) is
    some 25 MB. Older rows are not compared (their batch ids still are, by
    the ledger). Keys are hashes: two different sightings share one with a
    probability near 1e-8 per million-row batch, and the loser is quarantined
    as `resent`, never silently dropped.
    """

    def __init__(self, window_ms: int) -> None:
        self.window_ms = window_ms
        self.horizon_ms = 0
        self._hours: dict[int, np.ndarray] = {}
        # Each plate's latest sighting, as arrays sorted by plate hash: a batch's
        # few hundred thousand plates are found and merged by binary search.
        self._plate = np.zeros(0, np.uint64)
        self._last_ms = np.zeros(0, np.int64)
        self._last_lng = np.zeros(0)
        self._last_lat = np.zeros(0)

    def __len__(self) -> int:
        return sum(len(v) for v in self._hours.values())

    def advance(self, now_ms: int) -> None:
        """Forget what fell out of the window."""
        self.horizon_ms = max(self.horizon_ms, now_ms - self.window_ms)
        first_hour = self.horizon_ms // HOUR_MS
        for hour in [h for h in self._hours if h < first_hour]:
            del self._hours[hour]
        stale = self._last_ms < self.horizon_ms
        if len(stale) > 1024 and stale.mean() > 0.5:
            keep = ~stale
            self._plate = self._plate[keep]
            self._last_ms = self._last_ms[keep]
            self._last_lng = self._last_lng[keep]
            self._last_lat = self._last_lat[keep]

    def _find(self, plate_hash: np.ndarray) -> np.ndarray:
        """Position of each plate in the arrays, -1 if not remembered."""
        if not len(self._plate):
            return np.full(len(plate_hash), -1, np.int64)
        at = np.minimum(np.searchsorted(self._plate, plate_hash), len(self._plate) - 1)
        return np.where(self._plate[at] == plate_hash, at, -1)

    def contains(self, keys: np.ndarray, ms: np.ndarray) -> np.ndarray:
        found = np.zeros(len(keys), bool)
        hours = ms // HOUR_MS
        for hour in np.unique(hours).tolist():
            known = self._hours.get(hour)
            if known is None or not len(known):
                continue
            sel = np.flatnonzero(hours == hour)
            at = np.minimum(np.searchsorted(known, keys[sel]), len(known) - 1)
            found[sel] = known[at] == keys[sel]
        return found

    def speed_flags(
        self,
        plate_hash: np.ndarray,
        ms: np.ndarray,
        lng: np.ndarray,
        lat: np.ndarray,
        max_kmh: float,
    ) -> np.ndarray:
        """Flags for each plate's first row of a batch against its latest earlier sighting."""
        flags = np.zeros(len(ms), np.int8)
        slots = self._find(plate_hash)
        has = slots >= 0
        if not has.any():
            return flags
        at = slots[has]
        prev_ms = self._last_ms[at]
        later = (ms[has] >= prev_ms) & (prev_ms >= self.horizon_ms)
        km = distance_km(self._last_lng[at], self._last_lat[at], lng[has], lat[has])
        fast = too_fast(km, ms[has] - prev_ms, max_kmh)
        flags[np.flatnonzero(has)[later & fast]] = FLAG_ABSURD_SPEED
        return flags

    def add(self, seen: Seen) -> None:
        """Absorb a durable batch's accepted rows (only what falls within the window)."""
        inside = seen.ms >= self.horizon_ms
        keys, hours = seen.keys[inside], seen.ms[inside] // HOUR_MS
        if len(keys):
            rel = hours - hours.min()  # a few dozen hours: a radix sort as int16
            order = np.argsort(rel.astype(np.int16) if rel.max() < 2**15 else rel, kind="stable")
            keys, hours = keys[order], hours[order]
            bounds = np.flatnonzero(np.diff(hours)) + 1
            for part, hour in zip(
                np.split(keys, bounds), hours[np.append(0, bounds)].tolist(), strict=True
            ):
                part = np.sort(part)
                known = self._hours.get(hour)
                self._hours[hour] = (
                    part if known is None else np.insert(known, np.searchsorted(known, part), part)
                )
        slots = self._find(seen.plate_hash)
        old = slots >= 0
        at = slots[old]
        newer = seen.last_ms[old] >= self._last_ms[at]
        self._last_ms[at[newer]] = seen.last_ms[old][newer]
        self._last_lng[at[newer]] = seen.last_lng[old][newer]
        self._last_lat[at[newer]] = seen.last_lat[old][newer]
        fresh = np.flatnonzero(~old)
        if len(fresh):
            fresh = fresh[np.argsort(seen.plate_hash[fresh])]
            where = np.searchsorted(self._plate, seen.plate_hash[fresh])
            self._plate = np.insert(self._plate, where, seen.plate_hash[fresh])
            self._last_ms = np.insert(self._last_ms, where, seen.last_ms[fresh])
            self._last_lng = np.insert(self._last_lng, where, seen.last_lng[fresh])
            self._last_lat = np.insert(self._last_lat, where, seen.last_lat[fresh])

    def add_rows(self, rows: pa.Table, cameras: CameraBook) -> None:
        """Absorb rows read back from the pool (plate, camera, seen_at), e.g. when opened."""
        ms = pc.cast(rows.column("seen_at"), pa.int64()).to_numpy(zero_copy_only=False)
        keep = np.flatnonzero(ms >= self.horizon_ms)
        if not len(keep):
            return
        rows = rows.take(pa.array(keep))
        ms = ms[keep]
        cam = filled(pc.index_in(rows.column("camera"), value_set=cameras.codes), -1)
        known = cam >= 0
        row_plate, plates = encode(rows.column("plate").combine_chunks())
        plate_hash = string_hashes(plates)
        camera_hash = np.zeros(len(cam), np.uint64)
        camera_hash[known] = cameras.code_hash[cam[known]]
        # Unknown cameras (removed from the registry since): keys from their codes.
        if not known.all():
            camera_hash[~known] = string_hashes(
                rows.column("camera").combine_chunks().take(pa.array(np.flatnonzero(~known)))
            )
        keys = sighting_keys(plate_hash[row_plate], camera_hash, ms)
        order = np.flatnonzero(known)
        order = order[np.lexsort((ms[order], row_plate[order]))]
        p = row_plate[order]
        last = np.flatnonzero(np.append(p[1:] != p[:-1], True)) if len(p) else p
        c = cam[order[last]]
        self.add(
            Seen(
                keys=keys,
                ms=ms,
                plate_hash=plate_hash[p[last]],
                last_ms=ms[order[last]],
                last_lng=cameras.lng[c],
                last_lat=cameras.lat[c],
            )
        )

"""Maintenance of a dataset: compact days, seal months, forget old batch ids, recover from a crash.

A compaction reads, sorts and writes outside the writer lock (minutes for a
month of a city) so ingest carries on; it takes the lock only to check its
inputs are still live and to swap the manifest.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq

from yanyun.intel.pool.files import LOCK, MANIFEST, FileEntry
from yanyun.intel.pool.partitions import DAY_MS, day_start_ms


class DatasetMaintenance:
    """The rewrites of a `Dataset` (its base); they use its writer lock and file writes."""

    def compact_day(self, day: date) -> FileEntry | None:
        """Rewrite a day's small files into one file sorted by the dataset's key."""
        label = day.isoformat()
        with self._maintenance:
            inputs = [
                f
                for f in self.manifest().files
                if f.tier in ("part", "day") and f.first_day == label and f.last_day == label
            ]
            if len(inputs) < 2 and all(f.tier == "day" for f in inputs):
                return None
            return self._rewrite(inputs, f"day={label}", "day")

    def seal_month(self, year: int, month: int) -> FileEntry | None:
        """Rewrite a closed month into one plate-sorted file: a plate's month in one row group."""
        prefix = f"{year:04d}-{month:02d}"
        with self._maintenance:
            files = self.manifest().files
            inputs = [
                f
                for f in files
                if f.first_day.startswith(prefix)
                and f.last_day.startswith(prefix)
                and f.tier != "month"
            ]
            inputs += [f for f in files if f.tier == "month" and f.first_day.startswith(prefix)]
            if not inputs:
                return None
            return self._rewrite(inputs, f"month={prefix}", "month")

    def _rewrite(self, inputs: list[FileEntry], folder: str, tier: str) -> FileEntry | None:
        """Replace `inputs` by one sorted file; None if they changed meanwhile.

        Reading, sorting and writing (minutes for a month of a city) happen
        outside the writer lock, so ingest carries on; the lock is taken only
        to check that every input is still live and the new file still there
        (another process's `recover` may have removed it), and to swap.
        """
        table = pa.concat_tables(
            pq.read_table(self.root / f.path, schema=self.spec.schema) for f in inputs
        )
        table = self._sorted(table)
        rel = self._write_file(table, folder, tier)
        entry = self._entry(rel, tier, table)
        del table
        self._failpoint("compact:output_written")
        replaced = {f.path for f in inputs}
        with self.writer() as manifest:
            live = {f.path for f in manifest.files}
            if not replaced <= live or not (self.root / rel).exists():
                (self.root / rel).unlink(missing_ok=True)
                return None
            manifest.files = [f for f in manifest.files if f.path not in replaced] + [entry]
            self._swap_manifest(manifest)
        self._failpoint("compact:manifest_swapped")
        for i, f in enumerate(sorted(replaced)):
            (self.root / f).unlink(missing_ok=True)
            if i == 0:
                self._failpoint("compact:inputs_half_deleted")
        return entry

    def prune_ledger(self, before_ms: int) -> int:
        """Forget batch ids received before `before_ms`; returns how many were forgotten.

        Keeps the manifest (rewritten on every append) bounded. A batch sent
        again after its id is forgotten is checked as a new one: see
        docs/intel.md for what that means for its rows.
        Entries without a receipt time (written before it was recorded) are forgotten.
        """
        with self.writer() as manifest:
            old = [
                b for b, rec in manifest.batches.items() if rec.get("received_ms", 0) < before_ms
            ]
            if not old:
                return 0
            for batch_id in old:
                del manifest.batches[batch_id]
            self._swap_manifest(manifest)
            return len(old)

    def compact_finished_days(self, before_ms: int) -> list[str]:
        """Compact every day that ended at or before `before_ms` and still has batch files;
        the days rewritten."""
        done = []
        for label in sorted({f.first_day for f in self.manifest().files if f.tier == "part"}):
            if day_start_ms(date.fromisoformat(label)) + DAY_MS <= before_ms:
                if self.compact_day(date.fromisoformat(label)) is not None:
                    done.append(label)
        return done

    def forget_days_before(self, before_ms: int) -> int:
        """Drop the files whose every row is older than `before_ms` (retention); how many rows.

        The manifest is swapped first, then the files deleted: a crash in between
        leaves files no manifest names, which `recover` removes.
        """
        with self.writer() as manifest:
            old = [
                f for f in manifest.files
                if day_start_ms(date.fromisoformat(f.last_day)) + DAY_MS <= before_ms
            ]
            if not old:
                return 0
            manifest.files = [f for f in manifest.files if f not in old]
            self._swap_manifest(manifest)
        for f in old:
            (self.root / f.path).unlink(missing_ok=True)
        return sum(f.rows for f in old)

    def compact_all(self) -> int:
        """Compact every day that has more than one file; returns the days rewritten."""
        days = sorted({f.first_day for f in self.manifest().files if f.tier == "part"})
        done = 0
        for label in days:
            if self.compact_day(date.fromisoformat(label)) is not None:
                done += 1
        return done

    def recover(self) -> list[str]:
        """Delete files the manifest does not name (leftovers of a crash); single writer only."""
        removed: list[str] = []
        with self.writer() as manifest:
            live = {f.path for f in manifest.files}
            for path in self.root.rglob("*"):
                if path.is_dir() or path.name in (MANIFEST, LOCK):
                    continue
                rel = path.relative_to(self.root).as_posix()
                if rel not in live:
                    path.unlink()
                    removed.append(rel)
            for directory in sorted(self.root.iterdir()):
                if directory.is_dir() and not any(directory.iterdir()):
                    directory.rmdir()
        return removed
